"""A spot-check of a closed service request (docs/architecture.md, "Service quality
control"): drawn each week, owed by its reviewer until reviewed against the standard.

owed → reviewed, plus cancelled. The review's score and items are the spot-check's own row;
the step records who reviewed, the score and whether it fully passed.
"""

from __future__ import annotations

from capaflow.statemachines.lifecycle import FieldRule, Lifecycle, Step

STATES = ("owed", "reviewed", "cancelled")

STEPS = (
    Step("review", "owed", "reviewed"),
    Step("cancel", "owed", "cancelled"),
)

FIELDS = {
    "review": FieldRule(required=("score", "passed"), optional=("version", "failed_items")),
    "cancel": FieldRule(required=("reason",)),
}

SPOTCHECK = Lifecycle(
    name="spotcheck",
    title="Spot-check of a service request",
    states=STATES,
    initial="owed",
    final=("reviewed", "cancelled"),
    steps=STEPS,
    fields=FIELDS,
    disciplines={
        "owed": "drawn, review owed",
        "reviewed": "reviewed against the standard",
        "cancelled": "cancelled",
    },
    notify_supplier=False,
    keeps=("score", "passed"),
    opened_by="the weekly draw: capa spotcheck draw or POST /api/v1/spotchecks/draw",
    stepped_by="the review: capa spotcheck review or /api/v1/spotchecks/{id}/review",
)
