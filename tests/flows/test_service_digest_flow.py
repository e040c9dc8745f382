"""The weekly service digest's flow function: the week before now's by default, queued once
(the digest itself is tested in tests/servicedesk/test_digest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from capaflow.flows.service_digest import weekly_service_digest
from tests.servicedesk.report_data import build


def test_the_flow_queues_last_weeks_digest_once(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = build(sqlite_url, tmp_path)
    monkeypatch.setenv("CAPA_DATABASE_URL", data.url)
    monkeypatch.setenv("CAPA_CONFIG", data.config)
    # Monday 16 November 07:00, as the schedule runs it: the week of 9-15 November.
    monkeypatch.setenv("CAPA_NOW", "2026-11-16T07:00:00+00:00")
    first = weekly_service_digest()
    assert first == {"week": "2026-W46", "queued": True, "notice": first["notice"],
                     "complaints": 1, "claims": 1, "still_open": 2, "breaches": 1}
    assert weekly_service_digest()["queued"] is False
    assert weekly_service_digest("2026-W45")["queued"] is True
