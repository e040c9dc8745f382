"""SQLModel tables, one module per aggregate, and the database plumbing (db.py)."""

from models.case import Case
from models.deadline import Deadline
from models.defect import DefectEvent
from models.event import CaseEvent
from models.inspection import InspectionHold
from models.notification import Notification
from models.supplier import Supplier

__all__ = [
    "Case",
    "CaseEvent",
    "Deadline",
    "DefectEvent",
    "InspectionHold",
    "Notification",
    "Supplier",
]
