"""`capa notify list|dispatch|retry` as a user types them, delivering through Apprise to a
real HTTP receiver on 127.0.0.1; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from capaflow.models import Notification
from capaflow.models.db import get_engine
from tests.cli.support import iso, refused
from tests.conftest import T0
from tests.helpers import capa, capa_json, snapshot
from tests.notifications.conftest import HttpReceiver
from tests.notifications.support import S

LENA_SECRET = "Lena-T0ken-9f8e"
ACME_SECRET = "Acme-Passw0rd-77"


def ok(db_url: str, *args: str, now: datetime = T0) -> Any:
    return capa_json(*args, "--db", db_url, "--now", iso(now))


def _routes(tmp_path: Path, receiver: HttpReceiver) -> str:
    path = tmp_path / "routes.toml"
    path.write_text(
        "[roles]\n"
        f'quality_lead = ["{receiver.url("roles/lead")}"]\n'
        "[people]\n"
        f'lena = ["{receiver.url("people/lena", secret=LENA_SECRET)}"]\n'
    )
    return str(path)


def _case_with_notice(db_url: str, receiver: HttpReceiver) -> int:
    """An ACME case owned by lena; opening it queues a notice to lena and ACME's contact."""
    ok(db_url, "supplier", "add", "ACME", "--name", "Acme Castings",
       "--contact", receiver.url("acme/contact", secret=ACME_SECRET))
    document = ok(db_url, "case", "open", "--title", "Cracked housing", "--supplier", "ACME",
                  "--owner", "lena")
    case_id: int = document["case"]["id"]
    return case_id


def _only_notice(db_url: str) -> Notification:
    with Session(get_engine(db_url)) as session:
        [notice] = session.exec(select(Notification)).all()
        return notice


def test_dispatch_delivers_through_apprise_to_a_local_receiver_and_reports_counts(
    db_url: str, http_receiver: HttpReceiver, tmp_path: Path
) -> None:
    routes = _routes(tmp_path, http_receiver)
    case_id = _case_with_notice(db_url, http_receiver)
    notice_id = _only_notice(db_url).id

    report = ok(db_url, "notify", "dispatch", "--routes", routes)
    assert report == {
        "sent": 1, "retried": 0, "failed": 0, "sent_ids": [notice_id], "retried_ids": [],
        "failed_ids": [], "routes": {"file": routes, "found": True},
    }
    assert sorted(http_receiver.paths()) == ["/acme/contact", "/people/lena"]
    post = http_receiver.posts[0]
    assert post.body["title"].startswith(f"[capaflow] Case #{case_id}")
    assert "Cracked housing" in post.body["message"]

    [listed] = ok(db_url, "notify", "list", "--status", "sent", "--routes", routes)
    port = http_receiver.port
    assert listed["id"] == notice_id and listed["case"] == case_id
    assert listed["kind"] == "case_moved" and listed["escalation_level"] == 0
    assert listed["status"] == "sent" and listed["attempts"] == 1
    assert listed["audience"] == ["owner", "supplier_contact"]
    assert listed["recipients"] == [f"json://hook:****@127.0.0.1:{port}/people/lena",
                                    f"json://hook:****@127.0.0.1:{port}/acme/contact"]
    assert listed["sent_at"] == T0.isoformat() and listed["next_attempt_at"] is None
    assert listed["last_error"] is None

    # A second run finds nothing due: nothing is posted twice.
    assert ok(db_url, "notify", "dispatch", "--routes", routes)["sent"] == 0
    assert len(http_receiver.posts) == 2


