"""Outbox dispatch: send the notices that are due, retry with backoff, give up after a limit.

Claiming. A batch is claimed by a conditional UPDATE (status 'sending', next_attempt_at moved
to the end of a lease) of the due rows a SELECT picked, and it only changes rows still due, so
two dispatchers running at once claim disjoint rows: on PostgreSQL the SELECT locks its rows
FOR UPDATE SKIP LOCKED and a second dispatcher passes over them; on SQLite the UPDATE runs
under the database's single write lock. The claim commits before anything is sent: no row lock
is held while a slow SMTP server or webhook answers. The time a notice spends claimed is a
lease, in `now`'s terms: dispatchers meant to run side by side must share a clock (a simulated
--now far ahead would take over rows still being sent). A claim takes over only a lease that
has run out, and moves its end further on, so the lease's end is the claim's fencing token.

Attempts. A claim costs no attempt: the attempt is counted when it is made, in a short
transaction of its own right before the notice is sent (`_begin`, guarded by the claim's
lease), so a dispatcher killed again and again after claiming (out of memory, a pod restarted)
burns nothing: what it claimed and never sent goes back to pending, attempts untouched, once
its lease has run out. Only the notice being sent at the crash has an attempt counted for it.

Marking. Each notice's outcome is written in its own short transaction right after its send,
guarded by (status 'sending', the attempt number begun), so a dispatcher whose lease ran out
and whose row was taken over cannot overwrite the newer attempt's result.

At-least-once. A dispatcher that dies between a send and its mark leaves the row 'sending'
with next_attempt_at at the lease's end; once that passes, it goes back to pending and is sent
again (the attempt in flight counted; one in flight on its last attempt is marked failed, not
sent once more: it may or may not have arrived). A duplicate after a crash is accepted; a lost
notice is not. A dispatcher that is merely slow stops taking rows from its claimed batch once
half the lease has passed and hands the rest back, so a live dispatcher never sends a row
another one may already have taken over.

Concurrency. A batch's notices are sent up to `concurrency` at a time (`[dispatch]
concurrency`), because a send is mostly waiting on the other end and Apprise opens a new
connection for every one of them (bench/dispatch.py). Only the sends run in a small pool of
threads; the dispatcher's own thread counts each attempt right before its send starts and marks
each notice in its own transaction as soon as its send is done, so every rule above holds
per notice: a crash leaves at most `concurrency` notices with an attempt counted and no
mark, and they are sent again after the lease. The database sees one writer per dispatcher,
as before (SQLite has one write lock; its busy handler would sleep where a queue wakes).

Partial delivery. A notice goes to several people; when some got it and some did not, the
masked URLs of those who did are kept in `extra["delivered"]` and a retry goes only to the
others, so one supplier's broken webhook does not send the owner five copies.

Supplier links. Given `link_for` (supplier id → portal URL), the copy a supplier's people get
ends with a link to their open requests, made at send time so it is valid from the moment it
arrives (a retry days later carries a fresh one). Only the supplier's targets get it: the
copy for the quality team is sent separately, without it.

Survey links. A survey notice (docs/architecture.md, "Service desk") names its follow-up in
`extra["follow_up_id"]` and goes to the request's customer alone; given `survey_link_for`
(accounts.customer_links.site_survey_link_maker), its body ends with the survey's signed link,
made again at send time from the follow-up (the same link each time: it expires with the
follow-up), so the link is kept nowhere in the outbox. A follow-up no longer open, or whose
link no longer matches its digest (the site's key changed), fails the notice for good: a
survey that cannot be answered is not sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, select, update
from sqlmodel import Session

from capaflow.config.policies import DispatchSection, Policies, section_of
from capaflow.models import Case, Customer, FollowUp, Notification, Supplier
from capaflow.models.db import build
from capaflow.notifications.notices import (
    FAILED,
    PENDING,
    SENDING,
    SENT,
    cases_and_suppliers,
    customers_of,
    follow_ups_of,
    supplier_id_of,
)
from capaflow.notifications.notifier import Delivery, Notifier, scrub
from capaflow.notifications.routing import SUPPLIER_ROLES, Routes, resolve, unreached_roles
from capaflow.notifications.urls import mask

# Long enough for a batch of slow services; a dispatcher stops taking rows from its batch at
# half of it (see the module docstring), so only a crashed dispatcher's rows wait this long.
LEASE_SECONDS = 600
# The most sends of a batch in flight at once (`[dispatch] concurrency` is bounded by it).
MAX_CONCURRENCY = 32
# Doubling backoff, capped: with a large max_attempts the delay would otherwise outgrow any
# useful retry (and timedelta itself).
MAX_BACKOFF = timedelta(days=1)

_notices: Table = Notification.__table__  # type: ignore[attr-defined]
_c = _notices.c

# Built once: a statement costs more to build than a cached one costs to run, and this one
# runs once per notice. The guard is the fencing token of the claim.
_finish = (
    update(_notices)
    .where(
        _c.id == bindparam("b_id"),
        _c.status == SENDING,
        _c.attempts == bindparam("b_attempts"),
    )
    .values(
        status=bindparam("b_status"),
        next_attempt_at=bindparam("b_next", type_=_c.next_attempt_at.type),
        sent_at=bindparam("b_sent_at", type_=_c.sent_at.type),
        last_error=bindparam("b_error"),
        extra=bindparam("b_extra", type_=_c.extra.type),
        unreached=bindparam("b_unreached", type_=_c.unreached.type),
    )
)
# What a supplier's copy of a notice ends with (see "Supplier links" above).
LINK_LINE = "Your open requests: {link}"
# supplier id → a portal URL for that supplier's people, valid from now (accounts.links).
LinkFor = Callable[[int], str]
# What a survey notice ends with (see "Survey links" above).
SURVEY_LINE = "Your survey: {link}"
# (follow-up, customer id) → the survey's URL, or None when the follow-up no longer matches
# the link it was issued with (accounts.customer_links.survey_link_maker).
SurveyLinkFor = Callable[[FollowUp, int], str | None]

# Hands an unsent row of a batch back, as it was before the claim (a claim costs no attempt).
_release = (
    update(_notices)
    .where(
        _c.id == bindparam("b_id"),
        _c.status == SENDING,
        _c.attempts == bindparam("b_attempts"),
        _c.next_attempt_at == bindparam("b_lease", type_=_c.next_attempt_at.type),
    )
    .values(
        status=PENDING,
        next_attempt_at=bindparam("b_next", type_=_c.next_attempt_at.type),
    )
)

# An attempt is counted as it is made, right before the send, never at the claim
# (docs/architecture.md, "At-least-once out, exactly-once in"); only under this dispatcher's
# own claim (the lease's end is the fencing token: a later claim moves it on).
_begin_attempt = (
    update(_notices)
    .where(
        _c.id == bindparam("b_id"),
        _c.status == SENDING,
        _c.attempts == bindparam("b_attempts"),
        _c.next_attempt_at == bindparam("b_lease", type_=_c.next_attempt_at.type),
    )
    .values(attempts=_c.attempts + 1)
)


# config `[dispatch]`: how many attempts, the first retry delay, notices per claim.
DispatchPolicy = DispatchSection


def dispatch_policy(policies: Policies | Mapping[str, Any]) -> DispatchPolicy:
    """`[dispatch]`, typed; a bad value is BadInput naming it (`dispatch.max_attempts`)."""
    return section_of(policies, "dispatch", DispatchSection)


@dataclass
class DispatchReport:
    sent_ids: list[int] = field(default_factory=list)
    retried_ids: list[int] = field(default_factory=list)
    failed_ids: list[int] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return len(self.sent_ids)

    @property
    def retried(self) -> int:
        return len(self.retried_ids)

    @property
    def failed(self) -> int:
        return len(self.failed_ids)


def backoff(attempts: int, backoff_seconds: int) -> timedelta:
    """The wait after failed attempt number `attempts`: backoff, 2×, 4×, ... (capped)."""
    # Capped as a number of seconds, before it becomes a timedelta (which overflows).
    seconds = backoff_seconds * 2 ** min(max(attempts - 1, 0), 64)
    return timedelta(seconds=min(seconds, int(MAX_BACKOFF.total_seconds())))


def _claim(
    session: Session, *, now: datetime, lease_until: datetime, limit: int
) -> list[Notification] | None:
    """This dispatcher's next batch; None when nothing is due at all.

    An empty list means rows were due but another dispatcher got them all first.
    """
    due = and_(_c.status.in_((PENDING, SENDING)), _c.next_attempt_at <= now)
    # Two statements in one transaction, not UPDATE ... WHERE id IN (SELECT ... LIMIT): with
    # that, PostgreSQL may run the locking subquery once per outer row (a semi-join) and
    # claim more than `limit` rows (seen: 823 for 200), slowly. On PostgreSQL the SELECT
    # locks the rows it returns and skips rows another dispatcher holds (SKIP LOCKED);
    # SQLAlchemy leaves FOR UPDATE out on SQLite, where two dispatchers may pick the same
    # ids but the UPDATE, checking `due` again under SQLite's single write lock, gives each
    # row to one of them only. RETURNING says which rows this dispatcher really got.
    pick = (
        select(_c.id)
        .where(due)
        .order_by(_c.next_attempt_at, _c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.connection().execute(pick).scalars())
    if not ids:
        session.commit()
        return None
    claim = (
        update(_notices)
        .where(_c.id.in_(ids), due)
        .values(status=SENDING, next_attempt_at=lease_until)
        .returning(*_c)
    )
    rows = session.connection().execute(claim).mappings().all()
    session.commit()
    # RETURNING has no order; oldest first, as they were queued.
    return sorted((build(Notification, **row) for row in rows), key=lambda n: n.id or 0)


def _recover_expired(session: Session, *, now: datetime, max_attempts: int) -> list[int]:
    """Rows a dispatcher left 'sending' whose lease ran out: back to pending, attempts as
    they are (a claim costs none; a send in flight was counted when it began), except those
    left in flight on their last attempt, failed rather than sent once more. The failed ids."""
    expired = and_(_c.status == SENDING, _c.next_attempt_at <= now)
    failed = (
        update(_notices)
        .where(expired, _c.attempts >= max_attempts)
        .values(
            status=FAILED,
            next_attempt_at=None,
            last_error="a dispatcher stopped while sending the last attempt; it may or may "
            "not have arrived",
        )
        .returning(_c.id)
    )
    ids = sorted(session.connection().execute(failed).scalars())
    # Still due: next_attempt_at stays at the lease's end, which is past.
    session.connection().execute(update(_notices).where(expired).values(status=PENDING))
    session.commit()
    return ids


def _begin(session: Session, notice: Notification) -> bool:
    """Count the attempt about to be made; False when the claim is no longer ours."""
    assert notice.id is not None
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # As for the mark (see _mark): if the server lost this commit, the row would read as
        # never tried and be sent again, which at-least-once allows.
        connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
    changed = connection.execute(_begin_attempt, {
        "b_id": notice.id, "b_attempts": notice.attempts, "b_lease": notice.next_attempt_at,
    }).rowcount
    session.commit()
    if changed:
        notice.attempts += 1
    return bool(changed)


@dataclass(frozen=True)
class _Context:
    cases: dict[int, Case]
    suppliers: dict[int, Supplier]
    customers: dict[int, Customer]  # by case id
    follow_ups: dict[int, FollowUp]


def _context(session: Session, notices: Sequence[Notification]) -> _Context:
    cases, suppliers = cases_and_suppliers(session, notices)
    found = _Context(cases=cases, suppliers=suppliers, customers=customers_of(session, notices),
                     follow_ups=follow_ups_of(session, notices))
    session.commit()  # end the read: nothing is held while sending
    return found


def _survey_body(
    notice: Notification, context: _Context, survey_link_for: SurveyLinkFor | None
) -> tuple[str | None, str | None, bool]:
    """A survey notice's body with its link; else (None, why, final)."""
    customer = context.customers.get(notice.case_id) if notice.case_id is not None else None
    follow_up = context.follow_ups.get(notice.extra["follow_up_id"])
    if customer is None or customer.id is None or follow_up is None:
        return None, "the survey's follow-up or customer no longer exists", True
    if follow_up.status != "sent":
        return None, f"the survey is no longer open (follow-up {follow_up.status})", True
    if survey_link_for is None:
        return None, "no survey link maker was given to this dispatcher", False
    link = survey_link_for(follow_up, customer.id)
    if link is None:
        return None, ("the survey link no longer matches the one issued (the site's key "
                      "changed); record the follow-up by phone"), True
    return f"{notice.body}\n\n{SURVEY_LINE.format(link=link)}", None, False


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    error: str | None  # masked; on success, a note about roles that reached nobody
    delivered: list[str]  # masked URLs that have the notice, this attempt and earlier ones
    final: bool = False  # a failure no retry can mend
    unreached: str | None = None  # the roles that reached nobody (Notification.unreached)


