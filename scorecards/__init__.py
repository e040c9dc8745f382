"""Monthly supplier grades A–E, the escalations they trigger, and charts of them
(docs/architecture.md, "Quality rules").

- `policy`: the `[scorecard]` config (weights, how each measure earns points, grade bands).
- `months`: "YYYY-MM" months and their bounds on the calendar's wall clock.
- `grading`: the month's measures by aggregate SQL, the score and grade, `run_month`.
- `escalation`: the rules that fire on a run of grades, each once.
- `decisions`: the quality lead's cooperation rating and lifting a blacklist.
- `history`, `charts`: stored grades read back, and hand-written SVG charts of them.
"""

from capaflow.scorecards.decisions import lift_blacklist, rate_supplier
from capaflow.scorecards.grading import SupplierResult, grade_month, run_month
from capaflow.scorecards.policy import ATTITUDES, GRADES, ScorecardPolicy, load_scorecard_policy

__all__ = [
    "ATTITUDES",
    "GRADES",
    "ScorecardPolicy",
    "SupplierResult",
    "grade_month",
    "lift_blacklist",
    "load_scorecard_policy",
    "rate_supplier",
    "run_month",
]
