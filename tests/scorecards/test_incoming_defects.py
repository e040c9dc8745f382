"""Defects recorded with `--source incoming` reach the grade; the event `inspect record`
writes for a rejected lot does not count twice (issue 13, point 4)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from capaflow.models import DefectEvent, InspectionLot
from tests.cli.support import add_supplier, ok
from tests.scorecards.support import run_time

FEB = "2026-02"
AT = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)


def test_a_defect_recorded_as_incoming_counts_as_a_line_defect_but_an_inspected_lots_own_defects_are_not_counted_twice(  # noqa: E501
    db_url: str, session: Session,
) -> None:
    add_supplier(db_url, "ACME", "--contact", "json://127.0.0.1:9/acme")
    lot = ok(db_url, "inspect", "record", "--supplier", "ACME", "--part", "BRK-220", "--lot",
             "L1", "--lot-size", "1000", "--sampled", "80", "--defects", "4", "--defect-code",
             "BURR", "--aql", "1.0", now=AT)
    assert lot["accepted"] is False
    # Found at goods-in and recorded by hand (before issue 13: 40 pieces, still an A).
    ok(db_url, "defect", "record", "--supplier", "ACME", "--part", "BRK-300",
       "--defect-code", "SCRATCH", "--qty", "40", "--source", "incoming",
       "--at", AT.isoformat(), now=AT)

    document = ok(db_url, "scorecard", "run", "--month", FEB, now=run_time(FEB))

    [graded] = document["suppliers"]
    components = graded["components"]
    assert components["line_defects"]["pieces"] == 40  # not 44: the lot's 4 count in the lot
    assert components["line_defects"]["points"] == 20.0  # 40 of 50 on the default scale
    assert (components["acceptance"]["lots"], components["acceptance"]["accepted"]) == (1, 0)
    assert components["ppm"]["defects"] == 4
    events = session.exec(select(DefectEvent).order_by(col(DefectEvent.id))).all()
    lot_row = session.exec(select(InspectionLot)).one()
    assert [(e.source, e.quantity, e.inspection_lot_id) for e in events] == [
        ("incoming", 4, lot_row.id), ("incoming", 40, None)]