def _send(notifier: Notifier, subject: str, body: str, targets: Sequence[str]) -> Delivery:
    try:
        return notifier.send(subject, body, targets)
    except Exception as exc:  # any adapter's bug stays with this notice, not the whole run
        return Delivery(ok=False, error=scrub(f"{type(exc).__name__}: {exc}", targets))


def _supplier_urls(notice: Notification, supplier: Supplier | None) -> set[str]:
    if supplier is None:
        return set()
    found: set[str] = set()
    for role in notice.audience:
        column = SUPPLIER_ROLES.get(role)
        url = getattr(supplier, column) if column else None
        if url:
            found.add(url)
    return found


def _send_to_all(
    notice: Notification,
    targets: Sequence[str],
    notifier: Notifier,
    supplier: Supplier | None,
    link_for: LinkFor | None,
    body: str | None = None,
) -> Delivery:
    """One send, or two when the supplier's people get a copy with their portal link; the
    result speaks of positions in `targets` either way. `body`: the notice's own, made at
    send time (a survey's, with its link)."""
    if body is not None:
        return _send(notifier, notice.subject, body, targets)
    theirs = _supplier_urls(notice, supplier) if link_for is not None else set()
    supplier_side = [i for i, url in enumerate(targets) if url in theirs]
    if link_for is None or supplier is None or supplier.id is None or not supplier_side:
        return _send(notifier, notice.subject, notice.body, targets)
    linked = f"{notice.body}\n\n{LINK_LINE.format(link=link_for(supplier.id))}"
    team_side = [i for i in range(len(targets)) if i not in supplier_side]
    errors: list[str] = []
    undelivered: list[int] = []
    for positions, body in ((team_side, notice.body), (supplier_side, linked)):
        if not positions:
            continue
        group = [targets[i] for i in positions]
        delivery = _send(notifier, notice.subject, body, group)
        if not delivery.ok:
            errors.append(delivery.error or "the notifier reported a failure")
            # No positions from the adapter: nobody of this group got it (at-least-once).
            failed = delivery.undelivered or tuple(range(len(group)))
            undelivered.extend(positions[j] for j in failed if 0 <= j < len(group))
    if not errors:
        return Delivery(ok=True)
    return Delivery(ok=False, error="; ".join(errors), undelivered=tuple(sorted(undelivered)))


