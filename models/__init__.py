"""SQLModel tables, one module per aggregate, and the database plumbing (db.py)."""

from capaflow.models.attachment import Attachment
from capaflow.models.audit import AuditFinding
from capaflow.models.case import Case
from capaflow.models.comment import CaseComment
from capaflow.models.cost import CaseCost
from capaflow.models.deadline import Deadline
from capaflow.models.defect import DefectEvent
from capaflow.models.event import CaseEvent
from capaflow.models.extension import DeadlineExtension
from capaflow.models.incident import Incident, IncidentStep
from capaflow.models.inspection import InspectionHold
from capaflow.models.inspection_lot import InspectionLot, SwitchingState
from capaflow.models.notification import Notification
from capaflow.models.saved_view import SavedView
from capaflow.models.scorecard import Scorecard, SupplierEscalation, SupplierRating
from capaflow.models.service import (
    Absence,
    Customer,
    FollowUp,
    ServicePerson,
    ServiceRequest,
    TrainingItem,
)
from capaflow.models.spotchecks import SpotCheck, SpotCheckDraw
from capaflow.models.standard import (
    InspectionFinding,
    InspectionRound,
    RoundResult,
    Standard,
    StandardItem,
)
from capaflow.models.submission import Submission
from capaflow.models.supplier import Supplier, SupplierDecision
from capaflow.models.targets import IndicatorCycle, ReviewFigure
from capaflow.models.user import AccountEvent, ApiToken, AppSecret, PasswordThrottle, User
from capaflow.models.workchecks import WorkCheck, WorkItem

__all__ = [
    "AccountEvent",
    "Absence",
    "Customer",
    "FollowUp",
    "ServicePerson",
    "ServiceRequest",
    "TrainingItem",
    "ApiToken",
    "AppSecret",
    "AuditFinding",
    "Case",
    "CaseCost",
    "CaseEvent",
    "Deadline",
    "DefectEvent",
    "DeadlineExtension",
    "InspectionHold",
    "InspectionLot",
    "Notification",
    "PasswordThrottle",
    "Scorecard",
    "Submission",
    "Supplier",
    "SupplierDecision",
    "SupplierEscalation",
    "SupplierRating",
    "SwitchingState",
    "User",
    "InspectionFinding",
    "InspectionRound",
    "RoundResult",
    "Standard",
    "StandardItem",
    "SpotCheck",
    "SpotCheckDraw",
    "WorkCheck",
    "WorkItem",
    "Incident",
    "IncidentStep",
    "IndicatorCycle",
    "ReviewFigure",
    "CaseComment",
    "SavedView",
    "Attachment",
]
