"""The service desk's policies in force, and the checks every intake and step makes against
them: tiers, severities, categories, channels, kinds, and each tier's hours and targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from capaflow.calendars import Duration
from capaflow.calendars.hours import WorkingHours
from capaflow.config.policies import CalendarSection, Policies, section_of
from capaflow.config.service import DIMENSIONS, KINDS, ServiceSection, TierSection
from capaflow.errors import BadInput

__all__ = ["DIMENSIONS", "KINDS", "ServiceDesk", "load_desk"]


def _one_of(field: str, value: str, known: Any) -> str:
    if value not in known:
        raise BadInput(f"{field}: '{value}' is not one of {', '.join(known)}", field=field)
    return value


@dataclass(frozen=True)
class ServiceDesk:
    """`[service]` with the hours of each tier resolved on `[calendar]`."""

    section: ServiceSection
    hours: dict[str, WorkingHours]
    # The site key as configured (CAPA_SECRET_KEY), None for the one kept in the database:
    # the desk signs the survey link it sends with the follow-up, and must sign it with the
    # key the web server opens it with (accounts.secrets.site_secret resolves either).
    signing_key: str | None = field(default=None, repr=False)

    @property
    def actor(self) -> str:
        return self.section.actor

    def tier(self, code: str) -> TierSection:
        return self.section.tiers[self.check_tier(code)]

    def check_tier(self, code: str) -> str:
        return _one_of("tier", code, self.section.tiers)

    def check_severity(self, code: str, field: str = "severity") -> str:
        return _one_of(field, code, self.section.severities)

    def check_category(self, code: str) -> str:
        return _one_of("category", code, self.section.categories)

    def check_channel(self, code: str) -> str:
        return _one_of("channel", code, self.section.channels)

    def check_kind(self, code: str) -> str:
        return _one_of("kind", code, KINDS)

    def rank(self, severity: str) -> int:
        return self.section.severities[severity].rank

    def hours_of(self, tier: str) -> WorkingHours:
        return self.hours[self.tier(tier).hours]

    def working(self, tier: str, span: Duration) -> timedelta:
        """A target as working time on the tier's hours (a business day = one day's hours)."""
        if span.unit == "min":
            return timedelta(minutes=span.amount)
        if span.unit == "h":
            return timedelta(hours=span.amount)
        return self.hours_of(tier).day_length * span.amount

    def targets(self, tier: str, severity: str) -> dict[str, timedelta]:
        """The SLA clocks of a request: first response and resolution, in working time."""
        target = self.section.target(tier, severity)
        return {
            "first_response": self.working(tier, target.response),
            "resolution": self.working(tier, target.resolution),
        }


def load_desk(policies: Policies, *, signing_key: str | None = None) -> ServiceDesk:
    section = section_of(policies, "service", ServiceSection)
    calendar = section_of(policies, "calendar", CalendarSection).business_calendar()
    hours = {
        name: WorkingHours(calendar=calendar, around_the_clock=spec.around_the_clock,
                           opens=spec.opens, closes=spec.closes)
        for name, spec in section.hours.items()
    }
    return ServiceDesk(section=section, hours=hours, signing_key=signing_key)
