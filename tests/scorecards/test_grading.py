"""The score and grade of a month, from known inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from capaflow.errors import BadInput
from capaflow.models import Scorecard, SupplierRating
from capaflow.scorecards.grading import run_month
from tests.conftest import T0
from tests.scorecards.support import (
    RUN_AT,
    case_for,
    closed_deadline,
    defect,
    lot,
    mid,
    policy,
    reopen_event,
    supplier,
)

FEB = "2026-02"


def test_score_is_the_weighted_mean_of_each_factors_points_from_known_inputs(
    session: Session,
) -> None:
    acme = supplier(session, "ACME")
    other = supplier(session, "OTHER")
    # Incoming: 19 of 20 lots accepted (0.95 → 50 points); 2 defects in 1,000 sampled
    # (2,000 ppm → 60 points).
    for n in range(20):
        lot(session, acme, mid(FEB, 1 + n), accepted=n != 0, sampled=50, defects=2 if n == 0 else 0)
    lot(session, acme, mid("2026-01"), accepted=False, sampled=50, defects=50)  # not February
    lot(session, other, mid(FEB), accepted=False, sampled=50, defects=50)  # not ACME
    # Line: 10 pieces on the line and by customers (→ 80 points); incoming events are the
    # lots' defects again and do not count.
    defect(session, acme, mid(FEB), 6, source="line")
    defect(session, acme, mid(FEB, 20), 4, source="customer")
    defect(session, acme, mid(FEB), 30, source="incoming")
    # Response: 3 of 4 obligations closed in February on time (0.75 → 50 points); a review
    # and a deadline closed in January do not count.
    case_id = case_for(session, acme, mid("2026-01"))
    for on_time in (True, True, True, False):
        closed_deadline(session, case_id, mid(FEB), on_time=on_time)
    closed_deadline(session, case_id, mid(FEB), on_time=False, kind="review")
    closed_deadline(session, case_id, mid("2026-01"), on_time=False)
    # Recurrence: one reopen in February (→ 50 points), one in January.
    reopen_event(session, case_id, mid(FEB), seq=1)
    reopen_event(session, case_id, mid("2026-01"), seq=2)
    session.add(SupplierRating(supplier_id=acme, month=FEB, attitude="very_cooperative",
                               rated_by="lena", rated_at=T0))
    session.commit()

    results = run_month(session, month=FEB, now=RUN_AT, policy=policy(), actor="capaflow")
    session.commit()

    result = next(r for r in results if r.code == "ACME")
    points = {name: c["points"] for name, c in result.components.items()}
    assert points == {"acceptance": 50.0, "ppm": 60.0, "line_defects": 80.0,
                      "response_speed": 50.0, "cooperation": 100.0, "recurrence": 50.0,
                      "delivery_documents": None}
    # (25·50 + 20·60 + 20·80 + 15·50 + 10·100 + 10·50) / 100
    assert result.score == 63.0
    assert result.grade == "D"
    assert result.components["ppm"]["measure"] == 2000.0
    assert result.components["response_speed"]["deadlines_closed"] == 4
    stored = session.exec(select(Scorecard).where(Scorecard.supplier_id == acme)).one()
    assert (stored.month, stored.score, stored.grade) == (FEB, 63.0, "D")
    assert stored.components == result.components


def test_a_factor_without_data_is_left_out_and_the_other_weights_count_in_its_place(
    session: Session,
) -> None:
    supplier(session)
    [result] = run_month(session, month=FEB, now=RUN_AT, policy=policy(), actor="capaflow")
    for factor in ("acceptance", "ppm", "response_speed"):
        assert result.components[factor]["points"] is None
    # No line defects (100), unrated → cooperative (80), no reopens (100); weights 20, 10, 10.
    assert result.score == pytest.approx((20 * 100 + 10 * 80 + 10 * 100) / 40, abs=0.05)
    assert result.grade == "A"


def test_an_unrated_month_counts_as_the_configured_attitude(session: Session) -> None:
    supplier(session)
    [result] = run_month(session, month=FEB, now=RUN_AT,
                         policy=policy({"scorecard": {"unrated_attitude": "not_cooperative"}}),
                         actor="capaflow")
    assert result.components["cooperation"]["attitude"] == "not_cooperative"
    assert result.components["cooperation"]["rated"] is False
    assert result.components["cooperation"]["points"] == 0.0


def test_rerunning_a_month_recomputes_its_scorecard_and_keeps_one_row(session: Session) -> None:
    acme = supplier(session)
    first = run_month(session, month=FEB, now=RUN_AT, policy=policy(), actor="capaflow")
    session.commit()
    defect(session, acme, mid(FEB), 25)
    later = RUN_AT + timedelta(days=1)
    second = run_month(session, month=FEB, now=later, policy=policy(), actor="capaflow")
    session.commit()
    assert second[0].score < first[0].score
    rows = session.exec(select(Scorecard)).all()
    assert len(rows) == 1
    assert rows[0].score == second[0].score
    assert rows[0].computed_at == later


def test_a_supplier_registered_after_the_month_is_not_graded_for_it(session: Session) -> None:
    supplier(session, "OLD")
    supplier(session, "NEW", created=datetime(2026, 3, 1, 12, tzinfo=UTC))
    results = run_month(session, month=FEB, now=RUN_AT, policy=policy(), actor="capaflow")
    assert [r.code for r in results] == ["OLD"]


def test_the_month_is_counted_on_the_calendars_wall_clock(session: Session) -> None:
    acme = supplier(session)
    # 23:30 UTC on 31 January is 00:30 on 1 February in Berlin: a February lot there.
    lot(session, acme, datetime(2026, 1, 31, 23, 30, tzinfo=UTC), accepted=False)
    [berlin] = run_month(session, month=FEB, now=RUN_AT,
                         policy=policy(timezone="Europe/Berlin"), actor="capaflow")
    [utc] = run_month(session, month=FEB, now=RUN_AT, policy=policy(), actor="capaflow")
    assert berlin.components["acceptance"]["lots"] == 1
    assert utc.components["acceptance"]["lots"] == 0


@pytest.mark.parametrize("month", ["2026-04", "2027-01"])
def test_a_month_after_nows_month_is_refused_naming_month(session: Session, month: str) -> None:
    supplier(session)
    with pytest.raises(BadInput) as refused:
        run_month(session, month=month, now=RUN_AT, policy=policy(), actor="capaflow")
    assert refused.value.field == "month"
    assert "future" in refused.value.message


@pytest.mark.parametrize("month", ["2026-13", "2026-2", "March", "2026-00", ""])
def test_a_malformed_month_is_refused_naming_month(session: Session, month: str) -> None:
    with pytest.raises(BadInput) as refused:
        run_month(session, month=month, now=RUN_AT, policy=policy(), actor="capaflow")
    assert refused.value.field == "month"


def test_the_current_month_may_be_graded_so_far(session: Session) -> None:
    supplier(session)
    [result] = run_month(session, month="2026-03", now=RUN_AT, policy=policy(), actor="x")
    assert result.month == "2026-03"
