"""Importing service requests from a CSV file (a call-centre export, a back-dated batch):
every row checked, good rows taken in, bad rows listed.

Header: `customer,kind,severity,category,channel,title,description,received_at,assignee`
(description, received_at and assignee may be left out). As for defects (intake.csvimport),
a file whose header is wrong is refused whole; otherwise each good row is taken in through
`open_request` in its own transaction, at its `received_at` (so its SLA clocks run from when
the customer called, not from the import), and each bad row is listed with its line and
field. Each row keeps an import key, so importing the file again takes in only what is new.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from capaflow import csvfiles
from capaflow.calendars import parse_instant
from capaflow.csvfiles import Rejection, RowProblem, read_rows
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, CapaError
from capaflow.models import ServiceRequest
from capaflow.servicedesk.policy import ServiceDesk
from capaflow.servicedesk.requests import open_request

COLUMNS = ("customer", "kind", "severity", "category", "channel", "title", "description",
           "received_at", "assignee")
REQUIRED = ("customer", "kind", "severity", "category", "channel", "title")


@dataclass(frozen=True)
class ImportedRequest:
    line: int
    request: int
    assignee: str | None


@dataclass
class ImportReport(csvfiles.ImportReport):
    imported: list[ImportedRequest] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def _received_at(text: str, now: datetime) -> datetime:
    try:
        when = parse_instant(text, field="received_at")
    except ValueError as exc:
        raise BadInput(str(exc), field="received_at") from None
    if when > now:
        raise BadInput(f"received_at: {text} is in the future", field="received_at")
    return when


def _key(values: dict[str, str], seen: Counter[str]) -> str:
    content = "|".join(values.get(c, "").strip() for c in COLUMNS)
    seen[content] += 1
    return hashlib.sha256(f"{content}#{seen[content]}".encode()).hexdigest()


def import_requests(
    path: str | Path,
    *,
    transaction: Callable[[], AbstractContextManager[Session]],
    desk: ServiceDesk,
    policy: DeadlinePolicy,
    actor: str,
    now: datetime,
) -> ImportReport:
    """Take in every good row of the file, each in its own `transaction()`."""
    report = ImportReport(file=str(path))
    seen: Counter[str] = Counter()
    for item in read_rows(path, columns=COLUMNS, required=REQUIRED,
                          what="a service request import"):
        report.rows += 1
        if isinstance(item, RowProblem):
            report.rejected.append(Rejection(item.line, None, item.message))
            continue
        values = item.values
        key = _key(values, seen)
        try:
            received = (_received_at(values["received_at"], now)
                        if values.get("received_at", "").strip() else now)
            with transaction() as session:
                if session.exec(select(ServiceRequest.case_id)
                                .where(ServiceRequest.import_key == key)).first() is not None:
                    report.skipped.append(item.line)
                    continue
                opened = open_request(
                    session, desk=desk, policy=policy,
                    customer=values.get("customer", "").strip(),
                    kind=values.get("kind", "").strip().lower(),
                    severity=values.get("severity", "").strip(),
                    category=values.get("category", "").strip().lower(),
                    channel=values.get("channel", "").strip().lower(),
                    title=values.get("title", ""), description=values.get("description"),
                    assignee=values.get("assignee", "").strip() or None,
                    actor=actor, now=received,
                )
                session.execute(update(ServiceRequest)
                                .where(col(ServiceRequest.case_id) == opened.request.case_id)
                                .values(import_key=key))
        except IntegrityError:
            report.skipped.append(item.line)
            continue
        except CapaError as error:
            report.rejected.append(Rejection(item.line, error.field, error.message,
                                             error.code))
            continue
        report.imported.append(ImportedRequest(item.line, opened.request.case_id,
                                               opened.case.owner))
    report.rejected.sort(key=lambda r: r.line)
    return report
