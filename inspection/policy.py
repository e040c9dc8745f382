"""The `[inspection]` policy in force, checked: default AQL and level, reduced-inspection approval.

The typed `[inspection]` section (config.policies) checks the types and bounds; this module
adds the sampling tables' knowledge (the AQL series, the inspection levels). A bad value in a
site's override file is refused with its key path (`inspection.default_aql`) before anything
is read or written, like the other policies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from capaflow.config.policies import InspectionSection, validate_section
from capaflow.errors import BadInput
from capaflow.inspection.switching import SCORE_TO_REDUCED, SwitchRules
from capaflow.inspection.values import check_aql, check_level

# ISO 2859-1's general inspection levels, from the smallest samples to the largest.
GENERAL_LEVELS = ("I", "II", "III")


@dataclass(frozen=True)
class InspectionPolicy:
    # Used when a lot or a plan request names no AQL / inspection level. The AQL is kept as the
    # standard prints it ("1.0"); TOML may give it as a number.
    default_aql: str = "1.0"
    default_level: str = "II"
    # ISO 2859-1 9.3.3.2 c): reduced inspection only when the responsible authority considers
    # it desirable. Off by default: a site decides that, the software does not.
    reduced_approved: bool = False
    # ISO 2859-1 9.3.3.2 a): the switching score at which normal may go to reduced.
    switching_score_to_reduced: int = SCORE_TO_REDUCED
    # Wider sampling for a supplier rated not cooperative: this general level at the least
    # ("" for none). Stricter comes from switching (tightened at the least).
    not_cooperative_level: str = "III"
    # The site's zone (from [calendar], not [inspection]): a month's cooperation rating
    # applies to that month on the site's clock, as the grades do.
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        # Checked here rather than only in the loader, so a policy built in code (a flow, a
        # test) cannot carry a value the TOML would have been refused for.
        try:
            aql = check_aql(self.default_aql)
            level = check_level(self.default_level)
        except BadInput as error:
            field = f"inspection.default_{error.field}"
            raise BadInput(f"inspection.default_{error.message}", field=field) from None
        object.__setattr__(self, "default_aql", aql)
        object.__setattr__(self, "default_level", level)
        if self.not_cooperative_level:
            wider = self.not_cooperative_level.strip().upper()
            if wider not in GENERAL_LEVELS:
                raise BadInput(
                    "inspection.not_cooperative_level: must be a general inspection level "
                    f"({', '.join(GENERAL_LEVELS)}) or \"\" for none "
                    f"(got {self.not_cooperative_level!r})",
                    field="inspection.not_cooperative_level",
                )
            object.__setattr__(self, "not_cooperative_level", wider)
        # The other values are checked by the typed model, as they are when read from TOML.
        validate_section("inspection", InspectionSection, {
            "reduced_approved": self.reduced_approved,
            "switching_score_to_reduced": self.switching_score_to_reduced,
        })

    def level_for(self, level: str, *, not_cooperative: bool) -> tuple[str, str | None]:
        """The inspection level a lot is sampled at, and why when it was raised.

        A not-cooperative supplier's lot planned at a lower general level is sampled at
        `not_cooperative_level`; special levels and higher levels stay as planned.
        """
        wider = self.not_cooperative_level
        if (not not_cooperative or not wider or level not in GENERAL_LEVELS
                or GENERAL_LEVELS.index(level) >= GENERAL_LEVELS.index(wider)):
            return level, None
        return wider, (
            f"level raised from {level} to {wider}: the supplier is rated not cooperative, "
            "so its lots are sampled wider as well as stricter"
        )

    @property
    def switch_rules(self) -> SwitchRules:
        return SwitchRules(
            reduced_approved=self.reduced_approved,
            score_to_reduced=self.switching_score_to_reduced,
        )


def load_inspection_policy(section: Any, *, timezone: str = "UTC") -> InspectionPolicy:
    """`policies["inspection"]` as an InspectionPolicy; BadInput naming the key if bad."""
    # The zone is the calendar's, never set in [inspection]: the typed section refuses it.
    typed = validate_section("inspection", InspectionSection, section)
    return InspectionPolicy(**typed.model_dump(), timezone=timezone)
