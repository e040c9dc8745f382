"""The supplier audit (5M1E, docs/architecture.md, "Quality rules") as data; nothing here touches
the database.

planned → conducted → findings_open → closed, plus cancelled. `conduct` records the checklist
results; the audits service then raises the failed items as findings (→ findings_open) or, with
none failed, closes the audit at once. Findings are raised and closed as steps of the audit, so
each one is in its hash-chained trail; the case keeps the count of open findings
(content["open_findings"]) and `close` holds only at zero.
"""

from __future__ import annotations

from capaflow.statemachines.lifecycle import FieldRule, Lifecycle, Step

STATES = ("planned", "conducted", "findings_open", "closed", "cancelled")

STEPS = (
    Step("conduct", "planned", "conducted"),
    Step("raise_findings", "conducted", "findings_open",
         conditions=("findings_counted",), after=("count_raised_findings",)),
    # More findings can be raised while others are being worked (a finding added after the
    # report was written); the state stays.
    Step("raise_findings", "findings_open", "findings_open",
         conditions=("findings_counted",), after=("count_raised_findings",)),
    Step("close_finding", "findings_open", "findings_open",
         conditions=("has_open_findings",), after=("count_closed_finding",)),
    # Straight from conducted when no checklist item failed.
    Step("close", "conducted", "closed", conditions=("no_open_findings",)),
    Step("close", "findings_open", "closed", conditions=("no_open_findings",)),
    *(Step("cancel", state, "cancelled") for state in STATES[:3]),
)

FIELDS = {
    "conduct": FieldRule(required=("auditors", "checklist"), optional=("failed_items", "site")),
    "raise_findings": FieldRule(required=("findings",), optional=("items",)),
    "close_finding": FieldRule(required=("finding", "resolution")),
    "close": FieldRule(optional=("summary",)),
    "cancel": FieldRule(required=("reason",)),
}

AUDIT = Lifecycle(
    name="audit",
    title="Supplier audit (5M1E)",
    states=STATES,
    initial="planned",
    final=("closed", "cancelled"),
    steps=STEPS,
    fields=FIELDS,
    condition_messages={
        "findings_counted": "findings must be the number of findings raised, 1 or more",
        "has_open_findings": "the audit has no open finding to close",
        "no_open_findings": (
            "findings of this audit are still open: close each one first "
            "(capa supplier-audit finding close)"
        ),
    },
    disciplines={
        "planned": "audit planned",
        "conducted": "audit conducted",
        "findings_open": "findings being worked",
        "closed": "audit closed",
        "cancelled": "cancelled",
    },
)
