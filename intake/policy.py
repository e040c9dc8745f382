"""The `[intake]` policy in force, checked: what the intake does with a defect it cannot match.

A bad value in a site's override file is refused with its key path (`intake.inspection_lots`)
before the intake reads or writes anything, like the deadline policies.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from capaflow.errors import BadInput


@dataclass(frozen=True)
class IntakePolicy:
    # A defect matching no open case, or only a case closed as effective, opens a new 8D case;
    # off, the defect is only recorded (a site that opens cases by hand after triage).
    open_new_case: bool = True
    # How many of the supplier's next lots of the part are inspected 100 %
    # (docs/architecture.md, "Quality rules": 3).
    inspection_lots: int = 3

    def __post_init__(self) -> None:
        # Checked here rather than only in the loader, so a policy built in code (a flow, a
        # test) cannot carry a value the TOML would have been refused for.
        if not isinstance(self.open_new_case, bool):
            raise BadInput(
                f"intake.open_new_case: must be true or false (got {self.open_new_case!r})",
                field="intake.open_new_case",
            )
        # bool is an int in Python; `inspection_lots = true` is a typo, not one lot.
        lots = self.inspection_lots
        if isinstance(lots, bool) or not isinstance(lots, int) or lots < 1:
            raise BadInput(
                f"intake.inspection_lots: must be a whole number of lots, at least 1 "
                f"(got {lots!r})",
                field="intake.inspection_lots",
            )


_KEYS = tuple(f.name for f in fields(IntakePolicy))


def load_intake_policy(section: Any) -> IntakePolicy:
    """`policies["intake"]` (the merged `[intake]` table) as an IntakePolicy; BadInput if bad."""
    if section is None:
        return IntakePolicy()
    if not isinstance(section, dict):
        raise BadInput("intake: expected a table ([intake])", field="intake")
    for key in section:
        # A misspelt key would otherwise be ignored silently and the default would apply.
        if key not in _KEYS:
            raise BadInput(
                f"intake.{key}: not an intake setting ({', '.join(_KEYS)})",
                field=f"intake.{key}",
            )
    return IntakePolicy(**section)
