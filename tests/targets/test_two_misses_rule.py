"""The rule of the monthly review (docs/architecture.md, "Service quality control"): an
indicator missing its target this month and the one before opens ONE PDCA cycle for the
department and indicator, none while that one is open; once it is closed, a miss right in
the next month means its "act" failed and opens a new cycle referring to it (dynamic PDCA),
and later a new run of two misses opens another.

The figures come from the `incidents` entry, measured here from a table the test fills (at
most 2 a month for field_service, in the site's config)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from capaflow.models import Case, IndicatorCycle
from capaflow.models.db import get_engine, session_scope
from tests.targets.support import INCIDENT_TARGET, after, close, indicator, standardise


def site(tmp_path: Path) -> str:
    path = tmp_path / "site.toml"
    path.write_text(INCIDENT_TARGET, encoding="utf-8")
    return str(path)


def cycles(url: str) -> list[tuple[int, str, str, str, int | None, bool]]:
    with session_scope(get_engine(url)) as session:
        return [(c.case_id, c.department, c.indicator, c.month, c.earlier_case_id, c.act_failed)
                for c in session.exec(select(IndicatorCycle).order_by(col(IndicatorCycle.id)))]


def pdca_cases(url: str) -> list[Case]:
    with session_scope(get_engine(url)) as session:
        found = list(session.exec(select(Case).where(Case.lifecycle == "pdca")))
        session.expunge_all()
        return found


def test_missing_twice_running_opens_one_pdca_cycle_with_the_indicator_as_target(
        db_url: str, tmp_path: Path, incidents_by_month: dict[str, float]) -> None:
    config = site(tmp_path)
    incidents_by_month.update({"2027-01": 3, "2027-02": 4})
    first = close(db_url, "2027-01", after("2027-01"), config=config)
    assert first["opened"] == [] and first["kept"] == 18
    second = close(db_url, "2027-02", after("2027-02"), config=config)
    [opened] = second["opened"]
    assert (opened["department"], opened["indicator"]) == ("field_service", "incidents")
    [cycle] = pdca_cases(db_url)
    assert cycle.id == opened["case_id"] and cycle.state == "plan"
    assert cycle.owner == "service_manager"
    assert cycle.content["indicator"] == {"department": "field_service", "name": "incidents",
                                          "target": 2.0, "direction": "at_most"}
    assert "2027-01: 3" in cycle.content["problem"] and "2027-02: 4" in cycle.content["problem"]
    assert indicator(second["review"], "field_service", "incidents")["verdict"] == {
        "status": "cycle_opened", "cycle_case_id": cycle.id, "earlier_case_id": None,
        "act_failed": False}
    # Closing the month again keeps nothing and opens nothing new.
    again = close(db_url, "2027-02", after("2027-02"), config=config)
    assert (again["kept"], again["opened"]) == (0, [])
    assert len(pdca_cases(db_url)) == 1


def test_the_month_before_counts_even_when_it_was_never_closed(
        db_url: str, tmp_path: Path, incidents_by_month: dict[str, float]) -> None:
    incidents_by_month.update({"2027-01": 3, "2027-02": 4})
    closed = close(db_url, "2027-02", after("2027-02"), config=site(tmp_path))
    assert len(closed["opened"]) == 1


def test_a_third_miss_while_the_cycle_is_open_opens_none(
        db_url: str, tmp_path: Path, incidents_by_month: dict[str, float]) -> None:
    config = site(tmp_path)
    incidents_by_month.update({"2027-01": 3, "2027-02": 4, "2027-03": 5})
    close(db_url, "2027-01", after("2027-01"), config=config)
    [opened] = close(db_url, "2027-02", after("2027-02"), config=config)["opened"]
    third = close(db_url, "2027-03", after("2027-03"), config=config)
    assert third["opened"] == []
    assert indicator(third["review"], "field_service", "incidents")["verdict"]["status"] == (
        "cycle_open")
    assert indicator(third["review"], "field_service", "incidents")["verdict"][
        "cycle_case_id"] == opened["case_id"]
    assert len(pdca_cases(db_url)) == 1


def test_a_month_met_in_between_opens_none(
        db_url: str, tmp_path: Path, incidents_by_month: dict[str, float]) -> None:
    config = site(tmp_path)
    incidents_by_month.update({"2027-01": 3, "2027-02": 2, "2027-03": 3})
    for month in ("2027-01", "2027-02", "2027-03"):
        assert close(db_url, month, after(month), config=config)["opened"] == []
    assert pdca_cases(db_url) == [] and cycles(db_url) == []


def test_a_miss_right_after_the_cycle_closed_means_its_act_failed(
        db_url: str, tmp_path: Path, incidents_by_month: dict[str, float]) -> None:
    config = site(tmp_path)
    incidents_by_month.update({"2027-01": 3, "2027-02": 3, "2027-03": 1, "2027-04": 3})
    close(db_url, "2027-01", after("2027-01"), config=config)
    [first] = close(db_url, "2027-02", after("2027-02"), config=config)["opened"]
    standardise(db_url, first["case_id"], after("2027-02").replace(day=20))  # closed in March
    assert close(db_url, "2027-03", after("2027-03"), config=config)["opened"] == []
    april = close(db_url, "2027-04", after("2027-04"), config=config)
    [second] = april["opened"]
    assert (second["earlier_case_id"], second["act_failed"]) == (first["case_id"], True)
    verdict = indicator(april["review"], "field_service", "incidents")["verdict"]
    assert verdict == {"status": "cycle_opened", "cycle_case_id": second["case_id"],
                       "earlier_case_id": first["case_id"], "act_failed": True}
    new = next(c for c in pdca_cases(db_url) if c.id == second["case_id"])
    assert new.linked_case_id == first["case_id"]
    assert "act step did not hold" in new.content["problem"]


def test_after_a_closed_cycle_a_new_run_of_two_misses_opens_another(
        db_url: str, tmp_path: Path, incidents_by_month: dict[str, float]) -> None:
    config = site(tmp_path)
    incidents_by_month.update({"2027-01": 3, "2027-02": 3, "2027-03": 0, "2027-04": 0,
                               "2027-05": 3, "2027-06": 4})
    close(db_url, "2027-01", after("2027-01"), config=config)
    [first] = close(db_url, "2027-02", after("2027-02"), config=config)["opened"]
    standardise(db_url, first["case_id"], after("2027-02").replace(day=20))
    opened = [close(db_url, m, after(m), config=config)["opened"]
              for m in ("2027-03", "2027-04", "2027-05", "2027-06")]
    assert opened[:3] == [[], [], []]
    [second] = opened[3]
    assert (second["earlier_case_id"], second["act_failed"]) == (first["case_id"], False)
    assert [c[3] for c in cycles(db_url)] == ["2027-02", "2027-06"]
