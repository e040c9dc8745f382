"""The suppliers' pages: the register with latest grades, blacklists and open cases; one
supplier's grades over the months (the scorecard chart, inline), open cases, recent lots,
switching per part and the blacklist, with the signed lift form for those who may lift it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models import (
    InspectionHold,
    InspectionLot,
    Scorecard,
    Supplier,
    SupplierRating,
    SwitchingState,
)
from capaflow.models.db import get_engine, session_scope
from capaflow.web.pages import suppliers as supplier_pages
from tests.conftest import T0
from tests.helpers import snapshot
from tests.web.conftest import PASSWORDS, Site
from tests.web.test_overview import open_8d

DAY = timedelta(days=1)
# (month, score, grade): the site's now is 2026-03-02, so 2026-04 is not graded "yet".
GRADES = (("2025-12", 82.5, "B"), ("2026-01", 64.0, "C"), ("2026-02", 31.0, "E"),
          ("2026-04", 90.0, "A"))


def _acme(session: Session) -> Supplier:
    return session.exec(select(Supplier).where(Supplier.code == "ACME")).one()


@pytest.fixture
def acme(site: Site) -> Iterator[int]:
    """ACME graded down to E and blacklisted, with 22 lots, three parts and a hold."""
    with session_scope(get_engine(site.url)) as session:
        supplier = _acme(session)
        assert supplier.id is not None
        for month, score, grade in GRADES:
            session.add(Scorecard(supplier_id=supplier.id, month=month, score=score,
                                  grade=grade, components={}, computed_at=T0 - 3 * DAY))
        supplier.blacklisted_at = T0 - DAY
        supplier.blacklist_reason = "grade E in 2026-02"
        session.add(supplier)
        for n in range(1, 23):
            rejected = n == 22
            session.add(InspectionLot(
                supplier_id=supplier.id, part="P-2", lot=f"L{n:03d}", lot_size=500,
                sample_size=50, defects=2 if rejected else 0,
                defect_code="CRACK" if rejected else None, severity="normal",
                acceptance_number=1, accepted=not rejected,
                inspected_at=T0 - (30 - n) * DAY, recorded_at=T0 - (30 - n) * DAY))
        session.add(SwitchingState(supplier_id=supplier.id, part="P-2", severity="normal",
                                   recent=[True, True, False], switching_score=6,
                                   updated_at=T0 - 8 * DAY))
        session.add(SwitchingState(supplier_id=supplier.id, part="P-3", severity="stopped",
                                   updated_at=T0 - 9 * DAY))
        session.add(InspectionHold(supplier_id=supplier.id, part="P-4",
                                   case_id=site.cases["ACME"], reason="crack found on line",
                                   lots_required=3, lots_remaining=2, created_at=T0 - DAY))
        # Rated not cooperative this month: its normal part is inspected tightened.
        session.add(SupplierRating(supplier_id=supplier.id, month="2026-03",
                                   attitude="not_cooperative", rated_by="lead",
                                   rated_at=T0 - DAY))
        supplier_id = supplier.id
    yield supplier_id


def section(html: str, section_id: str) -> str:
    start = html.index(f'<section class="panel" id="{section_id}"')
    return html[start:html.index("</section>", start)]


def row(html: str, attribute: str, value: str) -> str:
    start = html.index(f'<tr data-{attribute}="{value}"')
    return html[start:html.index("</tr>", start)]


def test_the_register_shows_latest_grade_blacklist_and_open_cases(site: Site,
                                                                  acme: int) -> None:
    html = site.signed_in("viewer").get("/suppliers").text
    acme_row = row(html, "supplier", "ACME")
    # The latest month graded up to now: 2026-02, not the 2026-04 row.
    assert "grade-E" in acme_row and "31" in acme_row and "2026-02" in acme_row
    assert "blacklisted" in acme_row and "2026-03-01 09:00 UTC" in acme_row
    assert re.search(r'<td class="count">1</td>', acme_row)
    assert 'href="/suppliers/ACME"' in acme_row
    beta_row = row(html, "supplier", "BETA")
    assert "not graded" in beta_row and "blacklisted" not in beta_row
    assert re.search(r'<td class="count">1</td>', beta_row)
    assert "1 blacklisted" in html


def test_the_supplier_page_embeds_the_scorecard_chart_of_the_months(site: Site,
                                                                    acme: int) -> None:
    answer = site.signed_in("lead").get("/suppliers/ACME")
    assert answer.status_code == 200
    grades = section(answer.text, "grades")
    assert "<svg" in grades and "<?xml" not in answer.text
    assert "ACME: monthly score and grade" in grades
    for month, _, _ in GRADES[:3]:
        assert f'<tr data-month="{month}">' in grades
        assert f"{month}: " in grades  # the chart's point labels
    assert "2026-04" not in grades
    # Two months up to now's (March): February only of those graded.
    short = section(site.signed_in("lead").get("/suppliers/ACME?months=2").text, "grades")
    assert "2026-02" in short and "2026-01" not in short and "2025-12" not in short


def test_the_supplier_page_lists_open_cases_and_the_last_twenty_lots(site: Site,
                                                                     acme: int) -> None:
    html = site.signed_in("lead").get("/suppliers/ACME").text
    cases = section(html, "open-cases")
    assert f'href="/cases/{site.cases["ACME"]}"' in cases
    assert f'href="/cases/{site.cases["BETA"]}"' not in cases
    assert "D3 emergency containment" in cases
    lots = section(html, "lots")
    shown = re.findall(r'<tr data-lot="(L\d+)"', lots)
    assert shown == [f"L{n:03d}" for n in range(22, 2, -1)]  # newest first, 20 of 22
    newest = row(lots, "lot", "L022")
    assert "rejected" in newest and "CRACK" in newest and "normal" in newest
    assert re.findall(r'<td class="count">(\d+)', newest)[:3] == ["500", "50", "2"]
    assert "accepted" in row(lots, "lot", "L021")


def test_switching_per_part_shows_what_the_next_lot_gets_never_normal_beside_tightened(
        site: Site, acme: int) -> None:
    # Issue 12: the panel said "tightened at the least" above a row whose severity read
    # "normal" (the stored one). The row now leads with what the next lot gets, the record
    # only in the reason, and counts for that severity.
    page = site.signed_in("lead").get("/suppliers/ACME").text
    parts = section(page, "switching")
    assert "tightened at the least" in parts
    normal = row(parts, "part", "P-2")
    assert 'data-inspected="tightened"' in normal
    assert "switching-tightened" in normal and "switching-normal" not in normal
    assert "not cooperative" in normal and "(on record: normal)" in normal
    assert "0 of 5 accepted in a row to return to normal" in normal
    assert "of the last" not in normal
    assert "switching-stopped" in row(parts, "part", "P-3")
    held = row(parts, "part", "P-4")
    assert "100 %" in held and "2 of 3 lots left" in held
    assert f'href="/cases/{site.cases["ACME"]}"' in held


def test_a_writer_gets_the_signed_lift_form_and_it_lifts_the_blacklist(site: Site,
                                                                       acme: int) -> None:
    lead = site.signed_in("lead")
    html = lead.get("/suppliers/ACME").text
    blacklist = section(html, "blacklist")
    assert "grade E in 2026-02" in blacklist
    form = blacklist[blacklist.index("<form"):blacklist.index("</form>")]
    assert 'action="/suppliers/ACME/lift-blacklist"' in form and 'method="post"' in form
    assert 'name="reason"' in form and 'name="password" type="password"' in form
    assert 'name="csrf_token"' in form and "signed decision" in form
    answer = site.post_form(lead, "/suppliers/ACME/lift-blacklist",
                            {"reason": "audit passed, new process", "password": PASSWORDS["lead"]},
                            page="/suppliers/ACME")
    assert answer.status_code == 303
    after = section(lead.get("/suppliers/ACME").text, "blacklist")
    assert "Not blacklisted" in after and "<form" not in after
    assert "blacklist lifted" in after and "signed" in after and "audit passed" in after


def test_a_viewer_sees_no_lift_form_and_is_refused_with_nothing_written(site: Site,
                                                                       acme: int) -> None:
    viewer = site.signed_in("viewer")
    html = viewer.get("/suppliers/ACME").text
    assert "Blacklisted since" in html
    assert "lift-blacklist" not in html and 'type="password"' not in html
    before = snapshot(site.url)
    answer = site.post_form(viewer, "/suppliers/ACME/lift-blacklist",
                            {"reason": "let me", "password": PASSWORDS["viewer"]},
                            page="/suppliers/ACME")
    assert answer.status_code == 403
    assert snapshot(site.url) == before


def test_a_supplier_not_blacklisted_has_no_lift_form(site: Site, acme: int) -> None:
    html = site.signed_in("lead").get("/suppliers/BETA").text
    assert "Not blacklisted" in html and "lift-blacklist" not in html
    assert "No lots inspected yet." in html and "No grades in these months" in html


@pytest.mark.parametrize("code", ["NOPE", "x" * 300, "%00"])
def test_an_unknown_supplier_is_a_404_page(site: Site, code: str) -> None:
    answer = site.signed_in("lead").get(f"/suppliers/{code}")
    assert answer.status_code == 404
    assert 'data-field="supplier"' in answer.text and "does not exist" in answer.text


@pytest.mark.parametrize("months", ["0", "121", "many"])
def test_a_bad_months_value_is_a_422_naming_it(site: Site, acme: int, months: str) -> None:
    before = snapshot(site.url)
    answer = site.signed_in("lead").get(f"/suppliers/ACME?months={months}")
    assert answer.status_code == 422
    assert 'data-field="months"' in answer.text
    assert snapshot(site.url) == before


@pytest.mark.parametrize("path", ["/suppliers", "/suppliers/ACME", "/suppliers/BETA"])
def test_a_supplier_is_sent_to_its_portal(site: Site, acme: int, path: str) -> None:
    answer = site.signed_in("acme").get(path)
    assert answer.status_code == 303 and answer.headers["location"] == "/portal"
    assert "BETA" not in answer.text and "grade" not in answer.text


def test_the_open_cases_listed_are_bounded_and_say_how_many_more(
        site: Site, acme: int, policy: DeadlinePolicy, monkeypatch: pytest.MonkeyPatch) -> None:
    with session_scope(get_engine(site.url)) as session:
        later = open_8d(session, policy, title="Second crack", at=T0)
    monkeypatch.setattr(supplier_pages, "LIST_LIMIT", 1)
    cases = section(site.signed_in("lead").get("/suppliers/ACME").text, "open-cases")
    assert 'class="badge">2<' in cases and "and 1 more" in cases
    assert f'href="/cases/{later}"' not in cases  # oldest first
