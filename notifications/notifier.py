"""The `Notifier` port and its two adapters: Apprise (the real one) and a recording fake.

Dispatch (dispatch.py) only ever talks to the port, so its tests run on `RecordingNotifier`
and a few prove the wiring through `AppriseNotifier` to real receivers on 127.0.0.1.

A `Delivery` may be printed and stored: its `error` names targets only by their masked URL
(urls.mask) and has every secret of the target URLs scrubbed out, and it points at the
targets that failed by position, never by URL.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import unquote_plus

import apprise

from capaflow.notifications.urls import mask

# Kept short: a reason is stored in last_error and shown in `capa notify list`.
_MAX_REASON = 300


@dataclass(frozen=True)
class Delivery:
    """What became of one send.

    `undelivered`: positions in the `targets` given to `send` that did not get the message, so
    a retry can skip those that did; empty on failure means "unknown, assume none got it".
    """

    ok: bool
    error: str | None = None
    undelivered: tuple[int, ...] = ()


class Notifier(Protocol):
    def send(self, subject: str, body: str, targets: Sequence[str]) -> Delivery: ...


# --- secrets out of messages -----------------------------------------------------------------

_URL_PARTS = re.compile(r"[/:@?&=#,;+\s]+")


def _secrets(url: str) -> list[str]:
    """The pieces of `url` its masked form hides: passwords, tokens, keys, query values.

    Apprise's own log lines and exception texts sometimes quote a URL or a path of it (a
    webhook token often *is* the path); whatever masking hides must not come back that way.
    Short pieces are left alone: they would blot out ordinary words and hide nothing.
    """
    shown = mask(url) or ""
    # Both as written and decoded: a log line quotes "Bearer abc" for "Bearer%20abc".
    pieces = {p for form in (url, unquote_plus(url)) for p in _URL_PARTS.split(form)
              if len(p) >= 4}
    hidden = {p for p in pieces if p not in shown}
    # Longest first, so a token is not left half-replaced by one of its own substrings.
    return sorted(hidden, key=len, reverse=True)


def scrub(text: str, targets: Sequence[str]) -> str:
    """`text` with every secret of `targets` replaced by ****, cut to a readable length."""
    for target in targets:
        for secret in _secrets(target):
            text = text.replace(secret, "****")
    text = " ".join(text.split())
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 1] + "…"


# --- Apprise ---------------------------------------------------------------------------------


class _ThreadRecords(logging.Handler):
    """Collects the warnings Apprise logs in this thread while one target is being sent.

    Apprise's notify() only answers True/False; the reason (HTTP 500, connection refused,
    SMTP auth failed) goes to its logger. Records of other threads are left out: two
    dispatchers may run side by side in one process.
    """

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


@contextmanager
def _apprise_warnings() -> Iterator[_ThreadRecords]:
    logger = logging.getLogger("apprise")
    handler = _ThreadRecords()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


class AppriseNotifier:
    """The real adapter: each target URL gets its own Apprise service, reused across sends.

    Results: Apprise's `notify` answers True (sent), False (the service failed) or None
    (nothing matched, so nothing was sent). Only True is a success: a None must never mark a
    notice as sent (docs/architecture.md, "At-least-once out, exactly-once in").

    Throttling. Apprise paces the requests to a service itself: before each I/O a plugin calls
    `URLBase.throttle()`, which sleeps until `request_rate_per_sec` seconds have passed since
    that same plugin object's previous I/O. The value is a class attribute per plugin (5.5 s
    on NotifyBase, the default of most services; 0 for json://, form:// and xml://; some
    plugins add a configured delay to it at construction). AppriseAsset has no setting for it,
    so it is set on the plugin object, after construction (which is when plugins compute it).
    It only acts because plugin objects are kept for the notifier's lifetime: a fresh object
    per send would have no "previous I/O" and never wait. One notifier serves one dispatch
    run, so a burst of reminders to one chat webhook or SMTP server goes out at the pace its
    plugin asks for. `throttle=False` sets the pace to 0 on every plugin object this notifier
    makes (tests: a local SMTP server needs no pacing, and 5.5 s per mail would blow the test
    budget); the classes, and so any other Apprise user in the process, are untouched.
    A wait a service itself asks for (`throttle(wait=...)`, e.g. after HTTP 429) still applies.

    Apprise's own retries (`default_service_retry`) stay at their default of 0: the outbox
    retries with backoff across runs, which survives a crash and shows up in last_error.
    """

    def __init__(
        self, *, throttle: bool = True, asset: apprise.AppriseAsset | None = None
    ) -> None:
        # One service per Apprise object, so nothing runs in parallel inside notify();
        # async_mode=False keeps the send (and its log records) in the caller's thread.
        self._asset = asset or apprise.AppriseAsset(async_mode=False)
        self._throttle = throttle
        self._services: dict[str, tuple[apprise.Apprise, threading.Lock | None] | None] = {}
        self._services_lock = threading.Lock()

    def _service(self, url: str) -> tuple[apprise.Apprise, threading.Lock | None] | None:
        """The service of `url`, made once, and the lock its sends take if it is paced."""
        with self._services_lock:
            if url not in self._services:
                self._services[url] = self._make_service(url)
            return self._services[url]

    def _make_service(self, url: str) -> tuple[apprise.Apprise, threading.Lock | None] | None:
        plugin = apprise.Apprise.instantiate(url, asset=self._asset)
        if plugin is None:
            return None
        if not self._throttle:
            plugin.request_rate_per_sec = 0
        service = apprise.Apprise(asset=self._asset)
        service.add(plugin)
        # A dispatcher sends from several threads (notifications.dispatch, "Concurrency"). A
        # paced plugin's wait counts from its own previous I/O, so its sends go one at a time
        # or the pace would not hold; an unpaced one (json://, form://, xml://) is sent to
        # concurrently.
        return service, (threading.Lock() if plugin.request_rate_per_sec else None)

    def _send_one(self, subject: str, body: str, url: str) -> str | None:
        """None when `url` got the message, else why not (may hold secrets: scrub it)."""
        with _apprise_warnings() as warnings:
            try:
                found = self._service(url)
                if found is None:
                    return "Apprise cannot load this URL"
                service, paced = found
                if paced is None:
                    result = service.notify(body=body, title=subject)
                else:
                    with paced:
                        result = service.notify(body=body, title=subject)
            except Exception as exc:  # a plugin bug must not stop the other targets
                return f"{type(exc).__name__}: {exc}"
        if result is True:
            return None
        said = "; ".join(dict.fromkeys(warnings.messages))
        if result is None:
            return "Apprise matched no service (None)" + (f": {said}" if said else "")
        return said or "Apprise reported a failure"

    def send(self, subject: str, body: str, targets: Sequence[str]) -> Delivery:
        if not targets:
            return Delivery(ok=False, error="no targets")
        reasons: list[str] = []
        undelivered: list[int] = []
        for position, url in enumerate(targets):
            reason = self._send_one(subject, body, url)
            if reason is not None:
                undelivered.append(position)
                reasons.append(f"{mask(url)}: {scrub(reason, [url])}")
        if not undelivered:
            return Delivery(ok=True)
        return Delivery(ok=False, error="; ".join(reasons), undelivered=tuple(undelivered))


# --- the test fake -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    subject: str
    body: str
    targets: tuple[str, ...]


@dataclass
class RecordingNotifier:
    """Remembers every send; the targets in `failing` refuse, as an unreachable service would.

    Thread-safe, so two dispatchers in two threads can share one and a test can count how
    often each notice went out.
    """

    failing: Collection[str] = ()
    sent: list[Sent] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def send(self, subject: str, body: str, targets: Sequence[str]) -> Delivery:
        with self._lock:
            self.sent.append(Sent(subject, body, tuple(targets)))
        if not targets:
            return Delivery(ok=False, error="no targets")
        undelivered = tuple(i for i, t in enumerate(targets) if t in self.failing)
        if not undelivered:
            return Delivery(ok=True)
        error = "; ".join(f"{mask(targets[i])}: refused" for i in undelivered)
        return Delivery(ok=False, error=error, undelivered=undelivered)

    def delivered(self, target: str) -> list[str]:
        """Subjects that reached `target`, in order (a failing target reaches nothing)."""
        with self._lock:
            return [s.subject for s in self.sent if target in s.targets
                    and target not in self.failing]