def _deliver(
    notice: Notification,
    case: Case | None,
    supplier: Supplier | None,
    routes: Routes,
    notifier: Notifier,
    link_for: LinkFor | None = None,
    customer: Customer | None = None,
    body: str | None = None,
) -> _Outcome:
    resolution = resolve(notice, case, supplier, routes, customer)
    before: list[str] = list(notice.extra.get("delivered", []))
    nobody = (
        "no recipients for roles " + ", ".join(resolution.unresolved)
        if resolution.unresolved
        else None
    )
    missed = unreached_roles(resolution)
    if not resolution.urls:
        return _Outcome(ok=False, error=nobody or "no recipients: the notice has no audience",
                        delivered=before, final=True, unreached=missed)
    shown = [mask(url) or "" for url in resolution.urls]
    # Masking can make two targets look alike (same host, different secret or query): only a
    # masked form that is unique among this notice's targets may be trusted as "already has it".
    unique = {s for s in shown if shown.count(s) == 1}
    todo = [
        (url, s) for url, s in zip(resolution.urls, shown, strict=True)
        if not (s in unique and s in before)
    ]
    if not todo:
        return _Outcome(ok=True, error=nobody, delivered=before, unreached=missed)
    targets = [url for url, _ in todo]
    delivery = _send_to_all(notice, targets, notifier, supplier, link_for, body)
    if delivery.ok:
        failed: set[int] = set()
    else:
        # No positions from the adapter: assume nobody got it (at-least-once).
        failed = set(delivery.undelivered) or set(range(len(todo)))
    got = [s for i, (_, s) in enumerate(todo) if i not in failed and s in unique]
    delivered = list(dict.fromkeys(before + got))
    if delivery.ok:
        return _Outcome(ok=True, error=nobody, delivered=delivered, unreached=missed)
    # The adapter masks; scrub again so a third-party Notifier cannot leak a secret either.
    error = scrub(delivery.error or "the notifier reported a failure", targets)
    if nobody:
        error = f"{error}; {nobody}"
    return _Outcome(ok=False, error=error, delivered=delivered, unreached=missed)


