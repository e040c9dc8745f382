"""The flows run for real through Prefect once (the rest of the suite calls the functions)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from prefect.testing.utilities import prefect_test_harness
from sqlmodel import Session, select

from capaflow.models import Notification
from capaflow.models.db import get_engine
from tests.conftest import T0
from tests.helpers import capa


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, object]]]]:
    received: list[dict[str, object]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"json://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()


def test_sweep_and_dispatch_flows_deliver_a_reminder_through_prefect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    receiver: tuple[str, list[dict[str, object]]],
) -> None:
    base, received = receiver
    url = f"sqlite:///{tmp_path / 'capa.db'}"
    routes = tmp_path / "routes.toml"
    routes.write_text(f'[people]\nlena = ["{base}/lena"]\n')
    opened = T0.isoformat()
    for args in (
        ("db", "upgrade"),
        ("supplier", "add", "ACME", "--name", "Acme", "--contact", f"{base}/acme"),
        ("case", "open", "--title", "Burr", "--supplier", "ACME", "--owner", "lena",
         "--now", opened),
    ):
        assert capa(*args, "--db", url).exit_code == 0
    monkeypatch.setenv("CAPA_DATABASE_URL", url)
    monkeypatch.setenv("CAPA_ROUTES", str(routes))
    monkeypatch.setenv("CAPA_NOW", (T0 + timedelta(hours=22)).isoformat())

    from capaflow.flows.dispatch import dispatch_flow
    from capaflow.flows.sweep import sweep_flow

    with prefect_test_harness(server_startup_timeout=120):
        assert sweep_flow()["reminders"] == 1
        assert dispatch_flow()["sent"] == 2  # the "case opened" notice and the reminder
    paths = sorted(str(m.get("title", "")) for m in received)
    assert any("due in 2 h" in p for p in paths)
    assert len(received) == 4  # each to the owner and the supplier's contact
    with Session(get_engine(url)) as session:
        statuses = {n.status for n in session.exec(select(Notification))}
    assert statuses == {"sent"}
