"""`[service]` of the policies, typed: the service desk's tiers, severities, categories, hours,
SLA targets, follow-up and feedback rules (docs/architecture.md, "Service desk").

Checked here: types, bounds, unknown keys, and that every name one table uses is defined in
another (a tier's hours, an SLA's severity, a claim's minimum severity). The notice roles of
the reminders and the ladder are checked by deadlines.policy, which knows the roles.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated, Literal

from pydantic import Field, PlainValidator, model_validator

from capaflow.calendars import Duration
from capaflow.config.notices import EscalationSection, RemindersSection
from capaflow.config.sections import (
    DurationText,
    Flag,
    Name,
    Names,
    Number,
    Section,
    Text,
    as_duration,
    refuse,
)

CHANNELS = ("phone", "mail", "web", "portal", "api", "walk_in")
KINDS = ("inquiry", "request", "complaint", "claim")
# The five things customers expect of a service (SERVQUAL), each scored 1-5 at follow-up.
DIMENSIONS = ("reliability", "assurance", "tangibles", "empathy", "responsiveness")


def _clock_time(value: object) -> time:
    if isinstance(value, time):
        return value
    if not isinstance(value, str):
        raise refuse(f"expected a time of day such as \"08:00\", got {value!r}")
    try:
        parsed = time.fromisoformat(value.strip())
    except ValueError:
        raise refuse(f"'{value}' is not a time of day such as \"08:00\"") from None
    return parsed.replace(tzinfo=None)


def _working_span(value: object) -> Duration:
    # An SLA target is working time on the tier's hours: minutes, hours, or business days
    # (one business day = one day's opening hours). Calendar days and months are refused:
    # "2d" on business hours would read as 48 working hours, which nobody means.
    if isinstance(value, Duration):
        duration = value
    elif isinstance(value, str):
        duration = as_duration(value)
    else:
        raise refuse(f"expected a span such as \"4h\", got {value!r}")
    if duration.unit not in ("min", "h", "bd") or duration.amount <= 0:
        raise refuse(f"'{value}' must be a positive working span in minutes, hours or "
                     "business days (\"30min\", \"4h\", \"2bd\")")
    return duration


ClockTime = Annotated[time, PlainValidator(_clock_time)]
WorkingSpan = Annotated[Duration, PlainValidator(_working_span)]
Score = Annotated[int, Field(strict=True, ge=0, le=10)]
Rate = Annotated[Number, Field(ge=0, le=1)]


class HoursSection(Section):
    """When a desk serves: around the clock, or opens..closes on [calendar]'s business days."""

    around_the_clock: Flag = False
    opens: ClockTime = time(8, 0)
    closes: ClockTime = time(18, 0)

    @model_validator(mode="after")
    def _closes_after_opens(self) -> HoursSection:
        if not self.around_the_clock and self.closes <= self.opens:
            raise refuse("must be after opens (a desk open past midnight is around_the_clock)",
                          at="closes")
        return self


class SeveritySection(Section):
    # 1 is the most severe; escalating a request moves it to a lower rank.
    rank: Annotated[int, Field(strict=True, ge=1, le=99)]
    title: Text


class TargetSection(Section):
    """The two SLA targets of one severity in one tier, in working time on the tier's hours."""

    response: WorkingSpan
    resolution: WorkingSpan


class TierSection(Section):
    title: Text
    hours: Name
    # The share of resolved requests whose customer gets the follow-up survey (1.0 = all).
    follow_up_rate: Rate
    # People this tier's requests go to first, when they are on the right team and available.
    first: Names = ()
    sla: dict[str, TargetSection]


class CategorySection(Section):
    title: Text
    team: Name
    # Only people with this skill take the category; "" means anyone on the team.
    skill: str = ""


class FeedbackSection(Section):
    # A follow-up at or below either threshold is a low score: a corrective action opens.
    low_overall: Annotated[int, Field(strict=True, ge=1, le=5)] = 2
    low_dimension: Annotated[int, Field(strict=True, ge=1, le=5)] = 2
    # What a low score or a claim opens: an 8D case without a supplier, or a PDCA cycle.
    corrective_lifecycle: Literal["8d", "pdca"] = "8d"
    # The same category of complaint this many times in a calendar month opens one PDCA.
    repeat_complaints: Annotated[int, Field(strict=True, ge=2, le=1000)] = 3
    # A low dimension gives the person who handled the request a training item due in this.
    training_due: DurationText = Duration(14, "d")
    owner: Name = "service_manager"


class ServiceSection(Section):
    actor: Name = "capaflow"
    hours: dict[str, HoursSection]
    severities: dict[str, SeveritySection]
    tiers: dict[str, TierSection]
    categories: dict[str, CategorySection]
    channels: Names = CHANNELS
    # A claim for compensation is a matter for management: at least this severe.
    claim_min_severity: Name = "S2"
    # After resolve: the follow-up answer is owed within this; the survey link lasts as long.
    follow_up_within: DurationText = Duration(7, "d")
    # A request not sampled for the survey closes this long after it was resolved.
    close_after: DurationText = Duration(3, "d")
    # After closure the customer may still reopen within this.
    reopen_window: DurationText = Duration(14, "d")
    feedback: FeedbackSection = FeedbackSection()
    # Deadlines of requests are reminded and escalated on their own ladder (the roles are
    # checked by deadlines.policy): assignee → team lead → service manager → director.
    reminders: RemindersSection = RemindersSection()
    escalation: EscalationSection = EscalationSection()

    @model_validator(mode="after")
    def _names_defined(self) -> ServiceSection:
        if not self.severities:
            raise refuse("at least one severity is needed", at="severities")
        for code, tier in self.tiers.items():
            self._check_tier(code, tier)
        if self.claim_min_severity not in self.severities:
            raise refuse(f"'{self.claim_min_severity}' is not a severity "
                         f"({', '.join(self.severities)})", at="claim_min_severity")
        ranks = [s.rank for s in self.severities.values()]
        if len(set(ranks)) != len(ranks):
            raise refuse("each severity needs its own rank", at="severities")
        for channel in self.channels:
            if not channel.replace("_", "").isalnum():
                raise refuse(f"'{channel}' is not a channel name", at="channels")
        return self

    def _check_tier(self, code: str, tier: TierSection) -> None:
        if tier.hours not in self.hours:
            raise refuse(f"'{tier.hours}' is not in [service.hours] "
                         f"({', '.join(self.hours)})", at=f"tiers.{code}.hours")
        for severity in self.severities:
            if severity not in tier.sla:
                raise refuse(f"no SLA for severity {severity}", at=f"tiers.{code}.sla")
        for severity in tier.sla:
            if severity not in self.severities:
                raise refuse(f"'{severity}' is not a severity ({', '.join(self.severities)})",
                             at=f"tiers.{code}.sla.{severity}")

    def severities_by_rank(self) -> tuple[str, ...]:
        """Most severe first."""
        return tuple(sorted(self.severities, key=lambda s: self.severities[s].rank))

    def target(self, tier: str, severity: str) -> TargetSection:
        return self.tiers[tier].sla[severity]
