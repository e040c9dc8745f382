"""What the audit tests share."""

from __future__ import annotations

from capaflow.audits import load_audit_policy
from capaflow.config import load_policies


def audit_policy_checklist_size() -> int:
    return len(load_audit_policy(load_policies()).checklist)
