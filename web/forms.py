"""Reading an HTML form: the parsed form as a dependency, one text value of it, and the step
fields, which every step form names `field.NAME`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

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


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def choice_label(name: str, value: str) -> str:
    return CHOICE_LABELS.get((name, value), value.replace("_", " ").capitalize())
