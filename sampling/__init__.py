"""Incoming-inspection sampling by ISO 2859-1:1999 (single sampling;
docs/architecture.md, "Quality rules").

`sampling.tables` holds the standard's tables as data; `sampling.plans` picks the plan for a
lot. Switching between normal, tightened and reduced inspection is decided elsewhere; this
package only answers "which plan, for this severity".
"""

from capaflow.sampling.plans import (
    SEVERITIES,
    Plan,
    SamplingInputError,
    Severity,
    aql_index,
    code_letter,
    plan,
)
from capaflow.sampling.tables import AQL_LABELS, LEVELS, Arrow

__all__ = [
    "AQL_LABELS",
    "LEVELS",
    "SEVERITIES",
    "Arrow",
    "Plan",
    "SamplingInputError",
    "Severity",
    "aql_index",
    "code_letter",
    "plan",
]
