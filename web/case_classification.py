"""What the classification panel (templates/case_classification.html) shows on an 8D case's
page: the lead's classification form while the case is an open supplier 8D case, and
"replacement parts received" while the case owes parts; both from intake.classification, the
rules `capa defect classify` and `capa defect parts-received` keep (docs/architecture.md,
"Supplier-quality forms")."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from capaflow.accounts import Principal
from capaflow.intake.classification import CLASSES, classification_of, may_classify, parts_owed
from capaflow.models import Case

# The classes in the quality lead's words (the form posts their names).
CLASS_WORDS = {"batch": "batch", "sporadic": "sporadic", "one_off": "one-off",
               "unavoidable": "unavoidable"}
# What each class asks of the supplier, beside its choice.
CLASS_HINTS = {
    "batch": "the full 8D, the next lots at 100 %, parts confirmed good owed at once",
    "sporadic": "a written notice, the defective pieces replaced",
    "one_off": "no emergency containment and no 100 % inspection of the next lots",
    "unavoidable": "no emergency containment and no 100 % inspection of the next lots",
}
FORMS = ("classify", "parts")


def classification_context(session: Session, principal: Principal, case: Case) -> dict[str, Any]:
    """The panel's context; the forms only for writers, and each only where the rule offers
    it."""
    assert case.id is not None
    owed = parts_owed(session, case.id) if case.lifecycle == "8d" else []
    writer = principal.can_write
    return {
        "classification": classification_of(case),
        "class_choices": [(c, CLASS_WORDS.get(c, c), CLASS_HINTS.get(c, "")) for c in CLASSES],
        "class_words": CLASS_WORDS,
        "can_classify": writer and may_classify(case),
        "parts_owed": owed,
        "can_receive_parts": writer and bool(owed),
        "show_classification": case.lifecycle == "8d" and case.supplier_id is not None,
    }
