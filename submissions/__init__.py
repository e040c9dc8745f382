"""What suppliers submit through their portal for a step of their 8D case, and the quality
lead's decision on it: accepted (the step is taken through the engine) or rejected (with a
reason sent back to the supplier)."""

from capaflow.submissions.findings import (
    FINDING_ANSWER,
    NotASupplier,
    OwedFinding,
    answer_finding,
    finding_id_of,
    is_finding_answer,
    owed_findings,
    still_open,
    visible_finding,
)
from capaflow.submissions.notices import STEP_NAMES
from capaflow.submissions.service import (
    SUPPLIER_LIFECYCLES,
    SUPPLIER_TRIGGERS,
    Acceptance,
    NotPermitted,
    accept,
    case_submissions,
    owed_steps,
    pending,
    reject,
    submit,
)

__all__ = [
    "FINDING_ANSWER",
    "NotASupplier",
    "OwedFinding",
    "answer_finding",
    "finding_id_of",
    "is_finding_answer",
    "owed_findings",
    "still_open",
    "visible_finding",
    "STEP_NAMES",
    "SUPPLIER_LIFECYCLES",
    "SUPPLIER_TRIGGERS",
    "Acceptance",
    "NotPermitted",
    "accept",
    "case_submissions",
    "owed_steps",
    "pending",
    "reject",
    "submit",
]
