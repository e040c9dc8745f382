"""Supplier audits (5M1E): the lifecycle path, findings with owners and due dates, the close
guard, and the audit a C/C/C escalation opens."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from capaflow.models import AuditFinding, Case, SupplierEscalation
from capaflow.scorecards.policy import ScorecardPolicy
from tests.audits.support import audit_policy_checklist_size
from tests.cli.support import SIGNED, SIGNER_PASSWORD, add_signer
from tests.conftest import T0
from tests.helpers import capa, capa_json, snapshot

NOW = T0.isoformat()
LATER = (T0 + timedelta(days=3)).isoformat()


SIGN = SIGNER_PASSWORD + "\n"


def cli(db_url: str, *args: str, now: str = NOW) -> Any:
    return capa_json(*args, "--db", db_url, "--now", now, env={"CAPA_ACTOR": "auditor"})


def planned_audit(db_url: str) -> int:
    cli(db_url, "supplier", "add", "ACME", "--name", "Acme Castings")
    opened = cli(db_url, "case", "open", "--lifecycle", "audit", "--supplier", "ACME",
                 "--title", "Annual on-site audit", "--owner", "lena")
    assert opened["case"]["state"] == "planned"
    return int(opened["case"]["id"])


def test_audit_opens_planned_through_the_case_engine_with_its_conduct_deadline(
    db_url: str,
) -> None:
    case_id = planned_audit(db_url)
    shown = cli(db_url, "case", "show", str(case_id))
    assert shown["lifecycle"] == "audit"
    assert shown["allowed_triggers"] == ["conduct", "cancel"]
    [deadline] = shown["deadlines"]
    assert deadline["key"] == "conduct"
    assert deadline["due_at"] == (T0 + timedelta(days=30)).isoformat()


def test_audit_with_no_failed_item_closes_on_the_audit_day(db_url: str) -> None:
    case_id = planned_audit(db_url)
    result = cli(db_url, "supplier-audit", "conduct", str(case_id), "--auditors", "lena, tom")
    assert [e["action"] for e in result["events"]] == ["conduct", "close"]
    assert result["case"]["state"] == "closed"
    assert result["findings"] == []
    total = audit_policy_checklist_size()
    assert result["case"]["content"]["checklist"] == (
        f"{total} items checked, {total} passed, 0 failed"
    )


def test_failed_items_become_findings_with_owners_and_due_dates(db_url: str) -> None:
    case_id = planned_audit(db_url)
    result = cli(db_url, "supplier-audit", "conduct", str(case_id), "--auditors", "lena",
                 "--fail", "measurement.calibration=3 gauges past calibration date",
                 "--fail", "people.training=no training record for 2 operators",
                 "--owner", "acme-quality")
    assert result["case"]["state"] == "findings_open"
    assert [e["action"] for e in result["events"]] == ["conduct", "raise_findings"]
    findings = {f["item"]: f for f in result["findings"]}
    assert set(findings) == {"measurement.calibration", "people.training"}
    for finding in findings.values():
        assert finding["owner"] == "acme-quality"
        assert finding["status"] == "open"
        # [audit] finding_due = "14d" from the audit
        assert finding["due_at"] == (T0 + timedelta(days=14)).isoformat()
    assert findings["people.training"]["factor"] == "people"
    shown = cli(db_url, "supplier-audit", "show", str(case_id))
    assert shown["open_findings"] == 2


def test_findings_default_to_the_audit_owner_and_an_unknown_item_is_refused(
    db_url: str,
) -> None:
    case_id = planned_audit(db_url)
    before = snapshot(db_url)
    refused = capa("supplier-audit", "conduct", str(case_id), "--auditors", "lena",
                   "--fail", "materials.paperwork=none", "--db", db_url, "--now", NOW)
    assert refused.exit_code == 2
    assert "fail" in refused.stderr
    assert snapshot(db_url) == before
    result = cli(db_url, "supplier-audit", "conduct", str(case_id), "--auditors", "lena",
                 "--fail", "materials.certificates=missing for lot 44")
    assert result["findings"][0]["owner"] == "lena"


def test_audit_close_is_refused_while_a_finding_is_open_and_allowed_once_all_are_closed(
    db_url: str,
) -> None:
    case_id = planned_audit(db_url)
    add_signer(db_url)
    result = cli(db_url, "supplier-audit", "conduct", str(case_id), "--auditors", "lena",
                 "--fail", "environment.five_s=scrap bins unmarked",
                 "--fail", "machines.maintenance_records=no PM log on press 4")
    first, second = (f["id"] for f in result["findings"])

    before = snapshot(db_url)
    refused = capa("supplier-audit", "close", str(case_id), "--json", "--db", db_url,
                   "--now", LATER)
    assert refused.exit_code == 4
    error = json.loads(refused.stdout)["error"]
    assert "2 open findings" in error["message"]
    assert snapshot(db_url) == before
    # The generic step is held by the lifecycle's own count as well.
    # (Signed, as a step that ends a case is: the refusal is the lifecycle's, not the password's.)
    generic = capa("case", "advance", str(case_id), "close", *SIGNED, "--db", db_url,
                   "--now", LATER, input=SIGN)
    assert generic.exit_code == 4
    assert snapshot(db_url) == before

    cli(db_url, "supplier-audit", "finding", "close", str(first),
        "--resolution", "bins marked, photo sent", now=LATER)
    refused = capa("supplier-audit", "close", str(case_id), "--db", db_url, "--now", LATER)
    assert refused.exit_code == 4
    assert "1 open finding " in refused.stderr

    closed = cli(db_url, "supplier-audit", "finding", "close", str(second),
                 "--resolution", "PM log introduced", now=LATER)
    assert closed["findings"][0]["status"] == "closed"
    assert closed["findings"][0]["closed_by"] == "auditor"
    done = cli(db_url, "supplier-audit", "close", str(case_id), now=LATER)
    assert done["case"]["state"] == "closed"
    history = cli(db_url, "case", "show", str(case_id))
    assert [e["action"] for e in history["events"]] == [
        "open", "conduct", "raise_findings", "close_finding", "close_finding", "close",
    ]
    # Each finding was owed by a deadline of its own, met when the finding was closed.
    assert {d["key"]: d["status"] for d in history["deadlines"]} == {
        "conduct": "met", "findings": "met", f"finding:{first}": "met", f"finding:{second}": "met",
    }


def test_a_closed_finding_cannot_be_closed_twice_and_a_missing_one_is_not_found(
    db_url: str,
) -> None:
    case_id = planned_audit(db_url)
    result = cli(db_url, "supplier-audit", "conduct", str(case_id), "--auditors", "lena",
                 "--fail", "methods.work_instructions=old revision at station 3")
    finding = str(result["findings"][0]["id"])
    cli(db_url, "supplier-audit", "finding", "close", finding, "--resolution", "updated")
    again = capa("supplier-audit", "finding", "close", finding, "--resolution", "x",
                 "--db", db_url, "--now", NOW)
    assert again.exit_code == 4
    missing = capa("supplier-audit", "finding", "close", "999", "--resolution", "x",
                   "--db", db_url, "--now", NOW)
    assert missing.exit_code == 3


def test_a_finding_added_after_the_audit_keeps_the_audit_open(db_url: str) -> None:
    case_id = planned_audit(db_url)
    result = cli(db_url, "supplier-audit", "conduct", str(case_id), "--auditors", "lena",
                 "--fail", "methods.defect_handling=no defect log")
    cli(db_url, "supplier-audit", "finding", "close", str(result["findings"][0]["id"]),
        "--resolution", "log started")
    added = cli(db_url, "supplier-audit", "finding", "add", str(case_id),
                "--item", "environment.line_anomalies", "--description", "restart unrecorded",
                "--owner", "acme-quality", "--due", (T0 + timedelta(days=5)).isoformat())
    assert added["findings"][0]["due_at"] == (T0 + timedelta(days=5)).isoformat()
    refused = capa("supplier-audit", "close", str(case_id), "--db", db_url, "--now", NOW)
    assert refused.exit_code == 4


def test_conduct_is_refused_on_an_audit_already_conducted(db_url: str) -> None:
    case_id = planned_audit(db_url)
    cli(db_url, "supplier-audit", "conduct", str(case_id), "--auditors", "lena")
    before = snapshot(db_url)
    again = capa("supplier-audit", "conduct", str(case_id), "--auditors", "lena",
                 "--db", db_url, "--now", NOW)
    assert again.exit_code == 4
    assert snapshot(db_url) == before


def test_three_months_at_c_open_a_planned_audit_case_for_the_supplier(
    session: Session, line_only: ScorecardPolicy,
) -> None:
    from tests.scorecards.support import supplier
    from tests.scorecards.test_escalation import run_grades

    acme = supplier(session)
    run_grades(session, acme, "CCCC", line_only)
    [escalation] = session.exec(select(SupplierEscalation)).all()
    assert escalation.rule == "three_c"
    assert escalation.case_id is not None
    audits = session.exec(select(Case).where(Case.lifecycle == "audit")
                          .order_by(col(Case.id))).all()
    assert [a.id for a in audits] == [escalation.case_id]  # once, not again in the 4th month
    assert audits[0].state == "planned"
    assert audits[0].supplier_id == acme
    assert session.exec(select(AuditFinding)).all() == []


def test_an_audit_cannot_be_closed_by_hand_stepping_its_findings_closed(db_url: str) -> None:
    """`capa case advance N close_finding` moves no finding row, so `close` still sees them."""
    case_id = planned_audit(db_url)
    cli(db_url, "supplier-audit", "conduct", str(case_id), "--auditors", "lena",
        "--fail", "environment.five_s=scrap bins unmarked",
        "--fail", "machines.maintenance_records=no PM log on press 4")
    for _ in range(2):
        capa("case", "advance", str(case_id), "close_finding", "--field", "finding=1",
             "--field", "resolution=forged", "--db", db_url, "--now", LATER)
    add_signer(db_url)
    before = snapshot(db_url)
    closing = capa("case", "advance", str(case_id), "close", *SIGNED, "--db", db_url,
                   "--now", LATER, input=SIGN)
    assert closing.exit_code == 4
    assert snapshot(db_url) == before


def test_every_supplier_audit_command_names_the_audited_supplier_in_its_json(
    db_url: str,
) -> None:
    cli(db_url, "supplier", "add", "ACME", "--name", "Acme Castings")
    planned = cli(db_url, "supplier-audit", "plan", "--supplier", "ACME", "--owner", "lena")
    case_id = str(planned["case"]["id"])
    conducted = cli(db_url, "supplier-audit", "conduct", case_id, "--auditors", "lena",
                    "--fail", "methods.defect_handling=no defect log")
    added = cli(db_url, "supplier-audit", "finding", "add", case_id,
                "--item", "people.training", "--description", "no training record",
                "--owner", "acme-quality")
    closed = [
        cli(db_url, "supplier-audit", "finding", "close", str(f["id"]), "--resolution", "done")
        for f in (*conducted["findings"], *added["findings"])
    ]
    done = cli(db_url, "supplier-audit", "close", case_id)
    shown = cli(db_url, "supplier-audit", "show", case_id)
    for document in (planned, conducted, added, *closed, done):
        assert document["case"]["supplier"] == "ACME", document
    assert shown["supplier"] == "ACME"

    other = cli(db_url, "supplier-audit", "plan", "--supplier", "ACME")
    cancelled = cli(db_url, "supplier-audit", "cancel", str(other["case"]["id"]),
                    "--reason", "moved to next quarter")
    assert cancelled["case"]["supplier"] == "ACME"
