"""`[departments]` of the policies: the departments of the service organisation, the positions
in each and the service desk teams whose people work there (docs/architecture.md, "Service
quality control").

Service standards are written per department and position, inspections and targets are per
department, and a person of the desk belongs to the department of their team. So a team may
belong to one department only, and a department's code is a name the CLI and the pages take.
"""

from __future__ import annotations

from pydantic import model_validator

from capaflow.config.sections import Names, Section, Text, refuse


def _is_code(text: str) -> bool:
    return bool(text) and text.replace("_", "").replace("-", "").isalnum() and len(text) <= 60


class DepartmentSection(Section):
    title: Text
    # The positions whose work the department's standards describe (receptionist, technician).
    positions: Names
    # The service desk teams ([service.categories] name them) whose people work here.
    teams: Names = ()

    @model_validator(mode="after")
    def _positions_named(self) -> DepartmentSection:
        if not self.positions:
            raise refuse("at least one position is needed", at="positions")
        for position in self.positions:
            if not _is_code(position):
                raise refuse(f"'{position}' is not a position code (letters, digits, _ and -)",
                             at="positions")
        if len(set(self.positions)) != len(self.positions):
            raise refuse("a position is listed twice", at="positions")
        return self


def check_departments(departments: dict[str, DepartmentSection]) -> None:
    """Codes well formed, and no team in two departments (a person has one department)."""
    owner: dict[str, str] = {}
    for code, department in departments.items():
        if not _is_code(code):
            raise refuse(f"'{code}' is not a department code (letters, digits, _ and -)",
                         at=f"departments.{code}")
        for team in department.teams:
            if team in owner:
                raise refuse(f"team '{team}' is already in department '{owner[team]}'",
                             at=f"departments.{code}.teams")
            owner[team] = code
