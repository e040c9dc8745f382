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
    lots = [lot(session, acme, mid(FEB, 1 + n), accepted=n != 0, sampled=50,
                defects=2 if n == 0 else 0) for n in range(20)]
    lot(session, acme, mid("2026-01"), accepted=False, sampled=50, defects=50)  # not February
    lot(session, other, mid(FEB), accepted=False, sampled=50, defects=50)  # not ACME
    # Line: 10 pieces on the line and by customers (→ 80 points); the event the intake
    # wrote for the rejected lot is that lot's defects again and does not count.
    defect(session, acme, mid(FEB), 6, source="line")
    defect(session, acme, mid(FEB, 20), 4, source="customer")
    defect(session, acme, mid(FEB, 1), 2, source="incoming", lot_id=lots[0])
    # Response: 4 obligations due in February, 3 met on time and 1 an hour late of its 47
    # allowed: (3 + 0.5 / (1 + 1/47)) / 4 = 0.8724 → 87.2 points (before issue 13 only the
    # share on time counted, on a scale from 0.5: 50 points); a review and a deadline due in
    # January do not count.
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
                      "response_speed": 87.2, "cooperation": 100.0, "recurrence": 50.0,
                      "delivery_documents": None}
    # (25·50 + 20·60 + 20·80 + 15·87.24 + 10·100 + 10·50) / 100
    assert result.score == 68.6
    assert result.grade == "D"
    assert result.components["ppm"]["measure"] == 2000.0
    speed = result.components["response_speed"]
    assert (speed["deadlines_due"], speed["deadlines_closed"], speed["on_time"], speed["late"],
            speed["open_late"]) == (4, 4, 3, 1, 0)
    stored = session.exec(select(Scorecard).where(Scorecard.supplier_id == acme)).one()
    assert (stored.month, stored.score, stored.grade) == (FEB, 68.6, "D")
    assert stored.components == result.components


def test_a_factor_without_data_is_left_out_and_the_other_weights_count_in_its_place(
    session: Session,
) -> None:
    acme = supplier(session)
    # Something to grade (an empty month is not graded), but no lot and no deadline due.
    defect(session, acme, mid(FEB), 5)
    [result] = run_month(session, month=FEB, now=RUN_AT, policy=policy(), actor="capaflow")
    for factor in ("acceptance", "ppm", "response_speed"):
        assert result.components[factor]["points"] is None
    # 5 line defects (90), unrated → cooperative (80), no reopens (100); weights 20, 10, 10.
    assert result.score == pytest.approx((20 * 90 + 10 * 80 + 10 * 100) / 40, abs=0.05)
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
    defect(session, acme, mid(FEB), 5)
    first = run_month(session, month=FEB, now=RUN_AT, policy=policy(), actor="capaflow")
    session.commit()
    defect(session, acme, mid(FEB), 25)
    later = RUN_AT + timedelta(days=1)
    second = run_month(session, month=FEB, now=later, policy=policy(), actor="capaflow")
    session.commit()
    assert first[0].score is not None and second[0].score is not None
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