def _mark(
    session: Session,
    notice: Notification,
    outcome: _Outcome,
    *,
    now: datetime,
    max_attempts: int,
    backoff_seconds: int,
    report: DispatchReport,
) -> None:
    assert notice.id is not None
    extra = dict(notice.extra)
    if outcome.delivered:
        extra["delivered"] = outcome.delivered
    params: dict[str, Any] = {
        "b_id": notice.id,
        "b_attempts": notice.attempts,
        "b_extra": extra,
        "b_sent_at": None,
        "b_next": None,
        "b_unreached": outcome.unreached,
    }
    if outcome.ok:
        params.update(b_status=SENT, b_sent_at=now, b_error=outcome.error)
        done = report.sent_ids
    elif outcome.final or notice.attempts >= max_attempts:
        tried = "" if outcome.final else f"gave up after {notice.attempts} attempts: "
        params.update(b_status=FAILED, b_error=f"{tried}{outcome.error}")
        done = report.failed_ids
    else:
        params.update(
            b_status=PENDING,
            b_next=now + backoff(notice.attempts, backoff_seconds),
            b_error=f"attempt {notice.attempts} of {max_attempts} failed: {outcome.error}",
        )
        done = report.retried_ids
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # The outcome needs no fsync of its own: if the server crashed before it reached the
        # disk, the row would still read 'sending' and be sent again after its lease, which
        # at-least-once allows. Other sessions see it at once either way. On a busy disk
        # the fsync per notice would otherwise cost more than the send itself.
        connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
    changed = connection.execute(_finish, params).rowcount
    session.commit()
    # 0 rows: our lease ran out and another dispatcher took the row over; its result stands.
    if changed:
        done.append(notice.id)


