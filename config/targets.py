"""`[targets.<department>.<indicator>]` of the policies: the target of each indicator of the
monthly review, per department, with optional per-month overrides (docs/architecture.md,
"Service quality control").

Which indicators exist and what kind of figure each is (a share 0..1, or a count) is named
here, because the policies are checked before any service is loaded; the indicator's title,
direction and measurement method are the review's (targets/indicators.py), which a test holds
to this list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import Field

from capaflow.config.departments import DepartmentSection
from capaflow.config.sections import Number, Section, refuse

# indicator → the kind of its figure: a share is 0..1, a count is 0 or more.
INDICATORS: dict[str, Literal["share", "count"]] = {
    "sla_attainment": "share",
    "satisfaction": "share",
    "complaints": "count",
    "inspection_score": "share",
    "spotcheck_conformance": "share",
    "incidents": "count",
}

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
Figure = Annotated[Number, Field(ge=0)]


class TargetSection(Section):
    # The target of every month; `months` overrides it for the months it names.
    target: Figure
    months: dict[str, Figure] = {}

    def for_month(self, month: str) -> float:
        return self.months.get(month, self.target)


Targets = dict[str, dict[str, TargetSection]]


def check_targets(targets: Targets, departments: Mapping[str, DepartmentSection]) -> None:
    """Each department and indicator known, each month a YYYY-MM, each share within 0..1."""
    for code, indicators in targets.items():
        if code not in departments:
            known = ", ".join(departments) or "none"
            raise refuse(f"unknown department '{code}' (known: {known})", at=f"targets.{code}")
        for name, target in indicators.items():
            at = f"targets.{code}.{name}"
            kind = INDICATORS.get(name)
            if kind is None:
                raise refuse(f"unknown indicator '{name}' (known: {', '.join(INDICATORS)})",
                             at=at)
            for month in target.months:
                if not _MONTH.match(month):
                    raise refuse(f"'{month}' is not a month as YYYY-MM", at=f"{at}.months")
            if kind == "share":
                for key, value in (("target", target.target),
                                   *((f"months.{m}", v) for m, v in target.months.items())):
                    if value > 1:
                        raise refuse(f"{value:g} is a share: give it between 0 and 1",
                                     at=f"{at}.{key}")
