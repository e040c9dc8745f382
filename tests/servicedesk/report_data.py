"""A small month of service requests whose report figures are worked out by hand in
test_reports.py: eight requests around November 2026 (UTC, the default `[calendar]` zone),
built through the desk's own services, each step at its own `now`.

Key tier (around the clock, so a due time is the intake time plus the target):
S2 = 1 h response / 8 h resolution, S3 = 4 h / 24 h, S4 = 8 h / 72 h. One standard-tier
request on business hours (08:00-18:00 UTC, Mon-Fri): S3 = 4 h / 3 business days of 10 h.
The site's override sets the standard tier's follow-up rate to 0, so only key requests are
surveyed (key: always).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from capaflow.models.db import session_scope
from capaflow.runtime import Runtime
from capaflow.servicedesk.followup import Answer, record_follow_up
from capaflow.servicedesk.register import add_customer, add_person
from capaflow.servicedesk.requests import advance_request, open_request

MONTH = "2026-11"
REPORT_NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
SITE = '[service.tiers.standard]\nfollow_up_rate = 0.0\n'


def at(text: str) -> datetime:
    """"11-03 10:00" → 2026-11-03T10:00Z (October when the month is 10)."""
    return datetime.fromisoformat(f"2026-{text}:00+00:00")


@dataclass
class DataSet:
    url: str
    config: str
    ids: dict[str, int]


def site_config(folder: Path) -> str:
    path = folder / "site.toml"
    path.write_text(SITE, encoding="utf-8")
    return str(path)


def build(url: str, folder: Path) -> DataSet:
    config = site_config(folder)
    runtime = Runtime(database_url=url, config_path=config)
    desk, policy = runtime.service_desk, runtime.deadline_policy
    engine = runtime.engine()
    ids: dict[str, int] = {}
    t0 = at("10-01 08:00")
    with session_scope(engine) as session:
        add_customer(session, desk=desk, code="K1", name="Hotel Kestrel", tier="key",
                     contact=None, now=t0)
        add_customer(session, desk=desk, code="S1", name="Shop Sparrow", tier="standard",
                     contact=None, now=t0)
        for name, team, skills in (("ana", "field", "installation,repair"),
                                   ("ben", "office", None), ("dee", "desk", None)):
            add_person(session, name=name, team=team, skills=skills, lead=False, now=t0)

    def open_(label: str, when: str, *, customer: str = "K1", kind: str, severity: str,
              category: str, channel: str) -> None:
        with session_scope(engine) as session:
            step = open_request(session, desk=desk, policy=policy, customer=customer,
                                kind=kind, severity=severity, category=category,
                                channel=channel, title=f"{label}: {kind} about {category}",
                                description=None, assignee=None, actor="desk", now=at(when))
            ids[label] = step.request.case_id

    def step(label: str, trigger: str, when: str, **fields: str) -> None:
        with session_scope(engine) as session:
            advance_request(session, desk=desk, policy=policy, case_id=ids[label],
                            trigger=trigger, fields=fields, note=None, actor="desk",
                            now=at(when))

    def answer(label: str, when: str, overall: int, nps: int | None,
               dimensions: dict[str, int] | None = None) -> None:
        with session_scope(engine) as session:
            record_follow_up(session, desk=desk, policy=policy, case_id=ids[label],
                             answer=Answer(solved=True, overall=overall, nps=nps,
                                           dimensions=dimensions),
                             channel="phone", by="desk", actor="desk", now=at(when))

    def dims(*scores: int) -> dict[str, int]:
        names = ("reliability", "assurance", "tangibles", "empathy", "responsiveness")
        return dict(zip(names, scores, strict=True))

    # October, for the trend: response met on time, resolution an hour late, answered 4/9.
    open_("R0", "10-20 10:00", kind="request", severity="S2", category="repair",
          channel="phone")
    step("R0", "acknowledge", "10-20 10:30", response="on our way")
    step("R0", "resolve", "10-20 19:00", resolution="fixed")
    answer("R0", "10-21 10:00", 4, 9)
    # Received 23:30 on 31 October: an October request whose clocks fall due in November.
    open_("R8", "10-31 23:30", kind="inquiry", severity="S4", category="general",
          channel="api")
    step("R8", "acknowledge", "11-01 06:00", response="answered")
    step("R8", "resolve", "11-02 10:00", resolution="explained")  # survey never answered
    # Standard tier, business hours, from Monday 2 November 09:00.
    open_("R7", "11-02 09:00", customer="S1", kind="request", severity="S3",
          category="installation", channel="walk_in")
    step("R7", "acknowledge", "11-02 10:00", response="booked")
    step("R7", "resolve", "11-06 09:00", resolution="installed")  # due Thu 09:00: a day late
    open_("R1", "11-03 10:00", kind="request", severity="S2", category="repair",
          channel="phone")
    step("R1", "acknowledge", "11-03 10:30", response="on our way")
    step("R1", "resolve", "11-03 17:00", resolution="fixed")
    answer("R1", "11-04 10:00", 5, 10, dims(5, 4, 4, 5, 5))
    open_("R2", "11-05 08:00", kind="complaint", severity="S3", category="billing",
          channel="mail")
    step("R2", "acknowledge", "11-05 13:00", response="looking into it")  # an hour late
    step("R2", "resolve", "11-06 07:00", resolution="credit note")
    answer("R2", "11-07 10:00", 3, 6, dims(3, 3, 2, 3, 3))
    # A claim given as S3 is raised to S2; its resolution is still running at the report.
    open_("R3", "11-10 09:00", kind="claim", severity="S3", category="repair",
          channel="web")
    step("R3", "acknowledge", "11-10 09:20", response="claim registered")
    # On hold an hour after intake, before either clock was due, and still on hold.
    open_("R4", "11-12 12:00", kind="complaint", severity="S4", category="billing",
          channel="phone")
    step("R4", "hold", "11-12 13:00", reason="waiting for the customer's invoice copy")
    open_("R5", "11-20 10:00", kind="complaint", severity="S3", category="repair",
          channel="phone")
    step("R5", "acknowledge", "11-20 11:00", response="on our way")
    step("R5", "resolve", "11-20 16:00", resolution="fixed")  # survey never answered
    # Resolution due 1 December 09:00: December's clock, not November's.
    open_("R6", "11-28 09:00", kind="inquiry", severity="S4", category="general",
          channel="portal")
    step("R6", "acknowledge", "11-28 10:00", response="looking")
    return DataSet(url=url, config=config, ids=ids)