def _hand_back(session: Session, notices: Sequence[Notification], *, now: datetime) -> None:
    if notices:
        session.connection().execute(
            _release,
            [{"b_id": n.id, "b_attempts": n.attempts, "b_lease": n.next_attempt_at, "b_next": now}
             for n in notices],
        )
        session.commit()


def dispatch(
    session: Session,
    *,
    now: datetime,
    notifier: Notifier,
    routes: Routes,
    max_attempts: int,
    backoff_seconds: int,
    batch_size: int,
    lease_seconds: int = LEASE_SECONDS,
    timer: Callable[[], float] = time.monotonic,
    link_for: LinkFor | None = None,
    survey_link_for: SurveyLinkFor | None = None,
    on_claim: Callable[[Sequence[Notification]], None] | None = None,
    concurrency: int = 1,
) -> DispatchReport:
    """Send every notice due at `now`, batch by batch, until none is left.

    Unlike a command, this commits as it goes (each claim, each notice's result): a send
    cannot be rolled back, so its record must not wait for the rest of the run. `timer`
    measures how long a batch has taken, for the lease (elapsed seconds, not the date).
    `link_for` (accounts.links.site_link_maker) puts a portal link into suppliers' copies;
    `survey_link_for` (accounts.customer_links.site_survey_link_maker) the survey's link into
    a survey notice. `on_claim` is called with each batch once its claim has committed,
    before anything of it is sent (tests stop a dispatcher there). `concurrency`
    (`[dispatch] concurrency`): how many of a batch's notices are being sent at once.
    """
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ValueError(f"concurrency must be 1..{MAX_CONCURRENCY}, not {concurrency}")
    report = DispatchReport()
    # Whatever the session began ends here, so each claim is the first statement of its own
    # transaction (SQLite: a transaction that read first cannot always upgrade to writing).
    session.commit()
    lease = timedelta(seconds=lease_seconds)
    report.failed_ids.extend(_recover_expired(session, now=now, max_attempts=max_attempts))
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="dispatch") as pool:
        while True:
            claimed = _claim(session, now=now, lease_until=now + lease, limit=batch_size)
            if claimed is None:
                return report
            if on_claim is not None:
                on_claim(claimed)
            context = _context(session, claimed)
            _send_batch(session, claimed, context, notifier=notifier, routes=routes,
                        now=now, max_attempts=max_attempts, backoff_seconds=backoff_seconds,
                        lease_seconds=lease_seconds, timer=timer, link_for=link_for,
                        survey_link_for=survey_link_for, pool=pool, concurrency=concurrency,
                        report=report)


