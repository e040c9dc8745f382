"""From feedback to improvement through `capa`: the follow-up that opens the corrective action,
the claim and the repeated complaints at intake, `capa person show` and `capa training done`,
and their refusals (the contract's exit code and field, nothing written)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from tests.cli.support import D, H, ok, refused
from tests.conftest import T0


def _desk(db_url: str) -> None:
    ok(db_url, "customer", "add", "HOTEL", "--name", "Grand Hotel", "--tier", "key")
    ok(db_url, "customer", "add", "SHOP", "--name", "Corner Shop", "--tier", "standard")
    ok(db_url, "person", "add", "Ann", "--team", "field", "--skills", "repair")
    ok(db_url, "person", "add", "Olga", "--team", "office")


def _open(db_url: str, *extra: str, kind: str = "request", category: str = "repair",
          customer: str = "HOTEL", now: datetime = T0) -> dict[str, Any]:
    document: dict[str, Any] = ok(
        db_url, "service", "open", "--customer", customer, "--kind", kind, "--severity", "S3",
        "--category", category, "--channel", "phone", "--title", f"A {kind}", *extra, now=now)
    return document


def _resolved(db_url: str, *extra: str) -> int:
    request_id: int = _open(db_url, *extra)["id"]
    ok(db_url, "service", "advance", str(request_id), "resolve", "--field=resolution=fixed",
       now=T0 + H)
    return request_id


def test_a_low_follow_up_opens_the_8d_the_request_shows_and_ann_owes_training(
    sqlite_url: str,
) -> None:
    _desk(sqlite_url)
    request_id = _resolved(sqlite_url)
    answered = ok(sqlite_url, "service", "follow-up", str(request_id), "--solved", "yes",
                  "--overall", "2", "--empathy", "1", "--comment", "Rude on the phone",
                  now=T0 + 2 * H)
    corrective_id = answered["corrective_case"]
    assert isinstance(corrective_id, int)
    assert answered["events"][-1]["action"] == "corrective_action"
    action = ok(sqlite_url, "case", "show", str(corrective_id), now=T0 + 2 * H)
    assert (action["lifecycle"], action["owner"], action["supplier"]) == (
        "8d", "service_manager", None)
    assert any(d["key"].startswith("training:") for d in action["deadlines"])

    person = ok(sqlite_url, "person", "show", "Ann", now=T0 + 3 * H)
    [item] = person["training"]
    assert (item["dimension"], item["request"], item["corrective_case"], item["status"]) == (
        "empathy", request_id, corrective_id, "open")
    done = ok(sqlite_url, "training", "done", str(item["id"]), "--note", "Coached",
              now=T0 + 2 * D)
    assert (done["status"], done["note"]) == ("done", "Coached")
    assert ok(sqlite_url, "person", "show", "Ann", now=T0 + 20 * D)["training"][0][
        "overdue"] is False


def test_the_corrective_lifecycle_is_the_sites_choice(sqlite_url: str, tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[service.feedback]\ncorrective_lifecycle = "pdca"\n')
    _desk(sqlite_url)
    claim = _open(sqlite_url, "--config", str(site), kind="claim")
    action = ok(sqlite_url, "case", "show", str(claim["corrective_case"]))
    assert action["lifecycle"] == "pdca" and action["state"] == "plan"


def test_three_billing_complaints_in_march_open_one_pdca_through_the_cli(
    sqlite_url: str,
) -> None:
    _desk(sqlite_url)
    first, second = (_open(sqlite_url, kind="complaint", category="billing", customer="SHOP",
                           now=T0 + k * H) for k in range(2))
    assert first["corrective_case"] is None and second["corrective_case"] is None
    third = _open(sqlite_url, kind="complaint", category="billing", customer="SHOP",
                  now=T0 + 3 * H)
    cycle_id = third["corrective_case"]
    fourth = _open(sqlite_url, kind="complaint", category="billing", customer="SHOP",
                   now=T0 + 4 * D)
    assert fourth["corrective_case"] == cycle_id
    assert ok(sqlite_url, "service", "show", str(first["id"]))["corrective_case"] == cycle_id
    cycle = ok(sqlite_url, "case", "show", str(cycle_id))
    assert cycle["lifecycle"] == "pdca" and cycle["owner"] == "service_manager"


def test_unknown_person_and_training_items_are_refused_and_nothing_is_written(
    sqlite_url: str,
) -> None:
    _desk(sqlite_url)
    request_id = _resolved(sqlite_url)
    refused(sqlite_url, "person", "show", "Nobody", exit_code=3, field="person",
            says=["Nobody"])
    refused(sqlite_url, "training", "done", "7", exit_code=3, field="training",
            says=["training item 7"])
    # A score out of its scale: no follow-up, no corrective action, no training item.
    refused(sqlite_url, "service", "follow-up", str(request_id), "--solved", "no",
            "--overall", "1", "--empathy", "9", exit_code=2, field="empathy", now=T0 + 2 * H)
    ok(sqlite_url, "service", "follow-up", str(request_id), "--solved", "yes", "--overall",
       "4", "--tangibles", "2", now=T0 + 2 * H)
    [item] = ok(sqlite_url, "person", "show", "Ann")["training"]
    ok(sqlite_url, "training", "done", str(item["id"]), now=T0 + D)
    refused(sqlite_url, "training", "done", str(item["id"]), exit_code=4, field="training",
            says=["already done"], now=T0 + 2 * D)
    refused(sqlite_url, "training", "done", str(item["id"]), "--note", "x" * 5000,
            exit_code=2, field="note", now=T0 + 2 * D)
