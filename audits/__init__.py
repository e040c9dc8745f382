"""Supplier audits (5M1E): the checklist from config and the findings an audit raises."""

from capaflow.audits.checklist import AuditPolicy, ChecklistItem, load_audit_policy
from capaflow.audits.service import (
    AuditView,
    ConductResult,
    Failure,
    add_finding,
    cancel_audit,
    close_audit,
    close_finding,
    conduct_audit,
    open_for_escalation,
    plan_audit,
    show_audit,
)
from capaflow.config.policies import FACTORS

__all__ = [
    "FACTORS",
    "AuditPolicy",
    "AuditView",
    "ChecklistItem",
    "ConductResult",
    "Failure",
    "add_finding",
    "cancel_audit",
    "close_audit",
    "close_finding",
    "conduct_audit",
    "load_audit_policy",
    "open_for_escalation",
    "plan_audit",
    "show_audit",
]
