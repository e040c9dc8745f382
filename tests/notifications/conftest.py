"""Real receivers on 127.0.0.1 for the notification tests.

The HTTP receiver is what Apprise's json:// posts to; the SMTP server (aiosmtpd) is what its
mailto:// delivers to. Both bind 127.0.0.1 only and answer at once, and Apprise's own socket
timeouts (4 s) bound every send, so no test can hang on them.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


class _Backlogged(ThreadingHTTPServer):
    # Dispatchers send concurrently ([dispatch] concurrency each): socketserver's listen
    # backlog of 5 refuses connections on a busy machine, and a refused send is retried later.
    request_queue_size = 128


@dataclass
class Post:
    path: str
    body: dict[str, Any]


@dataclass
class HttpReceiver:
    """Records every POST; answers `status` (set it to 500 to play a broken webhook), or 500
    for the paths in `failing` only."""

    port: int
    status: int = 200
    failing: set[str] = field(default_factory=set)
    posts: list[Post] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # A slow webhook: each answer waits this long, so sends that overlap are seen to overlap.
    delay: float = 0.0
    # Requests being answered now, and the most there ever were at once.
    in_flight: int = 0
    most_at_once: int = 0

    def url(self, path: str, secret: str = "") -> str:
        """A json:// Apprise URL to this receiver; `secret` goes in as the URL's password."""
        auth = f"hook:{secret}@" if secret else ""
        return f"json://{auth}127.0.0.1:{self.port}/{path}"

    def paths(self) -> list[str]:
        with self.lock:
            return [p.path for p in self.posts]


def _handler(receiver_ref: list[HttpReceiver]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            receiver = receiver_ref[0]
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            with receiver.lock:
                receiver.posts.append(Post(self.path, body))
                receiver.in_flight += 1
                receiver.most_at_once = max(receiver.most_at_once, receiver.in_flight)
            if receiver.delay:
                time.sleep(receiver.delay)
            with receiver.lock:
                receiver.in_flight -= 1
            self.send_response(500 if self.path in receiver.failing else receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output clean

    return Handler


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    ref: list[HttpReceiver] = []
    server = _Backlogged(("127.0.0.1", 0), _handler(ref))
    server.daemon_threads = True
    ref.append(HttpReceiver(port=server.server_address[1]))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield ref[0]
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def free_port() -> int:
    """A port nobody listens on now (bound, then released): a target that refuses at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


SMTP_USER = "capa"
SMTP_PASSWORD = "smtp-S3cret-pw"


@dataclass
class SmtpReceiver:
    port: int
    mails: list[Envelope] = field(default_factory=list)

    def url(self, to: str = "lead@example.com", password: str = SMTP_PASSWORD) -> str:
        # mailto:// (not mailtos://) is plain SMTP, no TLS: Apprise's "insecure" mode.
        return (f"mailto://{SMTP_USER}:{password}@127.0.0.1:{self.port}"
                f"?from=capaflow@example.com&to={to}")

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.mails.append(envelope)
        return "250 OK"


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: object
) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode()
          and auth_data.password == SMTP_PASSWORD.encode())
    # handled=False: aiosmtpd answers 535 itself (True would leave the client waiting).
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_receiver() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver(port=free_port())
    # AUTH over plain SMTP is allowed here only: the server is on 127.0.0.1 inside the test.
    controller = Controller(
        receiver, hostname="127.0.0.1", port=receiver.port, ready_timeout=5,
        authenticator=_authenticate, auth_require_tls=False,
    )
    controller.start()
    yield receiver
    controller.stop()
