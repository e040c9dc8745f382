"""The CSV imports on the pages: inspected lots on /lots (`capa inspect import`) and defects on
/defects, the nonconformance list (`capa defect import`). The file is uploaded, run through
the same import the CLI runs (each row its own transaction, a lot or defect already recorded
skipped), and the page shows the same short summary the CLI prints, with the refused rows by
line number (docs/architecture.md, "Supplier-quality forms").

A file refused whole (none chosen, larger than UPLOAD_LIMIT, a header the import does not
know) is a 422 with the field named and nothing written. Writers only: a viewer sees no form
and is refused (403) before the file is read.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, select
from starlette.datastructures import FormData, UploadFile

from capaflow.csvfiles import Rejection
from capaflow.errors import BadInput
from capaflow.inspection import COLUMNS as LOT_COLUMNS
from capaflow.inspection import import_lots, load_inspection_policy
from capaflow.inspection.csvimport import summarize_lots
from capaflow.intake import COLUMNS as DEFECT_COLUMNS
from capaflow.intake import import_defects, load_intake_policy
from capaflow.intake.csvimport import summarize
from capaflow.models import Notification
from capaflow.models.db import session_scope
from capaflow.serving.context import ApiContext, ContextDep, NowDep, SessionDep
from capaflow.web.auth import StaffDep
from capaflow.web.csrf import CsrfChecked
from capaflow.web.forms import FormDep
from capaflow.web.pages import incoming, nonconformances
from capaflow.web.quality_forms import Problem, require_quality_writer
from capaflow.web.render import TEMPLATES

router = APIRouter(tags=["pages"], include_in_schema=False)

# An upload is kept to what a person sends from a browser: a few thousand rows are well under
# a megabyte, so 8 MB refuses a wrong file (a video, an export of everything) before it is
# written to disk; the CLI reads larger files from the disk it already has.
UPLOAD_LIMIT = 8 * 1024 * 1024
# The header each form names (templates/csv_import.html), from the importers themselves, on
# /lots and /defects whichever route renders them.
TEMPLATES.env.globals["lot_columns"] = ",".join(LOT_COLUMNS)
TEMPLATES.env.globals["defect_columns"] = ",".join(DEFECT_COLUMNS)
# The refused rows listed on the page; the rest are counted.
REFUSED_SHOWN = 50


@contextmanager
def _uploaded(form: FormData) -> Iterator[tuple[Path, str]]:
    """The uploaded CSV in a temporary file (the imports read a file, as the CLI's do), and
    the name it was sent under; removed afterwards."""
    given = form.get("file")
    if not isinstance(given, UploadFile) or not given.filename:
        raise BadInput("file: choose a CSV file to import", field="file")
    # One byte over the limit is enough to refuse it: the rest is never read.
    content = given.file.read(UPLOAD_LIMIT + 1)
    if len(content) > UPLOAD_LIMIT:
        raise BadInput(f"file: larger than {UPLOAD_LIMIT // (1024 * 1024)} MB; split it, or "
                       "import it with the CLI", field="file")
    name = Path(given.filename).name[:200] or "upload.csv"
    with tempfile.TemporaryDirectory(prefix="capa-import-") as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(content)
        try:
            yield path, name
        except BadInput as exc:
            # The file as the person knows it, not the server's temporary copy.
            raise BadInput(exc.message.replace(str(path), name), field=exc.field) from exc


def _transactions(ctx: ApiContext) -> Callable[[], AbstractContextManager[Session]]:
    return lambda: session_scope(ctx.engine)


def _refused(rejections: list[Rejection]) -> tuple[list[Rejection], int]:
    return rejections[:REFUSED_SHOWN], max(0, len(rejections) - REFUSED_SHOWN)


def _lines(lines: list[int]) -> str:
    return ", ".join(str(n) for n in lines[:10]) + (", ..." if len(lines) > 10 else "")


@router.post("/lots/import", dependencies=[CsrfChecked])
def import_lots_form(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                     principal: StaffDep, form: FormDep) -> Response:
    """`capa inspect import` from the page: every row recorded as `inspect record` does."""
    require_quality_writer(principal)
    # Each row is its own transaction on its own session: the request's read so far ends
    # here, so it holds nothing the rows wait for.
    session.commit()
    try:
        with _uploaded(form) as (path, name):
            report = import_lots(
                path, transaction=_transactions(ctx), actor=principal.actor, now=now,
                policy=load_inspection_policy(ctx.policies.get("inspection"),
                                              timezone=ctx.deadline_policy.calendar.timezone),
                intake_policy=load_intake_policy(ctx.policies.get("intake")),
                deadline_policy=ctx.deadline_policy,
            )
    except BadInput as exc:
        return incoming._lots_page(request, session, principal=principal, now=now,
                                   status=422, import_problem=Problem.of(exc, "import"))
    summary = summarize_lots(report)
    said = [
        f"Imported {summary.imported} of {summary.rows} rows from {name} "
        f"({summary.accepted} accepted, {summary.not_accepted} rejected); "
        f"{summary.skipped} already present.",
    ]
    if summary.switched:
        said.append(f"{summary.switched} lot(s) switched their part's inspection severity.")
    if summary.cases:
        said.append("Rejected lots opened or counted on case(s) "
                    + ", ".join(f"#{c}" for c in summary.cases) + ".")
    if summary.flagged:
        said.append(f"{len(summary.flagged)} lot(s) FLAGGED for their delivery documents or "
                    f"production-lot order (line {_lines(summary.flagged)}); their suppliers "
                    "notified.")
    if summary.rejected_lines:
        said.append(f"Refused: {len(summary.rejected_lines)} row(s) (line "
                    f"{_lines(summary.rejected_lines)}); the other rows stay imported. Fix "
                    "them and import the file again: the lots already in are skipped.")
    shown, more = _refused(report.rejected)
    return incoming._lots_page(request, session, principal=principal, now=now,
                               import_said=said, import_refused=shown, import_more=more)


def _notices(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Notification)).one())


@router.post("/defects/import", dependencies=[CsrfChecked])
def import_defects_form(request: Request, session: SessionDep, now: NowDep, ctx: ContextDep,
                        principal: StaffDep, form: FormDep) -> Response:
    """`capa defect import` from the nonconformance list, with the CLI's summary."""
    require_quality_writer(principal)
    queued_before = _notices(session)
    session.commit()  # as above: the rows' transactions wait for nothing of this request
    try:
        with _uploaded(form) as (path, name):
            report = import_defects(
                path, transaction=_transactions(ctx), actor=principal.actor, now=now,
                policy=ctx.deadline_policy,
                intake_policy=load_intake_policy(ctx.policies.get("intake")),
            )
    except BadInput as exc:
        return nonconformances._list_page(
            request, session, principal=principal, now=now,
            typed=nonconformances._typed({}), page_text=None, status=422,
            import_problem=Problem.of(exc, "import"))
    summary = summarize(report, notices=_notices(session) - queued_before)
    said = [
        f"Imported {name}: {summary.rows} rows read, {summary.recorded} defects recorded"
        + (f", {summary.skipped} already imported (skipped)" if summary.skipped else "") + ".",
        f"Cases: {summary.cases_opened} opened, {summary.reopened} reopened, "
        f"{summary.counted} defects counted on open cases.",
        f"Classified: {summary.batch} batch, {summary.sporadic} sporadic.",
        f"Notices queued: {summary.notices}.",
    ]
    if summary.rejected_lines:
        said.append(f"Refused: {len(summary.rejected_lines)} row(s) (line "
                    f"{_lines(summary.rejected_lines)}); the other rows stay imported.")
    shown, more = _refused(report.rejected)
    return nonconformances._list_page(
        request, session, principal=principal, now=now, typed=nonconformances._typed({}),
        page_text=None, import_said=said, import_refused=shown, import_more=more)