def _parties(
    notice: Notification, context: _Context
) -> tuple[Case | None, Supplier | None, Customer | None]:
    """The notice's case, its supplier and its customer, as the batch's context holds them."""
    case = context.cases.get(notice.case_id) if notice.case_id is not None else None
    supplier_id = supplier_id_of(notice, case)
    supplier = context.suppliers.get(supplier_id) if supplier_id is not None else None
    customer = context.customers.get(notice.case_id) if notice.case_id is not None else None
    return case, supplier, customer


def _send_batch(
    session: Session,
    claimed: Sequence[Notification],
    context: _Context,
    *,
    notifier: Notifier,
    routes: Routes,
    now: datetime,
    max_attempts: int,
    backoff_seconds: int,
    lease_seconds: int,
    timer: Callable[[], float],
    link_for: LinkFor | None,
    survey_link_for: SurveyLinkFor | None,
    pool: ThreadPoolExecutor,
    concurrency: int,
    report: DispatchReport,
) -> None:
    """Send a claimed batch, at most `concurrency` notices at once (see "Concurrency" above).

    Only the sends run in the pool's threads; every statement runs here, on the caller's
    session, one short transaction per attempt begun and per notice marked, as before.
    """
    marked_before = (len(report.sent_ids), len(report.retried_ids), len(report.failed_ids))
    in_flight: dict[Future[_Outcome], Notification] = {}

    def mark(notice: Notification, outcome: _Outcome) -> None:
        _mark(session, notice, outcome, now=now, max_attempts=max_attempts,
              backoff_seconds=backoff_seconds, report=report)

    def settle(futures: Iterable[Future[_Outcome]]) -> None:
        for future in futures:
            mark(in_flight.pop(future), future.result())

    started = timer()
    for position, notice in enumerate(claimed):
        # A free slot first: the attempt is counted right before its send begins, never
        # while the notice waits in a queue.
        while len(in_flight) >= concurrency:
            settle(wait(in_flight, return_when=FIRST_COMPLETED).done)
        # Past half the lease, the rest of the batch goes back to be claimed afresh (by
        # this loop or another dispatcher) before this lease could run out under it.
        if position and timer() - started > lease_seconds / 2:
            _hand_back(session, claimed[position:], now=now)
            break
        if not _begin(session, notice):
            continue  # its lease ran out and another dispatcher took it over
        case, supplier, customer = _parties(notice, context)
        body = None
        if isinstance(notice.extra.get("follow_up_id"), int):
            body, why, final = _survey_body(notice, context, survey_link_for)
            if body is None:
                mark(notice, _Outcome(ok=False, error=why, delivered=list(
                    notice.extra.get("delivered", [])), final=final))
                continue
        future = pool.submit(_deliver, notice, case, supplier, routes, notifier, link_for,
                             customer, body)
        in_flight[future] = notice
    settle(as_completed(list(in_flight)))
    _in_claim_order(report, marked_before, claimed)


def _in_claim_order(
    report: DispatchReport, marked_before: tuple[int, int, int], claimed: Sequence[Notification]
) -> None:
    """The report lists a batch's notices in the order they were claimed, whichever send
    finished first."""
    position_of = {notice.id: position for position, notice in enumerate(claimed)}
    for ids, before in zip((report.sent_ids, report.retried_ids, report.failed_ids),
                           marked_before, strict=True):
        ids[before:] = sorted(ids[before:], key=lambda i: position_of.get(i, -1))
