"""/people: the people requests are dispatched to, and their absences (servicedesk.register),
as `capa person add|absent|list` (documents.service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from capaflow.api.schemas import NewAbsence, NewPerson
from capaflow.calendars import parse_instant
from capaflow.documents.service import PersonPublic, person_document
from capaflow.errors import BadInput
from capaflow.servicedesk.register import (
    absences_of,
    add_person,
    get_person,
    list_people,
    mark_absent,
)
from capaflow.serving.context import NowDep, PrincipalDep, SessionDep
from capaflow.serving.desk import require_desk_manager, require_desk_reader

router = APIRouter(prefix="/people", tags=["service desk"])

PersonName = Annotated[str, Path(max_length=100, description="The person's name.")]


@router.get("")
def list_route(session: SessionDep, principal: PrincipalDep) -> list[PersonPublic]:
    """Everyone the desk dispatches to, by team and name, with their absences."""
    require_desk_reader(principal)
    return [person_document(p, absences_of(session, p.id) if p.id is not None else ())
            for p in list_people(session)]


@router.post("", status_code=201)
def add_route(body: NewPerson, session: SessionDep, now: NowDep,
              principal: PrincipalDep) -> PersonPublic:
    """Add a person to a team, with their skills (service and desk managers)."""
    require_desk_manager(principal)
    person = add_person(session, name=body.name.strip(), team=body.team.strip(),
                        skills=",".join(body.skills), lead=body.lead, now=now)
    return person_document(person)


@router.post("/{name}/absences", status_code=201)
def absent_route(name: PersonName, body: NewAbsence, session: SessionDep, now: NowDep,
                 principal: PrincipalDep) -> PersonPublic:
    """Mark a person absent from `from` to `to`: dispatch skips them meanwhile."""
    require_desk_manager(principal)
    try:
        starts_at = parse_instant(body.starts_at, field="from")
        ends_at = parse_instant(body.ends_at, field="to")
    except ValueError as exc:
        field = "from" if str(exc).startswith("from") else "to"
        raise BadInput(str(exc), field=field) from exc
    absence = mark_absent(session, name=name, starts_at=starts_at, ends_at=ends_at, now=now)
    return person_document(get_person(session, name), absences_of(session, absence.person_id))
