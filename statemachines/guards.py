"""A trigger needs its content: which fields, and which values are allowed."""

from __future__ import annotations

from collections.abc import Mapping

from capaflow.errors import BadInput, refuse_nul
from capaflow.statemachines.lifecycle import Lifecycle

# Long enough for a real 8D write-up, short enough that a pasted file is refused, not stored.
MAX_FIELD_LENGTH = 20_000


def check_fields(lifecycle: Lifecycle, trigger: str, fields: Mapping[str, str]) -> dict[str, str]:
    """The step's content, trimmed; BadInput naming the first missing or bad field."""
    rule = lifecycle.fields.get(trigger)
    required = rule.required if rule else ()
    optional = rule.optional if rule else ()
    accepted = (*required, *optional)
    cleaned: dict[str, str] = {}
    for name, raw in fields.items():
        if name not in accepted:
            known = ", ".join(accepted) if accepted else "none"
            raise BadInput(
                f"field '{name}' is not part of '{trigger}' (it takes: {known})", field=name
            )
        value = refuse_nul(name, raw.strip())
        if len(value) > MAX_FIELD_LENGTH:
            raise BadInput(
                f"field '{name}' is {len(value)} characters long; at most {MAX_FIELD_LENGTH}",
                field=name,
            )
        choices = lifecycle.choices.get(name)
        if choices is not None and value:
            value = value.lower()
            if value not in choices:
                raise BadInput(
                    f"field '{name}' must be one of {', '.join(choices)} (got '{raw}')",
                    field=name,
                )
        cleaned[name] = value
    for name in required:
        if not cleaned.get(name):
            raise BadInput(f"'{trigger}' needs the field '{name}' ({field_meaning(name)})",
                           field=name)
    return cleaned


# What each field means, so a missing one is explained in the quality lead's words.
_MEANINGS = {
    "containment": "the emergency containment actions taken",
    "root_cause": "why the defect occurred",
    "escape_point": "why it was not detected: where it should have been caught",
    "category": "the 5M1E factor: man, machine, material, method, environment, measurement",
    "short_term_fix": "the fix applied until the countermeasure is in place",
    "countermeasure": "the long-term countermeasure that was implemented",
    "reason": "why",
    "target": "a measurable goal",
    "plan": "what will be done to reach the target",
    "result": "the measured result",
    "met": "true or false: was the target met",
    "standard": "what becomes the new way of working",
    "minutes": "what was said and agreed at the meeting",
    "attendees": "who took part, ours and the supplier's",
}


def field_meaning(name: str) -> str:
    """What a step's field asks for, in the words refusals and forms use."""
    return _MEANINGS.get(name, name.replace("_", " "))
