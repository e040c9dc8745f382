"""The quality inspection round and its finding (docs/architecture.md, "Service quality
control") as data; nothing here touches the database.

A round is owed by its inspector until recorded against the standard; it closes by itself
when its last finding closes (at once when nothing failed). A finding is one failed item,
open until its owner says what was done.

round:   owed → recorded → closed, plus cancelled (an owed round nobody will inspect).
finding: open → closed, plus cancelled.
"""

from __future__ import annotations

from capaflow.statemachines.lifecycle import FieldRule, Lifecycle, Step

ROUND = Lifecycle(
    name="round",
    title="Quality inspection round",
    states=("owed", "recorded", "closed", "cancelled"),
    initial="owed",
    final=("closed", "cancelled"),
    steps=(
        Step("record", "owed", "recorded"),
        Step("close", "recorded", "closed"),
        Step("cancel", "owed", "cancelled"),
    ),
    fields={
        "record": FieldRule(required=("score", "standard_version"), optional=("failed",)),
        "close": FieldRule(optional=("reason",)),
        "cancel": FieldRule(required=("reason",)),
    },
    disciplines={
        "owed": "owed by its inspector",
        "recorded": "recorded, findings open",
        "closed": "closed",
        "cancelled": "cancelled",
    },
    notify_supplier=False,
    opened_by="capa round open, capa round plan, /rounds or POST /api/v1/rounds",
    stepped_by="capa round record, /rounds/{id} or POST /api/v1/rounds/{id}/record",
    keeps=("score", "standard_version"),
)

FINDING = Lifecycle(
    name="finding",
    title="Inspection finding",
    states=("open", "closed", "cancelled"),
    initial="open",
    final=("closed", "cancelled"),
    steps=(
        Step("close", "open", "closed"),
        Step("cancel", "open", "cancelled"),
    ),
    fields={
        "close": FieldRule(required=("action",)),
        "cancel": FieldRule(required=("reason",)),
    },
    disciplines={"open": "fix owed by its owner", "closed": "fixed", "cancelled": "cancelled"},
    notify_supplier=False,
    opened_by="capa round record (a failed item), /rounds/{id} or the API",
    stepped_by="capa finding close, /findings or POST /api/v1/findings/{id}/close",
    keeps=("action",),
)
