"""The recurrence rule (docs/architecture.md, "Service quality control"): the same item failing
again in the same department within six months (`[standards] recurrence_window`) opens ONE
PDCA cycle linked to the finding; not another while it is open; none outside the window."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.cli.support import ok, show
from tests.conftest import T0
from tests.standards.support import result_args

D = timedelta(days=1)


def _fail(db_url: str, at: datetime, **failed: str) -> dict[str, dict[str, object]]:
    round_id = ok(db_url, "round", "open", "--department", "field_service", "--position",
                  "technician", "--inspector", "Ines", now=at)["id"]
    recorded = ok(db_url, "round", "record", str(round_id), *result_args(**failed), now=at)
    return {str(f["item_code"]): f for f in recorded["findings"]}


def _cycles(db_url: str) -> list[dict[str, object]]:
    cases = ok(db_url, "case", "list", "--lifecycle", "pdca")
    found: list[dict[str, object]] = cases["cases"] if isinstance(cases, dict) else cases
    return found


def test_a_second_failure_opens_one_pdca_and_a_third_while_open_joins_it(
    field_service: str,
) -> None:
    db = field_service
    first = _fail(db, T0, FS_02="fail")
    assert first["FS-02"]["pdca"] is None and _cycles(db) == []
    second = _fail(db, T0 + 40 * D, FS_02="fail", FS_05="fail")
    cycle = second["FS-02"]["pdca"]
    assert isinstance(cycle, int) and second["FS-05"]["pdca"] is None
    pdca = show(db, cycle)
    assert pdca["lifecycle"] == "pdca" and "FS-02" in pdca["title"]
    assert pdca["state"] == "plan"
    third = _fail(db, T0 + 80 * D, FS_02="fail")
    assert third["FS-02"]["pdca"] == cycle
    assert len(_cycles(db)) == 1


def test_a_failure_outside_the_window_opens_no_pdca(field_service: str) -> None:
    db = field_service
    _fail(db, T0, FS_02="fail")
    later = _fail(db, T0 + 200 * D, FS_02="fail")
    assert later["FS-02"]["pdca"] is None and _cycles(db) == []


def test_another_item_failing_is_no_recurrence(field_service: str) -> None:
    db = field_service
    _fail(db, T0, FS_02="fail")
    second = _fail(db, T0 + 10 * D, FS_04="fail")
    assert second["FS-04"]["pdca"] is None and _cycles(db) == []
