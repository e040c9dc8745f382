"""The `[audit]` policy: the 5M1E checklist and how long a finding may stay open.

Checked when read by the typed model (config.policies), like every policy: a bad value is
BadInput naming its key path (`audit.checklist.people.training`) before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from capaflow.calendars import Duration
from capaflow.config.policies import FACTORS, AuditSection, Policies, section_of
from capaflow.errors import BadInput

# docs/architecture.md, "Quality rules": an audit checks the six factors (config.policies.FACTORS),
# shown in that order.


@dataclass(frozen=True)
class ChecklistItem:
    factor: str
    key: str
    text: str

    @property
    def id(self) -> str:
        return f"{self.factor}.{self.key}"


@dataclass(frozen=True)
class AuditPolicy:
    checklist: tuple[ChecklistItem, ...]
    finding_due: Duration

    def item(self, item_id: str, *, field: str = "item") -> ChecklistItem:
        wanted = item_id.strip().lower()
        for item in self.checklist:
            if item.id == wanted:
                return item
        raise BadInput(
            f"{field}: '{item_id}' is not a checklist item (capa supplier-audit checklist "
            "lists them, e.g. materials.certificates)",
            field=field,
        )


def load_audit_policy(policies: Policies | Mapping[str, Any]) -> AuditPolicy:
    """`[audit]`, typed (config.policies checks the factors, items and the finding's due)."""
    section = section_of(policies, "audit", AuditSection)
    items = [
        ChecklistItem(factor=factor, key=key.lower(), text=text)
        for factor in FACTORS
        for key, text in getattr(section.checklist, factor).items()
    ]
    return AuditPolicy(checklist=tuple(items), finding_due=section.finding_due)
