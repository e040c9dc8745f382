"""`[spotchecks]` of the policies: the weekly draw of closed service requests for review
against the standard (docs/architecture.md, "Service quality control").

A person's requests closed in the week are sampled at `rate`, at least `minimum` of them
(capped at what they closed). Each drawn request is a spot-check owed by its reviewer within
`review_within`: the department's named reviewer, else the lead of the person's team, else
`reviewer`. A failed item gives the person a training item due `training_due` later.

`[spotchecks.positions]` names, per department, the position whose standard a closed
request is reviewed against: the people register keeps a person's team (and so department)
but no position, and the requests a department closes are the work of one position there
(the desk's agents, the field's technicians).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from capaflow.calendars import Duration
from capaflow.config.departments import DepartmentSection
from capaflow.config.sections import DurationText, Name, Section, refuse


class SpotchecksSection(Section):
    rate: Annotated[float, Field(strict=True, gt=0.0, le=1.0, allow_inf_nan=False)] = 0.05
    minimum: Annotated[int, Field(strict=True, ge=0, le=1000)] = 2
    review_within: DurationText = Duration(5, "bd")
    training_due: DurationText = Duration(14, "d")
    # Who reviews when the department names nobody and the team has no lead.
    reviewer: Name = "service_manager"
    # department → the person who reviews its spot-checks.
    reviewers: dict[str, Name] = {}
    # department → the position its closed requests are reviewed against.
    positions: dict[str, Name] = {}


def check_spotchecks(section: SpotchecksSection,
                     departments: dict[str, DepartmentSection]) -> None:
    """Every department named exists, and every position is one of its department's."""
    for code in section.reviewers:
        if code not in departments:
            raise refuse(f"'{code}' is not a department ({', '.join(departments)})",
                         at=f"spotchecks.reviewers.{code}")
    for code, position in section.positions.items():
        department = departments.get(code)
        if department is None:
            raise refuse(f"'{code}' is not a department ({', '.join(departments)})",
                         at=f"spotchecks.positions.{code}")
        if position not in department.positions:
            raise refuse(f"'{position}' is not a position of {code} "
                         f"({', '.join(department.positions)})",
                         at=f"spotchecks.positions.{code}")
