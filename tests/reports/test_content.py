"""The content model every rendering reads: disciplines as filled so far, from the trail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from capaflow.accounts import Principal, add_user
from capaflow.accounts.signatures import CLOSE_CASE, sign
from capaflow.casework.engine import advance, record_occurrence
from capaflow.errors import NotFound
from capaflow.models import Case
from capaflow.models.db import get_engine, session_scope
from capaflow.models.queries import list_cases
from capaflow.reports.content import DISCIPLINE_TITLES, build_report, case_report
from tests.conftest import T0
from tests.helpers import snapshot
from tests.reports.support import ACME_NAME, D, H, Story

CLOSE_AT = T0 + 5 * D + 200 * D  # past the six-month effectiveness window


def test_each_discipline_shows_the_content_who_filled_it_and_when(story: Story) -> None:
    case_id = story.open()
    story.up_to_countermeasure(case_id)
    story.step(case_id, "close", CLOSE_AT, actor="sweep", note="No recurrence in 6 months.",
               lessons="Check mould temperatures at PPAP")

    report = story.report(case_id, CLOSE_AT)

    assert [s.title for s in report.disciplines] == list(DISCIPLINE_TITLES.values())
    assert all(s.filled for s in report.disciplines)
    sections = {s.key: s for s in report.disciplines}
    assert sections["D1"].entries[0].value == ("lena", "marco")
    assert sections["D2"].entries[0].value == "Hairline cracks at the boss of housing HSG-100"
    d3 = sections["D3"]
    assert [(e.label, e.value) for e in d3.entries] == [
        ("Containment", "Quarantined 1,200 pcs"), ("Verification", "0 cracks in 300 sampled")]
    assert (d3.filled_by, d3.filled_at, d3.seq) == ("acme-quality", T0 + 2 * H, 2)
    assert {e.label: e.value for e in sections["D4"].entries} == {
        "Occurrence (why it happened)": "Mould temperature drift",
        "Escape point (why it was not detected)": "No crack check at outgoing",
        "5M1E category": "method",
    }
    assert sections["D5"].entries[0].value == "Cooling time +4 s"
    d6 = {e.label: e.value for e in sections["D6"].entries}
    assert d6["Countermeasure"] == "Closed-loop mould temperature control"
    # Each step's verification stays with its own discipline.
    assert d6["Verification"] == "3 lots without cracks"
    assert str(d6["Effectiveness"]).startswith("effective: no recurrence")
    assert sections["D7"].entries[0].value == "Added to the FMEA of all moulds"
    assert sections["D7"].seq == 5
    d8 = {e.label: e.value for e in sections["D8"].entries}
    assert d8["Lessons learned"] == "Check mould temperatures at PPAP"
    assert d8["Note"] == "No recurrence in 6 months."
    assert (sections["D8"].filled_by, sections["D8"].filled_at) == ("sweep", CLOSE_AT)

    h = report.header
    assert (h.case_id, h.title, h.lifecycle, h.state) == (case_id, "Cracked housing", "8d",
                                                          "closed")
    assert (h.supplier_code, h.supplier_name, h.part, h.defect_code) == (
        "ACME", ACME_NAME, "HSG-100", "CRACK")
    assert (h.owner, h.team, h.opened_at, h.reopen_count) == ("lena", ("lena", "marco"), T0, 0)
    assert [e.action for e in report.timeline] == [
        "open", "contain", "find_root_cause", "apply_short_term_fix",
        "implement_countermeasure", "close"]
    assert report.timeline[1].moved == "containment → root_cause"
    assert report.chain is not None and report.chain.ok and report.chain.events == 6


def test_an_open_case_shows_only_what_was_filled_so_far(story: Story) -> None:
    case_id = story.open(team=None, problem=None)
    story.step(case_id, "contain", T0 + H, containment="Blocked lot 7")

    report = story.report(case_id, T0 + 2 * H)

    assert [s.key for s in report.disciplines if s.filled] == ["D3"]
    empty = report.section("D5")
    assert (empty.entries, empty.filled_by, empty.filled_at) == ((), None, None)


def test_a_reject_unfills_what_it_sent_back_and_the_next_submission_fills_it(
    story: Story,
) -> None:
    case_id = story.open()
    story.up_to_countermeasure(case_id)
    story.step(case_id, "reject", T0 + 6 * D, reason="No evidence the loop holds")

    report = story.report(case_id, T0 + 6 * D)
    filled = {s.key for s in report.disciplines if s.filled}
    # The countermeasure and the prevention it carried were sent back; D5 before it stands.
    assert filled == {"D1", "D2", "D3", "D4", "D5"}
    with session_scope(get_engine(story.url)) as session:
        # Why the report reads the trail: the case's content column still holds them.
        stale = session.get(Case, case_id)
        assert stale is not None and "countermeasure" in stale.content

    story.step(case_id, "implement_countermeasure", T0 + 7 * D,
               countermeasure="Closed-loop control with alarm")
    report = story.report(case_id, T0 + 7 * D)
    d6 = report.section("D6")
    assert d6.filled and d6.entries[0].value == "Closed-loop control with alarm"
    assert (d6.seq, d6.filled_at) == (7, T0 + 7 * D)
    assert not report.section("D7").filled  # the resubmission carried no prevention
    assert report.timeline[5].reason == "No evidence the loop holds"


def test_a_reject_of_the_root_cause_unfills_d4_only(story: Story) -> None:
    case_id = story.open()
    story.step(case_id, "contain", T0 + H, containment="Sorted stock")
    story.step(case_id, "find_root_cause", T0 + D, root_cause="Operator error",
               escape_point="None", category="man")
    story.step(case_id, "reject", T0 + D + H, reason="Blaming the operator is not a cause")

    report = story.report(case_id, T0 + D + H)
    assert report.section("D3").filled and not report.section("D4").filled

    story.step(case_id, "find_root_cause", T0 + 2 * D, root_cause="Worn punch",
               escape_point="No burr gauge", category="machine")
    d4 = story.report(case_id, T0 + 2 * D).section("D4")
    assert d4.entries[0].value == "Worn punch" and d4.seq == 5


def test_a_recurrence_marks_the_countermeasure_ineffective_and_owes_a_new_one(
    story: Story,
) -> None:
    case_id = story.open()
    story.up_to_countermeasure(case_id)
    story.step(case_id, "reopen", T0 + 40 * D, actor="intake", reason="Cracks again in lot 12")

    report = story.report(case_id, T0 + 40 * D)
    assert report.ineffective_countermeasures == ("Closed-loop mould temperature control",)
    assert report.recurrences == ("Cracks again in lot 12",)
    assert not report.section("D6").filled
    assert report.section("D3").filled  # the earlier containment stays on record
    assert report.header.reopen_count == 1
    assert report.header.state == "containment"


def test_deadline_status_is_overdue_exactly_when_the_case_list_says_so(story: Story) -> None:
    late = story.open()
    story.step(late, "contain", T0 + H, containment="Blocked lot 7")
    now = T0 + 4 * D  # the root cause was due 3 days after containment

    report = story.report(late, now)
    by_key = {d.key: d for d in report.deadlines}
    assert (by_key["containment"].status, by_key["containment"].label) == ("met", "met on time")
    assert by_key["containment"].met_at == T0 + H
    assert by_key["root_cause"].status == "overdue"
    assert by_key["root_cause"].met_at is None
    with Session(get_engine(story.url)) as session:
        overdue_ids = [c.id for c in list_cases(session, now=now, overdue=True)]
    assert overdue_ids == [late]

    early = story.report(late, T0 + 2 * H)
    assert {d.key: d.status for d in early.deadlines}["root_cause"] == "open"


def test_costs_are_listed_with_a_total_per_currency_never_added_across(story: Story) -> None:
    case_id = story.open()
    story.cost(case_id, "line_stop", "1200.50", "EUR", T0 + H)
    story.cost(case_id, "sorting", "300", "EUR", T0 + 2 * H)
    story.cost(case_id, "rework", "45.10", "USD", T0 + 3 * H)

    report = story.report(case_id, T0 + D)

    assert [(c.kind, c.amount, c.currency) for c in report.costs] == [
        ("line_stop", Decimal("1200.50"), "EUR"), ("sorting", Decimal("300.00"), "EUR"),
        ("rework", Decimal("45.10"), "USD")]
    assert report.cost_totals == {"EUR": Decimal("1500.50"), "USD": Decimal("45.10")}


def test_linked_cases_show_which_case_this_follows_and_which_follow_it(story: Story) -> None:
    first = story.open(title="Cracks, first time")
    second = story.open(title="Cracks, after closure", linked_case_id=first)
    third = story.open(title="Cracks, third time", linked_case_id=second)

    links = story.report(second, T0).links
    assert [(ln.case_id, ln.relation, ln.title) for ln in links] == [
        (first, "follows", "Cracks, first time"),
        (third, "followed_by", "Cracks, third time"),
    ]
    assert story.report(first, T0).links[0].case_id == second


def test_a_changed_event_shows_as_a_broken_audit_chain(story: Story) -> None:
    case_id = story.open()
    story.step(case_id, "contain", T0 + H, containment="Sorted stock")
    with get_engine(story.url).begin() as conn:
        conn.execute(text("UPDATE case_events SET note = 'edited' WHERE seq = 2"))

    chain = story.report(case_id, T0 + H).chain
    assert chain is not None
    assert (chain.ok, chain.seq) == (False, 2)
    assert chain.problem == "its content does not match its hash"


def test_pdca_cycles_show_target_result_met_standard_per_cycle(story: Story) -> None:
    case_id = story.open(lifecycle="pdca", title="Less scrap on line 3", supplier=None)
    story.step(case_id, "execute", T0 + D, target="scrap below 2 %", plan="Clamp check")
    story.step(case_id, "measure", T0 + 10 * D, result="scrap 3.1 %")
    story.step(case_id, "evaluate", T0 + 11 * D, met="false")
    story.step(case_id, "next_cycle", T0 + 12 * D, reason="Clamping was not the cause")
    story.step(case_id, "execute", T0 + 13 * D, target="scrap below 2 %",
               plan="Tool wear check every 500 parts")

    report = story.report(case_id, T0 + 14 * D)
    assert (report.kind, report.disciplines, report.header.cycle) == ("pdca", (), 2)
    first, second = report.cycles
    assert (first.number, first.met, first.result) == (1, False, "scrap 3.1 %")
    assert first.next_cycle_reason == "Clamping was not the cause"
    assert [p.filled for p in first.phases] == [True, True, True, True]
    assert first.phases[3].entries[0].label == "Next cycle because"
    assert (second.number, second.plan, second.met) == (2, "Tool wear check every 500 parts",
                                                        None)
    assert [p.filled for p in second.phases] == [True, False, False, False]

    story.step(case_id, "measure", T0 + 30 * D, result="scrap 1.4 %")
    story.step(case_id, "evaluate", T0 + 31 * D, met="true", analysis="tool wear it was")
    story.step(case_id, "standardize", T0 + 32 * D, standard="Tool wear check in WI-3")
    second = story.report(case_id, T0 + 32 * D).cycles[1]
    assert (second.met, second.standard) == (True, "Tool wear check in WI-3")
    assert [e.value for e in second.phases[2].entries] == ["yes", "tool wear it was"]
    assert all(p.filled for p in second.phases)


def test_a_signed_decision_shows_who_signed_when_and_what_it_means(story: Story) -> None:
    case_id = story.open()
    story.up_to_countermeasure(case_id)
    with session_scope(get_engine(story.url)) as session:
        user = add_user(session, name="mara", role="quality_manager",
                        password="mara-password-1", now=T0)
        signer = Principal(name="mara", role="quality_manager", user_id=user.id)
        signature = sign(session, principal=signer, password="mara-password-1",
                         meaning=CLOSE_CASE, now=CLOSE_AT)
        advance(session, case_id=case_id, trigger="close", fields={}, note=None,
                actor="mara", now=CLOSE_AT, policy=story.policy, signature=signature,
                require_signature=True)

    report = story.report(case_id, CLOSE_AT)

    closed = report.timeline[-1]
    assert closed.signature is not None
    assert (closed.signature.signed_by, closed.signature.signed_at,
            closed.signature.meaning, closed.signature.method) == (
        "mara", "2026-09-23 09:00 UTC", CLOSE_CASE, "password re-entry")
    assert closed.fields == {}  # the signature is shown as one, not as step content
    assert all(e.signature is None for e in report.timeline[:-1])
    signed = {e.label: e.value for e in report.section("D8").entries}["Signed"]
    assert signed == closed.signature.describe() == (
        f"signed by mara, at 2026-09-23 09:00 UTC, by password re-entry, meaning: {CLOSE_CASE}")
    assert report.chain is not None and report.chain.ok


def test_a_cancelled_case_says_why(story: Story) -> None:
    case_id = story.open()
    story.step(case_id, "cancel", T0 + H, reason="Duplicate of case 7")
    report = story.report(case_id, T0 + H)
    assert (report.header.state, report.header.cancelled_reason) == (
        "cancelled", "Duplicate of case 7")
    assert not report.section("D8").filled


def test_building_a_report_writes_nothing(story: Story) -> None:
    case_id = story.open()
    story.up_to_countermeasure(case_id)
    story.cost(case_id, "rework", "10", "EUR", T0 + H)
    before = snapshot(story.url)
    with session_scope(get_engine(story.url)) as session:
        case_report(session, case_id=case_id, now=T0 + 300 * D)
    assert snapshot(story.url) == before


def test_a_case_that_does_not_exist_is_not_found(story: Story) -> None:
    with Session(get_engine(story.url)) as session, pytest.raises(NotFound) as refused:
        case_report(session, case_id=4242, now=T0)
    assert (refused.value.field, refused.value.message) == ("case", "case 4242 does not exist")


def test_a_case_with_200_events_costs_the_same_queries_as_one_with_5(story: Story) -> None:
    small = story.open()
    story.up_to_countermeasure(small)
    big = story.open()
    story.up_to_countermeasure(big)
    with session_scope(get_engine(story.url)) as session:
        for n in range(195):
            record_occurrence(session, case_id=big, fields={"defect": str(n)}, note=None,
                              actor="intake", now=T0 + 6 * D, policy=story.policy)

    engine = get_engine(story.url)
    statements: list[str] = []

    def count(_conn: Connection, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    def queries(case_id: int) -> int:
        statements.clear()
        with Session(engine) as session:
            report = case_report(session, case_id=case_id, now=T0 + 7 * D)
        assert report.timeline[-1].seq == (200 if case_id == big else 5)
        return len(statements)

    event.listen(engine, "before_cursor_execute", count)
    try:
        many = queries(big)
        assert many == queries(small)
        assert many >= 7  # case, supplier, events, deadlines, costs, links, chain
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_report_can_be_built_from_rows_already_loaded(story: Story) -> None:
    case_id = story.open()
    with Session(get_engine(story.url)) as session:
        full = case_report(session, case_id=case_id, now=T0)
        case = session.get(Case, case_id)
        assert case is not None
        bare = build_report(case=case, supplier=None, events=(), deadlines=(), now=None)
    # Without the trail the team still comes from the case's content.
    assert bare.header.team == full.header.team == ("lena", "marco")
    assert (bare.costs, bare.links, bare.chain, bare.as_of) == ((), (), None, None)
