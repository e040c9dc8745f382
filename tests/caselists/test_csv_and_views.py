"""CSV export (quoting, formula injection) and saved views (each person's own)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from capaflow.caselists.csvexport import CASE_HEADERS, cases_csv, to_csv
from capaflow.caselists.filters import CaseFilter
from capaflow.caselists.search import find_cases
from capaflow.caselists.views import delete_view, list_views, save_view
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.errors import BadInput, CapaError, Conflict, NotFound
from capaflow.models.db import get_engine, session_scope
from tests.caselists.world import build_world
from tests.conftest import T0
from tests.helpers import snapshot


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_quotes_commas_quotes_and_newlines_and_defuses_formulas() -> None:
    tricky = ['a, b', 'say "hi"', "two\nlines", "=HYPERLINK(\"http://x\")", "+1", "-2",
              "@SUM(A1)", "\tlead", "plain", None, True]
    text = to_csv(["Header, with comma"], [tricky])
    rows = _read(text)
    assert rows[0] == ["Header, with comma"]
    assert rows[1] == ['a, b', 'say "hi"', "two\nlines", "'=HYPERLINK(\"http://x\")", "'+1",
                       "'-2", "'@SUM(A1)", "'\tlead", "plain", "", "yes"]
    # No cell a spreadsheet would run as a formula.
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in rows[1])


def test_case_csv_has_readable_headers_and_one_line_per_case(
        sqlite_url: str, policy: DeadlinePolicy) -> None:
    with session_scope(get_engine(sqlite_url)) as session:
        build_world(session, policy)
        page = find_cases(session, filter=CaseFilter(status="all"), now=T0 + timedelta(days=5))
        rows = _read(cases_csv(page.rows))
    assert tuple(rows[0]) == CASE_HEADERS
    assert len(rows) == 6
    burr = next(r for r in rows if r[3] == "Burr on flange")
    assert burr[2] == "D4 root cause" and burr[4] == "ACME" and burr[1] == "8D"


def test_saved_views_belong_to_their_person_and_a_refused_save_writes_nothing(
        db_url: str) -> None:
    engine = get_engine(db_url)
    with session_scope(engine) as session:
        mine = save_view(session, user="lena", name="  My late  cases ",
                         params={"overdue": "1", "page": "3", "sort": "-due"}, now=T0)
        save_view(session, user="marco", name="My late cases", params={}, now=T0)
        mine_id = mine.id
    with session_scope(engine) as session:
        views = list_views(session, user="lena")
        assert [(v.name, v.query) for v in views] == [("My late cases", "overdue=1&sort=-due")]
    before = snapshot(db_url)
    refusals: list[tuple[dict[str, object], type[CapaError]]] = [
        ({"name": "my LATE cases", "params": {}}, Conflict),  # unique per person
        ({"name": "   ", "params": {}}, BadInput),
        ({"name": "x" * 61, "params": {}}, BadInput),
        ({"name": "bad sort", "params": {"sort": "colour"}}, BadInput),
    ]
    for values, refusal in refusals:
        with pytest.raises(refusal) as refused, session_scope(engine) as session:
            save_view(session, user="lena", now=T0, **values)  # type: ignore[arg-type]
        assert refused.value.field == ("sort" if values["name"] == "bad sort" else "name")
    # Marco can neither see nor delete Lena's view.
    with pytest.raises(NotFound), session_scope(engine) as session:
        assert mine_id is not None
        delete_view(session, user="marco", view_id=mine_id)
    assert snapshot(db_url) == before
    with session_scope(engine) as session:
        assert [v.user_name for v in list_views(session, user="marco")] == ["marco"]
        assert mine_id is not None
        delete_view(session, user="lena", view_id=mine_id)
    with session_scope(engine) as session:
        assert list_views(session, user="lena") == []
    # 60 characters is the longest name.
    with session_scope(engine) as session:
        assert save_view(session, user="lena", name="y" * 60, params={}, now=T0).name
