"""A round's or finding's case as it stands now. The engine writes a step with a statement of
its own (casework.engine: detached objects, version-checked), so the session's copy of a case
read before the step is stale; this reads the row again."""

from __future__ import annotations

from sqlmodel import Session

from capaflow.errors import case_not_found, check_id
from capaflow.models import Case
from capaflow.models.queries import read_case


def case_now(session: Session, case_id: int) -> Case:
    case = read_case(session, check_id("case", case_id))
    if case is None:
        raise case_not_found(case_id)
    return case
