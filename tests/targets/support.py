"""What the review tests share: the review and the closing of a month through the services,
on a database and a site config, and an indicator whose figures the test sets month by month
(the registry entry the other parts fill, `targets.indicators.INDICATORS`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from capaflow.casework.engine import advance
from capaflow.documents.targets import closed_month_document, review_document
from capaflow.models.db import session_scope
from capaflow.runtime import Runtime
from capaflow.targets import indicators
from capaflow.targets.closing import close_month
from capaflow.targets.indicators import Department, Indicator
from capaflow.targets.policy import review_policy
from capaflow.targets.review import monthly_review


def review_of(url: str, month: str, now: datetime, *, config: str | None = None,
              department: str | None = None) -> dict[str, Any]:
    runtime = Runtime(database_url=url, config_path=config)
    with session_scope(runtime.engine()) as session:
        document: dict[str, Any] = review_document(monthly_review(
            session, month=month, department=department, now=now,
            review=review_policy(runtime.policies))).as_json()
    return document


def close(url: str, month: str, now: datetime, *, config: str | None = None) -> dict[str, Any]:
    runtime = Runtime(database_url=url, config_path=config)
    with session_scope(runtime.engine()) as session:
        document: dict[str, Any] = closed_month_document(close_month(
            session, month=month, now=now, review=review_policy(runtime.policies),
            policy=runtime.deadline_policy)).as_json()
    return document


def indicator(document: dict[str, Any], department: str, name: str) -> dict[str, Any]:
    dept = next(d for d in document["departments"] if d["code"] == department)
    found: dict[str, Any] = next(i for i in dept["indicators"] if i["name"] == name)
    return found


def after(month: str) -> datetime:
    """Noon on the 2nd of the month after `month`: when the month is reviewed."""
    year, number = (int(p) for p in month.split("-"))
    year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return datetime(year, number, 2, 12, 0, tzinfo=UTC)


def standardise(url: str, case_id: int, now: datetime) -> None:
    """Take a PDCA cycle through plan, do, check and act to closed (its target met)."""
    runtime = Runtime(database_url=url)
    for trigger, fields in (("execute", {"target": "back on target", "plan": "retrain"}),
                            ("measure", {"result": "on target"}), ("evaluate", {"met": "true"}),
                            ("standardize", {"standard": "new briefing"})):
        with session_scope(runtime.engine()) as session:
            advance(session, case_id=case_id, trigger=trigger, fields=fields, note=None,
                    actor="lead", now=now, policy=runtime.deadline_policy)


@pytest.fixture
def incidents_by_month(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, float]]:
    """The `incidents` entry measured from a table the test fills: {"2027-01": 3, ...} for
    department field_service (at most; the site's target below is 2)."""
    figures: dict[str, float] = {}

    def measure(_session: Any, department: Department, start: datetime,
                _end: datetime) -> float | None:
        if str(department) != "field_service":
            return None
        return figures.get(f"{start.year:04d}-{start.month:02d}")

    entry = indicators.INDICATORS["incidents"]
    monkeypatch.setitem(indicators.INDICATORS, "incidents", Indicator(
        name=entry.name, title=entry.title, unit=entry.unit, direction=entry.direction,
        method=entry.method, measure=measure))
    yield figures


INCIDENT_TARGET = "[targets.field_service.incidents]\ntarget = 2\n"