def test_retry_with_backoff_then_give_up_against_a_receiver_that_answers_500(
    db_url: str, http_receiver: HttpReceiver, tmp_path: Path
) -> None:
    http_receiver.status = 500
    routes = _routes(tmp_path, http_receiver)
    config = tmp_path / "site.toml"
    config.write_text("[dispatch]\nmax_attempts = 3\nbackoff_seconds = 60\n")
    _case_with_notice(db_url, http_receiver)

    def dispatch(now: datetime) -> dict[str, Any]:
        document: dict[str, Any] = ok(db_url, "notify", "dispatch", "--routes", routes,
                                      "--config", str(config), now=now)
        return document

    def listed() -> dict[str, Any]:
        [document] = ok(db_url, "notify", "list", "--routes", routes)
        result: dict[str, Any] = document
        return result

    assert dispatch(T0)["retried"] == 1
    assert (listed()["attempts"], listed()["next_attempt_at"]) == (1, (T0 + 60 * S).isoformat())
    assert listed()["last_error"].startswith("attempt 1 of 3 failed: json://hook:****@")
    assert "error=500" in listed()["last_error"]

    assert dispatch(T0 + 59 * S)["retried"] == 0  # inside the backoff: not tried
    assert len(http_receiver.posts) == 2

    assert dispatch(T0 + 60 * S)["retried"] == 1
    assert listed()["next_attempt_at"] == (T0 + 180 * S).isoformat()  # doubled: 120 s

    assert dispatch(T0 + 180 * S)["failed"] == 1
    [failed] = ok(db_url, "notify", "list", "--status", "failed", "--routes", routes)
    assert (failed["status"], failed["attempts"], failed["next_attempt_at"]) == ("failed", 3, None)
    assert failed["last_error"].startswith("gave up after 3 attempts: ")
    assert len(http_receiver.posts) == 6  # 3 attempts × 2 recipients
    assert ok(db_url, "notify", "list", "--status", "pending", "--routes", routes) == []


def test_secrets_never_appear_in_cli_output_or_last_error(
    db_url: str, http_receiver: HttpReceiver, tmp_path: Path
) -> None:
    http_receiver.status = 500
    routes = _routes(tmp_path, http_receiver)
    _case_with_notice(db_url, http_receiver)
    notice_id = str(_only_notice(db_url).id)
    config = tmp_path / "site.toml"
    config.write_text("[dispatch]\nmax_attempts = 1\n")
    common = ["--db", db_url, "--now", iso(T0)]
    outputs = []
    for args in (
        ["notify", "dispatch", "--routes", routes, "--config", str(config)],
        ["notify", "dispatch", "--routes", routes, "--config", str(config), "--json"],
        ["notify", "list", "--routes", routes],
        ["notify", "list", "--status", "failed", "--routes", routes, "--json"],
        ["notify", "retry", notice_id, "--routes", routes, "--json"],
        ["notify", "list", "--routes", routes, "--json"],
    ):
        result = capa(*args, *common)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        outputs.append(result.stdout + result.stderr)
        if args[1] == "dispatch":
            stored = _only_notice(db_url).last_error or ""
            assert "error=500" in stored and "hook:****@127.0.0.1" in stored
            outputs.append(stored)
    assert _only_notice(db_url).status == "pending"  # the retry put it back
    text = "\n".join(outputs)
    assert "hook:****@127.0.0.1" in text and "gave up after 1 attempts" in text
    for secret in (LENA_SECRET, ACME_SECRET):
        assert secret not in text


def test_list_filters_by_status_and_case(
    db_url: str, http_receiver: HttpReceiver, tmp_path: Path
) -> None:
    routes = _routes(tmp_path, http_receiver)
    first = _case_with_notice(db_url, http_receiver)
    second = ok(db_url, "case", "open", "--title", "Burr on flange", "--owner", "ravi")["case"]
    ok(db_url, "notify", "dispatch", "--routes", routes)  # sends both
    ok(db_url, "case", "advance", str(second["id"]), "contain", "--field=containment=sorted")

    by_case = ok(db_url, "notify", "list", "--case", str(first), "--routes", routes)
    assert [n["case"] for n in by_case] == [first]
    pending = ok(db_url, "notify", "list", "--status", "pending", "--routes", routes)
    assert [n["case"] for n in pending] == [second["id"]]
    # ravi is not in [people]: the quality lead stands in for the owner.
    assert pending[0]["recipients"] == [f"json://127.0.0.1:{http_receiver.port}/roles/lead"]
    everything = ok(db_url, "notify", "list", "--routes", routes)
    assert [n["id"] for n in everything] == sorted((n["id"] for n in everything), reverse=True)
    assert len(ok(db_url, "notify", "list", "--limit", "1", "--routes", routes)) == 1
    refused(db_url, "notify", "list", "--case", "999", exit_code=3, field="case",
            says=["case 999 does not exist"])


