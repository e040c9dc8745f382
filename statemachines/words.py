"""The words people read for the names the engine keeps: states, steps, lifecycles, roles,
notice kinds and field names (`root_cause` → "root cause", `effectiveness_tracking` →
"effectiveness check").

Pages, notices and tables say these; the JSON documents and the command line keep the names,
which are the contract scripts read (docs/architecture.md, "Contracts").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

# Where "replace the underscores" would read wrong or say too little. Everything else reads
# as its name with spaces.
_WORDS: Final[Mapping[str, str]] = {
    # 8D states and steps
    "short_term_fix": "short-term fix",
    "long_term_countermeasure": "long-term countermeasure",
    "effectiveness_tracking": "effectiveness check",
    "apply_short_term_fix": "apply short-term fix",
    "reject": "send back",
    # lifecycles
    "8d": "8D",
    "pdca": "PDCA",
    "spotcheck": "spot-check",
    "one_off": "one-off",
    # what a supplier is asked for when its grade falls
    "meeting_quality_contact": "meeting with the supplier's quality contact",
    "meeting_quality_head": "meeting with the supplier's head of quality",
    "meeting_executive": "meeting with the supplier's executive",
    "on_site_audit": "on-site audit",
    # roles and audiences
    "supplier_contact": "the supplier's quality contact",
    "supplier_quality_head": "the supplier's head of quality",
    "supplier_executive": "the supplier's executive",
    # notice kinds, defect classes
    "one_off_defect": "one-off defect",
}


def say(name: str | None) -> str:
    """`name` in words ("" for none): the table above, else lower case with spaces."""
    if not name:
        return ""
    known = _WORDS.get(name) or _WORDS.get(name.lower())
    if known is not None:
        return known
    return name.replace("_", " ").lower() if name.isupper() else name.replace("_", " ")


def say_value(value: object) -> str:
    """A field's value as a person writes it: a list as "lena, marco", not "['lena', 'marco']";
    a mapping as "key: value; ..."; anything else as its text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return "; ".join(f"{say(str(k))}: {say_value(v)}" for k, v in value.items())
    if isinstance(value, Sequence):
        return ", ".join(say_value(v) for v in value)
    return str(value)
