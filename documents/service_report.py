"""The monthly service report and the weekly management digest as the contract shows them:
`capa service report --month ... --format json`, GET /api/v1/service/report and
`capa service digest --json`. Shares are fractions (0.9 = 90 %), NPS is -100..100, dimension
means are 1-5; a figure with nothing to count is null. The definitions are
servicedesk.reports's (the README's "Service reports")."""

from __future__ import annotations

from capaflow.documents.base import Public, Timestamp
from capaflow.servicedesk.digest import Digest
from capaflow.servicedesk.reports import ServiceReport


class AttainmentPublic(Public):
    group: str
    counted: int
    met_on_time: int
    breached: int
    share: float | None


class ClockAttainmentPublic(AttainmentPublic):
    """One SLA clock (`group`: first_response or resolution) over the month."""

    by_tier: list[AttainmentPublic]
    by_severity: list[AttainmentPublic]
    by_team: list[AttainmentPublic]


class BreachPublic(Public):
    request: int
    title: str
    customer: str
    tier: str
    severity: str
    team: str
    clock: str
    due_at: Timestamp
    met_at: Timestamp | None
    late_minutes: int
    running: bool


class SatisfactionPublic(Public):
    answered: int
    no_response: int
    response_rate: float | None
    csat: float | None
    csat_answers: int
    nps: float | None
    nps_answers: int
    promoters: int
    detractors: int
    dimensions: dict[str, float | None]


class TrendPointPublic(Public):
    month: str
    csat: float | None
    nps: float | None
    first_response: float | None
    resolution: float | None
    answered: int
    clocks: int


class ParetoRowPublic(Public):
    category: str
    count: int
    share: float
    cumulative_share: float


class ReceivedPublic(Public):
    """A complaint or claim as the report and the digest list it."""

    request: int
    kind: str
    title: str
    customer: str
    severity: str
    state: str
    received_at: Timestamp
    corrective_case: int | None


class ServiceReportPublic(Public):
    month: str
    timezone: str
    starts_at: Timestamp
    ends_at: Timestamp
    computed_at: Timestamp
    received: int
    by_kind: dict[str, int]
    by_channel: dict[str, int]
    by_tier: dict[str, int]
    by_severity: dict[str, int]
    attainment: list[ClockAttainmentPublic]
    breaches: list[BreachPublic]
    breaches_total: int
    satisfaction: SatisfactionPublic
    trend: list[TrendPointPublic]
    complaints: list[ParetoRowPublic]
    complaints_total: int
    claims: list[ReceivedPublic]


class DigestPublic(Public):
    week: str
    starts_at: Timestamp
    ends_at: Timestamp
    queued: bool  # false: this week's digest was queued before (one per week)
    notice: int | None
    subject: str
    complaints: list[ReceivedPublic]
    claims: list[ReceivedPublic]
    still_open: list[ReceivedPublic]
    still_open_total: int
    breaches: list[BreachPublic]
    breaches_total: int


def service_report_document(report: ServiceReport) -> ServiceReportPublic:
    """The report as its document: the same fields, read by their attributes."""
    return ServiceReportPublic.model_validate(report, from_attributes=True)


def digest_document(digest: Digest) -> DigestPublic:
    return DigestPublic.model_validate(digest, from_attributes=True)
