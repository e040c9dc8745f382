"""The written cause report a supplier owes after its grade drops two steps
(docs/architecture.md, "Quality rules").

requested → submitted → accepted, plus cancelled; the quality lead sends a report back with
`reject` (→ requested, owed again on its original due time). Being a lifecycle, the report's
deadline is a deadline like any other: the sweep reminds and escalates it, and whether it came
in on time feeds the supplier's response speed.
"""

from __future__ import annotations

from capaflow.statemachines.lifecycle import FieldRule, Lifecycle, Step

STATES = ("requested", "submitted", "accepted", "cancelled")

STEPS = (
    Step("submit", "requested", "submitted"),
    Step("accept", "submitted", "accepted"),
    Step("reject", "submitted", "requested"),
    *(Step("cancel", state, "cancelled") for state in STATES[:2]),
)

FIELDS = {
    "submit": FieldRule(required=("report",), optional=("actions",)),
    "accept": FieldRule(optional=("comment",)),
    "reject": FieldRule(required=("reason",)),
    "cancel": FieldRule(required=("reason",)),
}

CAUSE_REPORT = Lifecycle(
    name="cause_report",
    title="Written cause report (grade drop)",
    states=STATES,
    initial="requested",
    final=("accepted", "cancelled"),
    steps=STEPS,
    fields=FIELDS,
    disciplines={
        "requested": "report requested",
        "submitted": "report submitted",
        "accepted": "report accepted",
        "cancelled": "cancelled",
    },
)