def test_retry_command_puts_a_failed_notice_back_and_only_who_missed_it_gets_it(
    db_url: str, http_receiver: HttpReceiver, tmp_path: Path
) -> None:
    routes = _routes(tmp_path, http_receiver)
    config = tmp_path / "site.toml"
    config.write_text("[dispatch]\nmax_attempts = 1\n")
    _case_with_notice(db_url, http_receiver)
    notice_id = _only_notice(db_url).id
    http_receiver.failing = {"/people/lena"}  # the supplier's contact gets it, lena does not
    report = ok(db_url, "notify", "dispatch", "--routes", routes, "--config", str(config))
    assert report["failed_ids"] == [notice_id]
    [failed] = ok(db_url, "notify", "list", "--status", "failed", "--routes", routes)
    port = http_receiver.port
    assert failed["delivered_to"] == [f"json://hook:****@127.0.0.1:{port}/acme/contact"]

    http_receiver.failing = set()
    retried = ok(db_url, "notify", "retry", str(notice_id), "--routes", routes, now=T0 + S)
    assert (retried["status"], retried["attempts"], retried["last_error"]) == ("pending", 0, None)
    assert retried["next_attempt_at"] == (T0 + S).isoformat()
    assert ok(db_url, "notify", "list", "--status", "failed", "--routes", routes) == []

    report = ok(db_url, "notify", "dispatch", "--routes", routes, now=T0 + S)
    assert report["sent_ids"] == [notice_id]
    # Lena was still owed it; the supplier's contact is not sent a second copy.
    assert sorted(http_receiver.paths()) == ["/acme/contact", "/people/lena", "/people/lena"]


def test_retry_refuses_a_notice_that_is_not_failed_or_does_not_exist(
    db_url: str, http_receiver: HttpReceiver
) -> None:
    _case_with_notice(db_url, http_receiver)
    notice_id = str(_only_notice(db_url).id)
    refused(db_url, "notify", "retry", notice_id, exit_code=4, field="notice",
            says=[f"notice {notice_id} is pending; only a failed notice can be retried"])
    refused(db_url, "notify", "retry", "999", exit_code=3, field="notice",
            says=["notice 999 does not exist"])


@pytest.mark.parametrize(
    ("args", "field", "says"),
    [
        (["notify", "list", "--status", "lost"], "status", ["status: 'lost'"]),
        (["notify", "dispatch", "--routes", "{tmp}/nope.toml"], "routes",
         ["nope.toml: file does not exist"]),
        (["notify", "dispatch", "--routes", "{tmp}/bad.toml"], "routes",
         ["bad.toml: roles.quality_lead must be a list"]),
        (["notify", "list", "--routes", "{tmp}/bad.toml"], "routes", ["bad.toml"]),
        (["notify", "dispatch", "--config", "{tmp}/site.toml"], "dispatch.max_attempts",
         ["dispatch.max_attempts: must be a positive whole number, got 0"]),
        (["notify", "retry", "1", "--routes", "{tmp}/bad.toml"], "routes", ["bad.toml"]),
    ],
)
def test_bad_input_exits_2_naming_the_field_and_writes_nothing(
    db_url: str, http_receiver: HttpReceiver, tmp_path: Path, args: list[str], field: str,
    says: list[str],
) -> None:
    (tmp_path / "bad.toml").write_text('[roles]\nquality_lead = "json://127.0.0.1/x"\n')
    (tmp_path / "site.toml").write_text("[dispatch]\nmax_attempts = 0\n")
    _case_with_notice(db_url, http_receiver)
    before = snapshot(db_url)
    refused(db_url, *[a.format(tmp=tmp_path) for a in args], exit_code=2, field=field, says=says)
    assert snapshot(db_url) == before
    assert http_receiver.posts == []


def test_routes_come_from_capa_routes_when_no_option_is_given(
    db_url: str, http_receiver: HttpReceiver, tmp_path: Path
) -> None:
    routes = _routes(tmp_path, http_receiver)
    _case_with_notice(db_url, http_receiver)
    result = capa("notify", "dispatch", "--json", "--db", db_url, "--now", iso(T0),
                  env={"CAPA_ROUTES": routes})
    assert result.exit_code == 0, result.stderr
    assert "/people/lena" in http_receiver.paths()


def test_plain_output_of_list_and_dispatch_reads_as_tables_and_sentences(
    db_url: str, http_receiver: HttpReceiver, tmp_path: Path
) -> None:
    _case_with_notice(db_url, http_receiver)
    common = ["--db", db_url, "--now", iso(T0)]
    listed = capa("notify", "list", *common)
    assert listed.exit_code == 0 and "1 notice(s)" in listed.stdout
    # No routes file in the working directory: said plainly, and the owner reaches nobody.
    dispatched = capa("notify", "dispatch", *common)
    assert dispatched.exit_code == 0, dispatched.stderr
    assert "Sent 1, to retry 0, failed 0." in dispatched.stdout
    assert "config/routes.toml not found" in dispatched.stdout
