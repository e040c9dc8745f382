"""The step forms, the quality team's and the supplier's alike: what a form shows (its step,
fields, labels) and what was typed into it, and reading it back: the parsed form as a
dependency, one text value of it, and the step fields, which every step form names
`field.NAME`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from capaflow.statemachines import Lifecycle
from capaflow.statemachines.guards import field_meaning

FIELD_PREFIX = "field."


async def _form(request: Request) -> FormData:
    # Starlette parses the body once and keeps it (the CSRF check has read it already).
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def form_text(form: FormData, name: str) -> str:
    """The text of one field; "" when missing or an uploaded file (nothing here takes files)."""
    found = form.get(name)
    return found if isinstance(found, str) else ""


# How a step's fields and their choices read on a form (the quality team's and the supplier's
# alike); a field not named here reads as its name.
FIELD_LABELS = {
    "containment": "Containment actions",
    "verification": "How it was verified",
    "root_cause": "Root cause (why it occurred)",
    "escape_point": "Escape point (why it was not detected)",
    "category": "5M1E category",
    "complexity": "Complexity of the cause",
    "short_term_fix": "Short-term fix",
    "countermeasure": "Long-term countermeasure",
    "prevention": "How a recurrence is prevented",
    "met": "Target met?",
}
CHOICE_LABELS = {
    ("category", "man"): "Man (people)",
    ("complexity", "general"): "General cause",
    ("complexity", "complex"): "Complex cause (the longer countermeasure deadline)",
    ("met", "true"): "Yes, the target was met",
    ("met", "false"): "No, the target was missed",
}


# How each step reads on its form; a step not named here reads as its trigger.
STEP_LABELS = {
    "contain": "Containment in place (D3)",
    "find_root_cause": "Root cause found (D4)",
    "apply_short_term_fix": "Short-term fix applied (D5)",
    "implement_countermeasure": "Countermeasure implemented (D6)",
    "close": "Close",
    "reopen": "Reopen: the defect recurred",
    "reject": "Send back one step",
    "cancel": "Cancel",
    "execute": "Plan ready: carry it out (Do)",
    "measure": "Result measured (Check)",
    "evaluate": "Evaluated against the target (Act)",
    "standardize": "Standardise and close",
    "next_cycle": "Start the next cycle",
    "submit": "Record the supplier's report",
    "accept": "Accept the report",
}
# Free text that is usually one line; everything else gets a text area.
_SHORT_FIELDS = frozenset({"finding", "findings", "auditors", "site", "defect"})


@dataclass(frozen=True)
class FieldInput:
    name: str
    label: str
    hint: str
    required: bool
    choices: tuple[tuple[str, str], ...] = ()  # (value, label); empty: free text
    multiline: bool = True


@dataclass(frozen=True)
class StepForm:
    trigger: str
    label: str
    fields: tuple[FieldInput, ...]
    # What the quality team's forms say beyond the step's fields:
    dest: str = ""  # the state the step leads to
    signed: bool = False  # a signed decision: the password is asked for
    meaning: str | None = None  # what the signature means
    danger: bool = False  # ends or undoes work: the button says so


@dataclass
class Kept:
    """What the person typed, shown again after a refusal (never the password): the form it
    was typed into, the step, its fields, and the form's other values (the note, ...)."""

    form: str = ""
    trigger: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


def step_label(trigger: str) -> str:
    return STEP_LABELS.get(trigger, trigger.replace("_", " ").capitalize())


def field_input(lifecycle: Lifecycle, name: str, *, required: bool) -> FieldInput:
    """A step field as its form shows it: label, hint, and its choices if it has any."""
    choices = tuple(
        (value, choice_label(name, value))
        for value in lifecycle.choices.get(name, ())
    )
    hint = field_meaning(name)
    return FieldInput(
        name=name, label=field_label(name),
        # No hint where the engine has no words beyond the field's own name.
        hint="" if hint == name.replace("_", " ") else hint, required=required,
        choices=choices,
        multiline=name not in _SHORT_FIELDS,
    )


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def choice_label(name: str, value: str) -> str:
    return CHOICE_LABELS.get((name, value), value.replace("_", " ").capitalize())
