"""SQLModel tables, one module per aggregate, and the database plumbing (db.py)."""

from models.audit import AuditFinding
from models.case import Case
from models.cost import CaseCost
from models.deadline import Deadline
from models.defect import DefectEvent
from models.event import CaseEvent
from models.inspection import InspectionHold
from models.inspection_lot import InspectionLot, SwitchingState
from models.notification import Notification
from models.scorecard import Scorecard, SupplierEscalation, SupplierRating
from models.submission import Submission
from models.supplier import Supplier, SupplierDecision
from models.user import ApiToken, AppSecret, User

__all__ = [
    "ApiToken",
    "AppSecret",
    "AuditFinding",
    "Case",
    "CaseCost",
    "CaseEvent",
    "Deadline",
    "DefectEvent",
    "InspectionHold",
    "InspectionLot",
    "Notification",
    "Scorecard",
    "Submission",
    "Supplier",
    "SupplierDecision",
    "SupplierEscalation",
    "SupplierRating",
    "SwitchingState",
    "User",
]
