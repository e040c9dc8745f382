"""Link tokens never reach a log (issue 14, point 4): `capa web` served for real, a supplier's
portal link, a customer's link and a survey link opened, each exchanged for a session and a
redirect to a clean URL, then every log the site wrote (its stdout and stderr: `capa web`
writes no log file of its own) scanned for the tokens."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from capaflow.accounts.customer_links import customer_link, survey_token
from capaflow.accounts.links import supplier_link
from capaflow.calendars import isoformat
from capaflow.config import load_policies
from capaflow.config.policies import validate_policies
from capaflow.models.db import get_engine, session_scope
from capaflow.servicedesk.policy import load_desk
from capaflow.servicedesk.register import add_customer
from capaflow.serving.logs import REDACTED, RedactTokens, log_config, redact
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0

SECRET = "a-site-key-for-this-test-only-0123456789"


def _free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(port: int, path: str) -> tuple[int, str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("location") or "", \
            response.getheader("set-cookie") or ""
    finally:
        conn.close()


def test_the_redaction_keeps_the_line_and_drops_the_token() -> None:
    line = '127.0.0.1:5 - "GET /portal/enter?t=abc.DEF-123_x&next=/ HTTP/1.1" 303'
    assert redact(line) == f'127.0.0.1:5 - "GET /portal/enter?t={REDACTED}&next=/ HTTP/1.1" 303'
    assert redact("/survey?lang=en&T=secret#top") == f"/survey?lang=en&T={REDACTED}#top"
    assert redact("/cases?state=open&at=3") == "/cases?state=open&at=3"
    config = log_config()
    assert all("redact_tokens" in h["filters"] for h in config["handlers"].values())
    assert config["filters"]["redact_tokens"]["()"] is RedactTokens


@pytest.mark.slow
def test_no_link_token_reaches_any_log_of_a_served_site(db_url: str, tmp_path: Path) -> None:
    with session_scope(get_engine(db_url)) as session:
        supplier = add_supplier(session, code="ACME", name="Acme", contact=None,
                                quality_head=None, executive=None, now=T0)
        desk = load_desk(validate_policies(load_policies()), signing_key=None)
        customer = add_customer(session, desk=desk, code="C-1", name="Customer One",
                                tier="standard", contact=None, now=T0)
        assert supplier.id is not None and customer.id is not None
        ids = supplier.id, customer.id
    tokens = {
        "portal": supplier_link(SECRET, supplier_id=ids[0], now=T0,
                                valid_for=timedelta(days=14)),
        "customer": customer_link(SECRET, customer_id=ids[1], now=T0,
                                  valid_for=timedelta(days=14)),
        "survey": survey_token(SECRET, follow_up_id=999, customer_id=ids[1],
                               expires_at=T0 + timedelta(days=14)),
    }
    port = _free_port()
    capa = shutil.which("capa", path=str(Path(sys.executable).parent)) or "capa"
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAPA_")}
    env["CAPA_SECRET_KEY"] = SECRET
    with out.open("wb") as stdout, err.open("wb") as stderr:
        server = subprocess.Popen(
            [capa, "web", "--port", str(port), "--workers", "2", "--db", db_url,
             "--now", isoformat(T0)],
            stdout=stdout, stderr=stderr, start_new_session=True, env=env, cwd=tmp_path,
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                assert server.poll() is None, err.read_text()
                try:
                    if _get(port, "/login")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, err.read_text()
                time.sleep(0.3)
            # Each link: a session for it, and a redirect to a URL without the token.
            status, location, cookie = _get(port, f"/portal/enter?t={tokens['portal']}")
            assert (status, location) == (303, "/portal") and cookie
            status, location, cookie = _get(port, f"/customer/enter?t={tokens['customer']}")
            assert (status, location) == (303, "/customer") and cookie
            # The survey keeps its single-use token in its form; this one is for no follow-up.
            assert _get(port, f"/survey?t={tokens['survey']}")[0] in (403, 404, 410, 422)
            # Refused links are not logged either.
            assert _get(port, f"/portal/enter?t={tokens['portal']}x")[0] == 403
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    logs = {path: path.read_text(errors="replace") for path in tmp_path.rglob("*")
            if path.is_file() and path.suffix != ".db" and "capa.db" not in path.name}
    written = "\n".join(logs.values())
    assert "GET /portal/enter?t=" + REDACTED in written, written  # the lines are there
    assert "GET /survey?t=" + REDACTED in written
    for name, token in tokens.items():
        for path, text in logs.items():
            assert token not in text, f"the {name} token is in {path}"
            assert token[:24] not in text, f"part of the {name} token is in {path}"
