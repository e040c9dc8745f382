"""The emergency incident (docs/architecture.md, "Service quality control"): declared under a
contingency plan, its steps worked against their clocks, closed, then reviewed.

responding → closed → reviewed, plus cancelled (a false alarm).

- An incident is `responding` from its declaration: the plan's steps are parallel duties,
  each a deadline of its own met as it is done (a fact in the trail, not a step of this
  lifecycle, so steps may be done in any order).
- `close` (summary) ends the response; what is still owed of the steps is cancelled and a
  post-incident review is owed.
- `review` (cause, factor: one of the six factors) records what caused it; it may open an 8D
  case or a PDCA cycle.
- `cancel` (reason): declared in error.
"""

from __future__ import annotations

from capaflow.config.policies import FACTORS
from capaflow.statemachines.lifecycle import FieldRule, Lifecycle, Step

STATES = ("responding", "closed", "reviewed", "cancelled")
# A post-incident review names its cause's factor: one of the six (config.policies.FACTORS).
INCIDENT = Lifecycle(
    name="incident",
    title="Emergency incident",
    states=STATES,
    initial="responding",
    final=("reviewed", "cancelled"),
    steps=(
        Step("close", "responding", "closed"),
        Step("review", "closed", "reviewed"),
        Step("cancel", "responding", "cancelled"),
    ),
    fields={
        "close": FieldRule(required=("summary",)),
        "review": FieldRule(required=("cause", "factor"), optional=("action",)),
        "cancel": FieldRule(required=("reason",)),
    },
    choices={"factor": FACTORS},
    disciplines={
        "responding": "declared: the plan's steps are being worked",
        "closed": "closed: the post-incident review is owed",
        "reviewed": "reviewed",
        "cancelled": "cancelled (declared in error)",
    },
    notify_supplier=False,
    opened_by="capa incident declare or POST /api/v1/incidents",
    stepped_by=("capa incident close|review|cancel, or /api/v1/incidents/{id}/close and "
                "/api/v1/incidents/{id}/review"),
    keeps=("summary", "cause", "factor"),
)
