"""Quality inspection rounds through `capa round ...` (docs/architecture.md, "Service quality
control"): planned per month once, recorded against the current standard version, a finding
per failed item, and the round closing with its last finding."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.cli.support import ok, refused, show
from tests.conftest import T0
from tests.standards.support import result_args, small_items, write_toml

D = timedelta(days=1)


def _open(db_url: str, *extra: str) -> int:
    document = ok(db_url, "round", "open", "--department", "field_service", "--position",
                  "technician", "--inspector", "Ines", *extra)
    round_id: int = document["id"]
    return round_id


def test_planning_a_month_opens_its_rounds_once_each_owed_by_its_inspector(
    field_service: str,
) -> None:
    first = ok(field_service, "round", "plan", "--month", "2026-03")
    assert [(r["department"], r["position"], r["inspector"], r["state"])
            for r in first["opened"]] == [("field_service", "technician", "quality_inspector",
                                           "owed")] * 2
    # Two a month: due at the middle and at the end of the month.
    assert [r["due_at"] for r in first["opened"]] == [
        "2026-03-16T12:00:00+00:00", "2026-04-01T00:00:00+00:00"]
    again = ok(field_service, "round", "plan", "--month", "2026-03", now=T0 + D)
    assert again["opened"] == [] and len(again["existing"]) == 2
    case = show(field_service, first["opened"][0]["id"])
    assert case["owner"] == "quality_inspector"
    assert [(d["key"], d["status"]) for d in case["deadlines"]] == [("inspection", "pending")]


def test_a_round_with_nothing_failed_closes_at_record_with_score_100(field_service: str) -> None:
    round_id = _open(field_service)
    recorded = ok(field_service, "round", "record", str(round_id), *result_args(), now=T0 + D)
    assert (recorded["state"], recorded["score"], recorded["standard_version"]) == (
        "closed", 100.0, 1)
    assert recorded["findings"] == []
    deadlines = show(field_service, round_id)["deadlines"]
    assert [(d["key"], d["status"]) for d in deadlines] == [("inspection", "met")]


def test_a_failed_critical_item_scores_0_and_each_failed_item_is_a_finding(
    field_service: str,
) -> None:
    round_id = _open(field_service)
    recorded = ok(field_service, "round", "record", str(round_id),
                  *result_args(FS_02="fail:no badge", FS_03="fail"),
                  "--owner", "FS-03=Piet", now=T0 + D)
    assert recorded["state"] == "recorded" and recorded["score"] == 0.0
    findings = {f["item_code"]: f for f in recorded["findings"]}
    assert set(findings) == {"FS-02", "FS-03"}
    # The department's team lead owns a finding unless the round names someone.
    assert findings["FS-02"]["owner"] == "Maria" and findings["FS-03"]["owner"] == "Piet"
    assert findings["FS-03"]["critical"] and findings["FS-03"]["factor"] == "environment"
    assert findings["FS-02"]["due_at"] == "2026-03-17T09:00:00+00:00"  # fix_due 14d
    notes = {i["code"]: i["note"] for i in recorded["items"]}
    assert notes["FS-02"] == "no badge"


def test_the_round_closes_when_its_last_finding_closes(field_service: str) -> None:
    round_id = _open(field_service)
    recorded = ok(field_service, "round", "record", str(round_id),
                  *result_args(FS_01="fail", FS_02="fail"), now=T0 + D)
    first, second = sorted(f["id"] for f in recorded["findings"])
    closed = ok(field_service, "finding", "close", str(first), "--action", "Briefed the team",
                now=T0 + 2 * D)
    assert closed["state"] == "closed" and closed["action"] == "Briefed the team"
    assert ok(field_service, "round", "show", str(round_id))["state"] == "recorded"
    ok(field_service, "finding", "close", str(second), "--action", "New badges", now=T0 + 3 * D)
    assert ok(field_service, "round", "show", str(round_id))["state"] == "closed"
    fix = show(field_service, second)["deadlines"]
    assert [(d["key"], d["status"]) for d in fix] == [("fix", "met")]
    listed = ok(field_service, "finding", "list", "--open")["findings"]
    assert listed == []


def test_a_new_standard_version_never_changes_a_recorded_round(
    field_service: str, tmp_path: Path,
) -> None:
    round_id = _open(field_service)
    ok(field_service, "round", "record", str(round_id), *result_args(), now=T0 + D)
    ok(field_service, "standard", "import",
       str(write_toml(tmp_path / "v2.toml", small_items())), now=T0 + 2 * D)
    past = ok(field_service, "round", "show", str(round_id))
    assert past["standard_version"] == 1
    assert [i["code"] for i in past["items"]][0] == "FS-01" and len(past["items"]) == 7
    owed = ok(field_service, "round", "show", str(_open(field_service)))
    assert [i["code"] for i in owed["items"]] == ["A", "B"]


def test_bad_round_input_is_named_and_writes_nothing(field_service: str) -> None:
    db = field_service
    refused(db, "round", "open", "--department", "nowhere", "--position", "technician",
            "--inspector", "Ines", exit_code=2, field="department")
    refused(db, "round", "open", "--department", "field_service", "--position", "pilot",
            "--inspector", "Ines", exit_code=2, field="position")
    refused(db, "round", "open", "--department", "field_service", "--position", "technician",
            "--inspector", "Ines", "--due", "2026-03-01T00:00:00+00:00", exit_code=2,
            field="due")
    refused(db, "round", "open", "--department", "field_service", "--position", "technician",
            "--inspector", "Ines", "--due", "tomorrow", exit_code=2, field="due")
    refused(db, "round", "plan", "--month", "2026-13", exit_code=2, field="month")
    round_id = _open(db)
    refused(db, "round", "record", str(round_id), *result_args()[:-2], exit_code=2,
            field="item", says=["no result for FS-07"])
    refused(db, "round", "record", str(round_id), *result_args(), "--result", "ZZ=pass",
            exit_code=2, field="item", says=["'ZZ' is not an item"])
    refused(db, "round", "record", str(round_id), *result_args(FS_01="maybe"), exit_code=2,
            field="result")
    refused(db, "round", "record", str(round_id), *result_args(), "--result", "FS-01=fail",
            exit_code=2, field="result", says=["given twice"])
    refused(db, "round", "record", str(round_id), *result_args(), "--owner", "FS-01=Piet",
            exit_code=2, field="owner", says=["did not fail"])
    refused(db, "round", "record", "999", *result_args(), exit_code=3, field="round")
    ok(db, "round", "record", str(round_id), *result_args(), now=T0 + D)
    refused(db, "round", "record", str(round_id), *result_args(), exit_code=4,
            field="trigger")
    refused(db, "finding", "close", "999", "--action", "x", exit_code=3, field="finding")


def test_a_failure_with_no_owner_to_be_found_is_refused_naming_owner(db_url: str) -> None:
    from tests.standards.support import EXAMPLE
    ok(db_url, "standard", "import", str(EXAMPLE))
    round_id = _open(db_url)
    refused(db_url, "round", "record", str(round_id), *result_args(FS_01="fail"),
            exit_code=2, field="owner")
    recorded = ok(db_url, "round", "record", str(round_id), *result_args(FS_01="fail"),
                  "--owner", "FS-01=Piet")
    assert recorded["findings"][0]["owner"] == "Piet"


def test_closing_a_closed_finding_is_a_conflict(field_service: str) -> None:
    round_id = _open(field_service)
    finding = ok(field_service, "round", "record", str(round_id),
                 *result_args(FS_01="fail"), now=T0 + D)["findings"][0]["id"]
    ok(field_service, "finding", "close", str(finding), "--action", "done", now=T0 + 2 * D)
    refused(field_service, "finding", "close", str(finding), "--action", "again",
            exit_code=4, field="trigger")
    refused(field_service, "finding", "close", str(finding), "--action", " ", exit_code=2,
            field="action", unchanged=True)
