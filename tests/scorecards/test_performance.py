"""The supplier's performance explained (scorecards.performance): each factor's measure,
weight and the points it adds, which sum to the score; the PPM month by month; the Pareto
of the last 12 months."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session

from capaflow.scorecards.grading import run_month
from capaflow.scorecards.history import list_scorecards
from capaflow.scorecards.performance import explain_components, pareto_months, ppm_trend
from tests.scorecards.support import RUN_AT, defect, lot, mid, policy, supplier

FEB = "2026-02"
UTC = ZoneInfo("UTC")


def test_the_components_contributions_sum_to_the_score_a_factor_without_data_adding_none(
    session: Session,
) -> None:
    acme = supplier(session, "ACME")
    for n in range(20):
        lot(session, acme, mid(FEB, 1 + n), accepted=n != 0, sampled=50,
            defects=2 if n == 0 else 0)
    defect(session, acme, mid(FEB), 6, source="line")
    session.commit()
    run_month(session, month=FEB, now=RUN_AT, policy=policy(), actor="capaflow")
    session.commit()
    [graded] = list_scorecards(session, code="ACME", count=1, now=mid(FEB), policy=policy())
    rows = explain_components(graded.components)
    assert graded.score is not None
    assert round(sum(r.contribution or 0 for r in rows), 1) == graded.score
    by_factor = {r.factor: r for r in rows}
    assert by_factor["acceptance"].measure == "95.0 %"
    assert by_factor["ppm"].measure == "2,000 ppm"
    assert by_factor["ppm"].weight == 20 and by_factor["ppm"].points == 60.0
    # No deadline due in February: response speed is left out, the others weigh more.
    assert (by_factor["response_speed"].points, by_factor["response_speed"].contribution,
            by_factor["response_speed"].measure) == (None, None, "no data")
    assert round(sum(r.effective_weight or 0 for r in rows), 6) == 1.0


def test_a_month_not_graded_has_no_components_to_explain() -> None:
    assert explain_components({}) == []


def test_ppm_trend_is_defects_per_million_inspected_per_month_empty_months_none(
    session: Session,
) -> None:
    acme = supplier(session, "ACME")
    lot(session, acme, mid("2026-01"), accepted=True, sampled=500, defects=1)
    lot(session, acme, mid("2026-01", 20), accepted=False, sampled=500, defects=3)
    lot(session, acme, mid(FEB), accepted=True, sampled=200, defects=0)
    defect(session, acme, mid(FEB), 6, source="line", code="DENT")
    session.commit()
    trend = ppm_trend(session, supplier_id=acme, now=mid(FEB), zone=UTC)
    assert len(trend) == 12 and trend[-1].month == FEB and trend[0].month == "2025-03"
    assert (trend[-2].month, trend[-2].ppm) == ("2026-01", 4000.0)
    assert trend[-1].ppm == 0.0
    assert trend[-3].ppm is None
    assert dict(pareto_months(session, supplier_id=acme, now=mid(FEB, 20),
                     zone=UTC))["DENT"] == 6
