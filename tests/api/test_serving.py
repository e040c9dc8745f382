"""`capa web` as it serves for real: worker processes of its own, each listening on the same
port, the API answering through any of them, and a SIGTERM stopping them all."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from capaflow.accounts import add_user, create_token
from capaflow.calendars import isoformat
from capaflow.models.db import get_engine, session_scope
from capaflow.serving.server import _listening_socket, default_workers
from tests.conftest import T0


def _free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(port: int, path: str, token: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.fixture
def token(db_url: str) -> str:
    with session_scope(get_engine(db_url)) as session:
        add_user(session, name="lead", role="quality_lead", password="lead-password-1", now=T0)
        return create_token(session, user_name="lead", now=T0)[1]


@pytest.fixture
def served(
    db_url: str, token: str, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = _free_port()
    capa = shutil.which("capa", path=str(Path(sys.executable).parent)) or "capa"
    log = (tmp_path / "web.log").open("wb")
    server = subprocess.Popen(
        [capa, "web", "--port", str(port), "--workers", "2", "--db", db_url,
         "--now", isoformat(T0)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("CAPA_")},
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, (tmp_path / "web.log").read_text()
            try:
                if _get(port, "/api/v1/cases", token)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "web.log").read_text()
            time.sleep(0.3)
        yield server, port
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@pytest.mark.slow
@pytest.mark.postgres
def test_capa_web_serves_the_api_from_its_workers_and_stops_them_on_sigterm(
    served: tuple[subprocess.Popen[bytes], int], token: str
) -> None:
    server, port = served
    workers = _children(server.pid)
    assert len(workers) >= 2  # the two workers (and multiprocessing's own helper, if any)
    # Many fresh connections: whichever worker takes each, the same answer.
    answers = {_get(port, "/api/v1/cases", token) for _ in range(20)}
    assert {status for status, _ in answers} == {200}
    assert len({body for _, body in answers}) == 1
    assert _get(port, "/api/v1/cases", "not-a-token")[0] == 401
    server.send_signal(signal.SIGTERM)  # the supervisor only, as a service manager would
    assert server.wait(timeout=30) == 0
    time.sleep(0.5)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()
                and "zombie" not in Path(f"/proc/{pid}/status").read_text()]


def test_workers_each_listen_on_the_same_port() -> None:
    # SO_REUSEPORT: the kernel spreads new connections over the workers' own sockets.
    first = _listening_socket("127.0.0.1", 0)
    try:
        port = first.getsockname()[1]
        second = _listening_socket("127.0.0.1", port)
        second.close()
        # Named TCP, so asyncio turns Nagle's algorithm off on the connections it accepts.
        assert first.proto == socket.IPPROTO_TCP
    finally:
        first.close()


def test_default_is_one_worker_per_core_within_bounds() -> None:
    assert 1 <= default_workers() <= 4
    assert default_workers() == min(os.cpu_count() or 1, 4)
