"""Incoming inspection: the plan for a supplier's lot, recording its result, and switching.

`plan_for` says how to inspect a lot (ISO 2859-1 sampling at the part's switching severity, or
100 % while a containment hold is open); `record_lot` stores the result, moves the switching
state on and sends a rejected lot to the supplier and the recurrence intake; `import_lots` does
that for each row of a CSV file. `switching` holds ISO 2859-1 clause 9 as a pure function.
"""

from capaflow.inspection.csvimport import COLUMNS, LotImportReport, import_lots
from capaflow.inspection.lots import (
    HUNDRED_PERCENT,
    DuplicateLot,
    InspectionPlan,
    LotResult,
    Resumed,
    plan_for,
    record_lot,
    resume_inspection,
)
from capaflow.inspection.policy import InspectionPolicy, load_inspection_policy
from capaflow.inspection.switching import LotOutcome, Standing, Step, Switch, SwitchRules, apply_lot

__all__ = [
    "COLUMNS",
    "HUNDRED_PERCENT",
    "DuplicateLot",
    "InspectionPlan",
    "InspectionPolicy",
    "LotImportReport",
    "LotOutcome",
    "LotResult",
    "Resumed",
    "Standing",
    "Step",
    "Switch",
    "SwitchRules",
    "apply_lot",
    "import_lots",
    "load_inspection_policy",
    "plan_for",
    "record_lot",
    "resume_inspection",
]
