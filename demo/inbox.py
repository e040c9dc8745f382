"""The demo inbox: an HTTP receiver on 127.0.0.1 that prints the notices Apprise posts to it.

The demo suppliers and config/routes.example.toml point their json:// URLs here, so a
newcomer's `make run` shows reminders and escalations arriving without any mail server.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from rich.console import Console

DEMO_INBOX_PORT = 8765


class _Inbox(ThreadingHTTPServer):
    # The dispatcher sends several notices at once ([dispatch] concurrency): socketserver's
    # listen backlog of 5 would refuse some on a busy machine (they would be retried later).
    request_queue_size = 128


def _handler(show: Callable[[str, dict[str, object]], None]) -> type[BaseHTTPRequestHandler]:
    class Inbox(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the name http.server dispatches to
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(min(length, 1_000_000))
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = {"body": raw.decode("utf-8", "replace")}
            show(self.path, payload if isinstance(payload, dict) else {"body": payload})
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass  # the notice itself is printed; access lines would only add noise

    return Inbox


def start_inbox(console: Console, port: int = DEMO_INBOX_PORT) -> ThreadingHTTPServer:
    """Serve the inbox in a daemon thread; the caller shuts it down."""

    def show(path: str, notice: dict[str, object]) -> None:
        console.print(f"[bold green]📨 {path}[/] {notice.get('title', '')}", highlight=False)
        for line in str(notice.get("message", notice.get("body", ""))).splitlines()[:4]:
            console.print(f"     {line}", highlight=False, markup=False)

    server = _Inbox(("127.0.0.1", port), _handler(show))
    threading.Thread(target=server.serve_forever, name="demo-inbox", daemon=True).start()
    return server
