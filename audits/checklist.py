"""The `[audit]` policy: the 5M1E checklist and how long a finding may stay open.

Checked when read, like every policy: a bad value is BadInput naming its key path
(`audit.checklist.people.training`) before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from capaflow.calendars import Duration, DurationError, parse_duration
from capaflow.errors import BadInput

# docs/architecture.md, "Quality rules": the six factors an audit checks, in the order a report
# shows them.
FACTORS = ("people", "machines", "materials", "methods", "environment", "measurement")


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


def _table(path: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise BadInput(f"{path}: expected a table", field=path)
    return value


def load_audit_policy(policies: Mapping[str, Any]) -> AuditPolicy:
    section = _table("audit", policies.get("audit", {}))
    due_text = section.get("finding_due", "14d")
    try:
        if not isinstance(due_text, str):
            raise DurationError(f"expected a duration such as \"14d\", got {due_text!r}")
        finding_due = parse_duration(due_text)
    except DurationError as exc:
        raise BadInput(f"audit.finding_due: {exc}", field="audit.finding_due") from exc
    checklist_table = _table("audit.checklist", section.get("checklist", {}))
    items: list[ChecklistItem] = []
    for factor, entries in checklist_table.items():
        path = f"audit.checklist.{factor}"
        if factor not in FACTORS:
            raise BadInput(f"{path}: not a 5M1E factor ({', '.join(FACTORS)})", field=path)
        for key, text in _table(path, entries).items():
            if not isinstance(text, str) or not text.strip():
                raise BadInput(f"{path}.{key}: expected the item's text", field=f"{path}.{key}")
            items.append(ChecklistItem(factor=factor, key=key.lower(), text=text.strip()))
    # An audit that leaves a factor out is not a 5M1E audit: refuse the policy, not the audit.
    missing = [f for f in FACTORS if not any(i.factor == f for i in items)]
    if missing:
        raise BadInput(
            f"audit.checklist: every factor needs at least one item; missing: "
            f"{', '.join(missing)}",
            field="audit.checklist",
        )
    items.sort(key=lambda i: FACTORS.index(i.factor))  # stable: keeps each factor's order
    return AuditPolicy(checklist=tuple(items), finding_due=finding_due)
