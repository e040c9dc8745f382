"""The 8D lifecycle (docs/architecture.md, "Lifecycles") as data; nothing here touches the
database."""

from __future__ import annotations

from capaflow.statemachines.lifecycle import FieldRule, Lifecycle, Step

STATES = (
    "containment",
    "root_cause",
    "short_term_fix",
    "long_term_countermeasure",
    "effectiveness_tracking",
    "closed",
    "cancelled",
)

# The forward path; `reject` sends a submission back one step along it.
_FORWARD = (
    ("contain", "containment", "root_cause"),
    ("find_root_cause", "root_cause", "short_term_fix"),
    ("apply_short_term_fix", "short_term_fix", "long_term_countermeasure"),
    ("implement_countermeasure", "long_term_countermeasure", "effectiveness_tracking"),
)

STEPS = (
    *(Step(trigger, source, dest) for trigger, source, dest in _FORWARD),
    # Timed: only once the six-month window has passed with no recurrence.
    Step("close", "effectiveness_tracking", "closed", conditions=("effectiveness_window_over",)),
    # Recurrence inside the window: the countermeasure did not work; start again at D3.
    Step("reopen", "effectiveness_tracking", "containment", after=("count_reopen",)),
    # The same, reported only after the window's end closed the case as effective (a customer
    # return, a back-dated import): the closure was wrong. Only a case closed by `close` (a
    # cancelled case stays cancelled), and only with a recorded defect of its key that
    # occurred inside the window its close ended (docs/architecture.md, "Quality rules").
    Step("reopen", "closed", "containment", conditions=("recurrence_inside_window",),
         after=("count_reopen",)),
    *(Step("reject", dest, source) for _trigger, source, dest in _FORWARD),
    *(Step("cancel", state, "cancelled") for state in STATES[:5]),
)

CATEGORIES = ("man", "machine", "material", "method", "environment", "measurement")

FIELDS = {
    "contain": FieldRule(required=("containment",), optional=("verification",)),
    "find_root_cause": FieldRule(
        required=("root_cause", "escape_point", "category"), optional=("complexity",)
    ),
    "apply_short_term_fix": FieldRule(required=("short_term_fix",), optional=("verification",)),
    "implement_countermeasure": FieldRule(
        required=("countermeasure",), optional=("verification", "prevention")
    ),
    "close": FieldRule(optional=("lessons", "prevention")),
    "reopen": FieldRule(optional=("reason", "defect")),
    "reject": FieldRule(required=("reason",)),
    "cancel": FieldRule(required=("reason",)),
}

EIGHT_D = Lifecycle(
    name="8d",
    title="8D corrective action",
    states=STATES,
    initial="containment",
    final=("closed", "cancelled"),
    steps=STEPS,
    fields=FIELDS,
    choices={"category": CATEGORIES, "complexity": ("general", "complex")},
    timed_close={
        "effectiveness_window": (
            "The effectiveness window ended with no recurrence: the countermeasure is "
            "effective.", {},
        ),
    },
    condition_messages={
        "effectiveness_window_over": (
            "the effectiveness window runs until {window_end}: close is timed and allowed "
            "only once it is over with no recurrence"
        ),
        "recurrence_inside_window": (
            "a case closed as effective is reopened only by a recurrence: a recorded defect "
            "of its supplier, part and defect code that occurred inside its effectiveness "
            "window ({window_start} to {window_end}); there is none"
        ),
    },
    disciplines={
        "containment": "D3 containment",
        "root_cause": "D4 root cause",
        "short_term_fix": "D5 short-term fix",
        "long_term_countermeasure": "D6 long-term countermeasure",
        "effectiveness_tracking": "D7 effectiveness and prevention",
        "closed": "D8 closure",
        "cancelled": "cancelled",
    },
)
