"""The monthly review as the contract shows it: `capa review month ... --json`,
`capa review close-month ... --json` and GET /api/v1/reviews/{month}. Shares are fractions
(0.9 = 90 %), counts are per month; a figure with nothing to measure is null, and so is `met`
then. The definitions are targets.indicators's (the README's "Monthly review")."""

from __future__ import annotations

from capaflow.documents.base import Public, Timestamp
from capaflow.targets.closing import ClosedMonth
from capaflow.targets.review import MonthlyReview


class TrendValuePublic(Public):
    month: str
    value: float | None
    target: float | None
    met: bool | None


class VerdictPublic(Public):
    """What the two-misses rule says of the indicator this month: `none`, `cycle_open` (the
    cycle it opened is still open), `cycle_due` (closing the month opens one) or
    `cycle_opened` (closing the month opened `cycle_case_id`). `act_failed`: the earlier
    cycle closed and the indicator missed right after."""

    status: str
    cycle_case_id: int | None
    earlier_case_id: int | None
    act_failed: bool


class IndicatorReviewPublic(Public):
    name: str
    title: str
    unit: str
    direction: str
    method: str
    value: float | None
    target: float | None
    met: bool | None
    kept: bool
    trend: list[TrendValuePublic]
    verdict: VerdictPublic


class OpenActionPublic(Public):
    case_id: int
    lifecycle: str
    source: str
    title: str
    state: str
    owner: str | None
    next_due_at: Timestamp | None
    late: bool


class MonthIncidentPublic(Public):
    reference: str
    title: str
    at: Timestamp
    severity: str


class CausePublic(Public):
    category: str
    count: int
    share: float
    cumulative_share: float


class DepartmentReviewPublic(Public):
    code: str
    title: str
    teams: list[str]
    indicators: list[IndicatorReviewPublic]
    actions: list[OpenActionPublic]
    incidents: list[MonthIncidentPublic]
    causes: list[CausePublic]
    causes_total: int


class MonthlyReviewPublic(Public):
    month: str
    timezone: str
    starts_at: Timestamp
    ends_at: Timestamp
    computed_at: Timestamp
    closed: bool
    departments: list[DepartmentReviewPublic]


class OpenedCyclePublic(Public):
    case_id: int
    department: str
    indicator: str
    earlier_case_id: int | None
    act_failed: bool


class ClosedMonthPublic(Public):
    month: str
    kept: int
    opened: list[OpenedCyclePublic]
    review: MonthlyReviewPublic


def review_document(review: MonthlyReview) -> MonthlyReviewPublic:
    return MonthlyReviewPublic.model_validate(review, from_attributes=True)


def closed_month_document(closed: ClosedMonth) -> ClosedMonthPublic:
    return ClosedMonthPublic.model_validate(closed, from_attributes=True)
