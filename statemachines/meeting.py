"""The meeting a grade escalation asks for (docs/architecture.md, "Quality rules"): with the
supplier's head of quality (three months at C), its top executive (three at D) or its quality
contact (a drop of two grades).

requested → held, plus cancelled. The meeting is ours to organise: the quality lead owns it,
and `record_minutes` (the minutes required, the attendees and agreed actions optional) closes
it. Being a lifecycle, its deadline is a deadline like any other: the sweep reminds the owner
and escalates to the quality manager until the minutes are recorded. It is not the supplier's
obligation: the sweep tells none of the supplier's people (`notify_supplier`), and the grade's
response speed does not count it (scorecards.grading, SUPPLIER_LIFECYCLES).
"""

from __future__ import annotations

from capaflow.statemachines.lifecycle import FieldRule, Lifecycle, Step

STATES = ("requested", "held", "cancelled")

STEPS = (
    Step("record_minutes", "requested", "held"),
    Step("cancel", "requested", "cancelled"),
)

FIELDS = {
    "record_minutes": FieldRule(required=("minutes",), optional=("attendees", "actions")),
    "cancel": FieldRule(required=("reason",)),
}

MEETING = Lifecycle(
    name="meeting",
    title="Meeting with the supplier (grade escalation)",
    states=STATES,
    initial="requested",
    final=("held", "cancelled"),
    steps=STEPS,
    fields=FIELDS,
    disciplines={
        "requested": "meeting requested",
        "held": "meeting held, minutes recorded",
        "cancelled": "cancelled",
    },
    notify_supplier=False,
)
