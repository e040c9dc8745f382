"""The PDCA improvement cycle (docs/architecture.md, "Lifecycles") as data; nothing here touches the
database."""

from __future__ import annotations

from capaflow.statemachines.lifecycle import FieldRule, Lifecycle, Step

STATES = ("plan", "do", "check", "act", "closed", "cancelled")

STEPS = (
    Step("execute", "plan", "do"),
    Step("measure", "do", "check"),
    Step("evaluate", "check", "act"),
    # Standardising a change that missed its target is the symptom-fix the method exists to
    # prevent: only a cycle whose target was met may become the new way of working.
    Step("standardize", "act", "closed", conditions=("target_met",)),
    Step("next_cycle", "act", "plan", after=("start_next_cycle",)),
    *(Step("cancel", state, "cancelled") for state in STATES[:4]),
)

FIELDS = {
    "execute": FieldRule(required=("target", "plan")),
    "measure": FieldRule(required=("result",)),
    "evaluate": FieldRule(required=("met",), optional=("analysis",)),
    "standardize": FieldRule(required=("standard",), optional=("lessons",)),
    "next_cycle": FieldRule(required=("reason",)),
    "cancel": FieldRule(required=("reason",)),
}

PDCA = Lifecycle(
    name="pdca",
    title="PDCA improvement cycle",
    states=STATES,
    initial="plan",
    final=("closed", "cancelled"),
    steps=STEPS,
    fields=FIELDS,
    choices={"met": ("true", "false")},
    condition_messages={
        "target_met": (
            "cycle {cycle} did not meet its target: standardize needs met=true; "
            "start the next cycle instead"
        ),
    },
    disciplines={
        "plan": "Plan",
        "do": "Do",
        "check": "Check",
        "act": "Act",
        "closed": "Standardised",
        "cancelled": "cancelled",
    },
)
