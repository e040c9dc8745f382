"""A work item under three-level checks (docs/architecture.md, "Service quality control"):
a job, an installation or a service visit, checked by the team that did it (self), by the
next team, which receives it (mutual), and by a specialist against the standard (specialist),
in that order.

in_work → self_checked → mutual_checked → accepted, plus rework and cancelled.

A passed check is its level's trigger (`self_check`, `mutual_check`, `specialist_check`),
each allowed only in the state the level before it left, so the machine holds the order. A
failed check of any level is `fail_check` (with its `level`), which sends the item to
`rework`: one destination per trigger and state, as every lifecycle has (a step's
destination says whether it is a signed decision, casework.engine.needs_signature). From
`rework` the checks start again from `self`: `submit` hands the item back for work, or the
next `self_check` is taken there.
"""

from __future__ import annotations

from capaflow.statemachines.lifecycle import FieldRule, Lifecycle, Step

STATES = ("in_work", "self_checked", "mutual_checked", "rework", "accepted", "cancelled")
OPEN_STATES = ("in_work", "self_checked", "mutual_checked", "rework")

# The three levels in their order, each with its trigger and the state it passes from.
LEVELS = ("self", "mutual", "specialist")
TRIGGER_OF = {"self": "self_check", "mutual": "mutual_check", "specialist": "specialist_check"}


FAIL = "fail_check"

STEPS = (
    Step("self_check", "in_work", "self_checked"),
    Step("self_check", "rework", "self_checked"),
    Step("mutual_check", "self_checked", "mutual_checked"),
    Step("specialist_check", "mutual_checked", "accepted"),
    *(Step(FAIL, s, "rework") for s in ("in_work", "self_checked", "mutual_checked", "rework")),
    Step("submit", "rework", "in_work"),
    *(Step("cancel", s, "cancelled") for s in OPEN_STATES),
)

_CHECK = FieldRule(required=("result", "by"), optional=("note", "failed_items", "team"))
FIELDS = {
    "self_check": _CHECK,
    "mutual_check": _CHECK,
    "specialist_check": _CHECK,
    FAIL: FieldRule(required=("level", "result", "by"), optional=("note", "failed_items", "team")),
    "submit": FieldRule(optional=("reason",)),
    "cancel": FieldRule(required=("reason",)),
}

WORK_ITEM = Lifecycle(
    name="work_item",
    title="Work item (three-level checks)",
    states=STATES,
    initial="in_work",
    final=("accepted", "cancelled"),
    steps=STEPS,
    fields=FIELDS,
    choices={"result": ("pass", "fail"), "level": LEVELS},
    disciplines={
        "in_work": "in work, self check owed",
        "self_checked": "self check passed, mutual check owed (the next team)",
        "mutual_checked": "mutual check passed, specialist check owed",
        "rework": "a check failed: rework, then the checks start again from self",
        "accepted": "all three checks passed",
        "cancelled": "cancelled",
    },
    notify_supplier=False,
    keeps=(),
    opened_by="the work checks: capa work open or POST /api/v1/work-items",
    stepped_by="the work checks: capa work check or /api/v1/work-items/{id}/check",
)
