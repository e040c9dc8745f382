"""A lot import in a few figures (inspection.csvimport summarize_lots), as the /lots page shows
it after an upload: rows, imported, accepted or rejected, already present, refused lines."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.inspection import InspectionPolicy, LotImportReport, import_lots
from capaflow.inspection.csvimport import summarize_lots
from capaflow.intake import IntakePolicy
from capaflow.models.db import session_scope
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lots.csv"
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def _import(engine: Engine, policy: DeadlinePolicy, path: Path) -> LotImportReport:
    return import_lots(path, transaction=lambda: session_scope(engine), actor="lena", now=NOW,
                       policy=InspectionPolicy(), intake_policy=IntakePolicy(),
                       deadline_policy=policy)


def test_the_summary_counts_what_the_import_did_and_a_second_import_skips_every_lot(
    engine: Engine, policy: DeadlinePolicy, tmp_path: Path,
) -> None:
    with session_scope(engine) as session:
        add_supplier(session, code="ACME", name="Acme", contact=None, quality_head=None,
                     executive=None, now=T0)
    first = summarize_lots(_import(engine, policy, EXAMPLE))
    assert (first.rows, first.imported, first.accepted + first.not_accepted) == (3, 3, 3)
    assert first.skipped == 0 and first.rejected_lines == []
    # The third lot came without its material certificates: flagged, the verdict stands.
    assert first.flagged == [4]

    again = summarize_lots(_import(engine, policy, EXAMPLE))
    assert (again.imported, again.skipped) == (0, 3)

    bad = tmp_path / "bad.csv"
    bad.write_text(EXAMPLE.read_text().splitlines()[0] + "\nACME,CLP-050,C9,500,fifty,0,,1.0,,"
                   "2026-04-01T08:00:00+00:00,yes,yes,P-20\n")
    refused = summarize_lots(_import(engine, policy, bad))
    assert (refused.rows, refused.imported, refused.rejected_lines) == (1, 0, [2])
