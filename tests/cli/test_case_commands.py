"""The case, supplier, lifecycle and config commands end to end, as a quality lead uses them.

Every command runs in-process through the real Typer app against a real database (SQLite and
PostgreSQL), with `--now` stepping through fixed times from T0 (Monday 2026-03-02 09:00 UTC).
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from tests.cli.support import (
    SIGNED,
    SIGNER_PASSWORD,
    D,
    H,
    add_signer,
    add_supplier,
    deadline,
    iso,
    ok,
    open_8d,
    refused,
    show,
    signed_step,
    step,
)
from tests.conftest import T0
from tests.helpers import capa, capa_json

SECRET_URL = "mailto://quality:secret@example.com"


def _open_acme_case(db_url: str, *extra: str) -> int:
    add_supplier(db_url, "ACME", "--contact", SECRET_URL)
    return open_8d(
        db_url, "--supplier", "ACME", "--part", "HSG-100", "--defect-code", "CRACK",
        "--severity", "major", "--owner", "lena", "--team", "lena, marco",
        "--problem", "Hairline cracks at the boss of housing HSG-100", *extra,
    )


def test_8d_case_walks_containment_to_effectiveness_tracking_with_deadlines_per_design(
    db_url: str,
) -> None:
    case_id = _open_acme_case(db_url)

    # D0-D2 at opening: containment owed within 24 h.
    case = show(db_url, case_id)
    assert case["state"] == "containment"
    assert case["allowed_triggers"] == ["contain", "cancel"]
    assert (case["supplier"], case["part"], case["defect_code"]) == ("ACME", "HSG-100", "CRACK")
    assert (case["severity"], case["complexity"], case["owner"]) == ("major", "general", "lena")
    assert case["content"] == {
        "team": ["lena", "marco"],
        "problem": "Hairline cracks at the boss of housing HSG-100",
    }
    assert case["opened_at"] == iso(T0)
    assert [d["key"] for d in case["deadlines"]] == ["containment"]
    containment = deadline(case, "containment")
    assert containment["status"] == "pending"
    assert containment["started_at"] == iso(T0)
    assert containment["due_at"] == iso(T0 + 24 * H)

    # D3 after 2 h: on time; the root cause is owed 3 days after containment.
    moved = step(db_url, case_id, "contain", T0 + 2 * H,
                 containment="Quarantined 1,200 pcs; 100 % crack check at receiving")
    assert (moved["event"]["from_state"], moved["event"]["to_state"]) == (
        "containment", "root_cause")
    case = show(db_url, case_id, T0 + 2 * H)
    assert case["state"] == "root_cause"
    containment = deadline(case, "containment")
    assert containment["status"] == "met"
    assert containment["met_on_time"] is True
    assert containment["closed_at"] == iso(T0 + 2 * H)
    root_cause = deadline(case, "root_cause")
    assert root_cause["status"] == "pending"
    assert root_cause["due_at"] == iso(T0 + 2 * H + 3 * D)

    # D4 on day 2: on time; D5 owed 3 days and D6 7 days (a general cause) after it.
    step(db_url, case_id, "find_root_cause", T0 + 2 * D,
         root_cause="Mould temperature drifts on night shift",
         escape_point="No crack check at outgoing inspection", category="method")
    case = show(db_url, case_id, T0 + 2 * D)
    assert case["state"] == "short_term_fix"
    assert deadline(case, "root_cause")["met_on_time"] is True
    assert deadline(case, "short_term_fix")["due_at"] == iso(T0 + 2 * D + 3 * D)
    assert deadline(case, "long_term_countermeasure")["due_at"] == iso(T0 + 2 * D + 7 * D)

    # Day 6: the short-term fix is overdue; applied now it is met, but late.
    case = show(db_url, case_id, T0 + 6 * D)
    assert deadline(case, "short_term_fix")["overdue"] is True
    assert deadline(case, "long_term_countermeasure")["overdue"] is False
    step(db_url, case_id, "apply_short_term_fix", T0 + 6 * D,
         short_term_fix="Cooling time +4 s until the controller is fitted")
    case = show(db_url, case_id, T0 + 6 * D)
    assert case["state"] == "long_term_countermeasure"
    short_term = deadline(case, "short_term_fix")
    assert (short_term["status"], short_term["met_on_time"]) == ("met", False)

    # D6 on day 8 (due day 9): on time; six months of effectiveness tracking begin.
    done_at = T0 + 8 * D
    step(db_url, case_id, "implement_countermeasure", done_at,
         countermeasure="Closed-loop mould temperature control",
         verification="3 lots without cracks")
    case = show(db_url, case_id, done_at)
    assert case["state"] == "effectiveness_tracking"
    assert set(case["allowed_triggers"]) == {"close", "reopen", "reject", "cancel"}
    assert deadline(case, "long_term_countermeasure")["met_on_time"] is True
    window = deadline(case, "effectiveness_window")
    assert window["status"] == "pending"
    assert window["due_at"] == "2026-09-10T09:00:00+00:00"  # 2026-03-10 + 6 months
    reviews = sorted(
        (d for d in case["deadlines"] if d["key"] == "effectiveness_review"),
        key=lambda d: d["sequence"],
    )
    assert [d["sequence"] for d in reviews] == [1, 2, 3, 4, 5, 6]
    assert [d["due_at"] for d in reviews] == [
        f"2026-{month:02d}-10T09:00:00+00:00" for month in range(4, 10)
    ]
    assert all(d["status"] == "pending" for d in reviews)

    # Every milestone met on the way is on record with its verdict.
    verdicts = {d["key"]: d["met_on_time"] for d in case["deadlines"] if d["status"] == "met"}
    assert verdicts == {
        "containment": True,
        "root_cause": True,
        "short_term_fix": False,
        "long_term_countermeasure": True,
    }
    assert case["content"]["countermeasure"] == "Closed-loop mould temperature control"
    assert [e["action"] for e in case["events"]] == [
        "open", "contain", "find_root_cause", "apply_short_term_fix", "implement_countermeasure"
    ]


def test_complex_cause_gives_the_countermeasure_10_days_whether_set_at_open_or_at_root_cause(
    db_url: str,
) -> None:
    complex_at_open = open_8d(db_url, "--complex", title="Porosity in casting")
    complex_at_d4 = open_8d(db_url, title="Porosity in casting, second line")
    for case_id in (complex_at_open, complex_at_d4):
        step(db_url, case_id, "contain", T0 + H, containment="Sorted stock")

    step(db_url, complex_at_open, "find_root_cause", T0 + D,
         root_cause="Gas entrapment", escape_point="X-ray sampling too thin", category="machine")
    step(db_url, complex_at_d4, "find_root_cause", T0 + D,
         root_cause="Gas entrapment", escape_point="X-ray sampling too thin",
         category="machine", complexity="complex")

    for case_id in (complex_at_open, complex_at_d4):
        case = show(db_url, case_id, T0 + D)
        assert case["complexity"] == "complex"
        assert deadline(case, "long_term_countermeasure")["due_at"] == iso(T0 + D + 10 * D)
        # The short-term fix does not depend on complexity.
        assert deadline(case, "short_term_fix")["due_at"] == iso(T0 + D + 3 * D)


def test_pdca_cycle_refuses_to_standardize_a_missed_target_and_closes_after_a_met_one(
    db_url: str,
) -> None:
    add_signer(db_url)
    opened = ok(db_url, "case", "open", "--lifecycle", "pdca", "--title", "Cut scrap on line 3",
                "--owner", "lena")
    case_id = opened["case"]["id"]
    case = show(db_url, case_id)
    assert (case["lifecycle"], case["state"], case["cycle"]) == ("pdca", "plan", 1)
    assert deadline(case, "plan")["due_at"] == iso(T0 + 14 * D)

    step(db_url, case_id, "execute", T0 + D, target="scrap below 2 %",
         plan="New clamping fixture")
    step(db_url, case_id, "measure", T0 + 10 * D, result="scrap 3.1 % over two weeks")
    step(db_url, case_id, "evaluate", T0 + 11 * D, met="false")
    case = show(db_url, case_id, T0 + 11 * D)
    assert case["state"] == "act"
    assert case["content"]["cycles"]["1"]["met"] is False

    # Standardising a change that missed its target is refused: exit 4, nothing written.
    error = refused(
        db_url, "case", "advance", str(case_id), "standardize",
        "--field", "standard=Fixture in WI-3", *SIGNED, input=SIGNER_PASSWORD + "\n",
        exit_code=4, field="trigger", says=["standardize", "did not meet its target"],
        now=T0 + 12 * D,
    )
    assert "next_cycle" in error["allowed"]
    assert show(db_url, case_id, T0 + 12 * D)["state"] == "act"

    step(db_url, case_id, "next_cycle", T0 + 12 * D, reason="Clamping was not the cause")
    case = show(db_url, case_id, T0 + 12 * D)
    assert (case["state"], case["cycle"]) == ("plan", 2)
    plans = [d for d in case["deadlines"] if d["key"] == "plan"]
    assert [d["status"] for d in plans] == ["met", "pending"]
    assert plans[-1]["due_at"] == iso(T0 + 12 * D + 14 * D)

    step(db_url, case_id, "execute", T0 + 13 * D, target="scrap below 2 %",
         plan="Tool wear check every 500 parts")
    step(db_url, case_id, "measure", T0 + 30 * D, result="scrap 1.4 %")
    step(db_url, case_id, "evaluate", T0 + 31 * D, met="true", analysis="tool wear it was")
    closed = signed_step(db_url, case_id, "standardize", T0 + 32 * D,
                  standard="Tool wear check in WI-3")
    assert closed["case"]["state"] == "closed"

    case = show(db_url, case_id, T0 + 32 * D)
    assert case["state"] == "closed"
    assert case["closed_at"] == iso(T0 + 32 * D)
    assert case["allowed_triggers"] == []
    assert not [d for d in case["deadlines"] if d["status"] == "pending"]
    cycles = case["content"]["cycles"]
    assert (cycles["1"]["met"], cycles["2"]["met"]) == (False, True)
    assert cycles["2"]["standard"] == "Tool wear check in WI-3"

    report = capa("case", "report", str(case_id), "--db", db_url, "--now", iso(T0 + 32 * D))
    assert report.exit_code == 0, report.stderr
    for text in ("## Cycle 1", "## Cycle 2", "**Target met:** no", "**Target met:** yes",
                 "**Standardised as:** Tool wear check in WI-3", "Clamping was not the cause"):
        assert text in report.stdout, text


def test_case_list_filters_by_state_supplier_overdue_and_lifecycle(db_url: str) -> None:
    add_supplier(db_url, "ACME")
    add_supplier(db_url, "BETA")
    late = open_8d(db_url, "--supplier", "ACME", title="Burr on bracket")
    contained = open_8d(db_url, "--supplier", "BETA", title="Wrong colour")
    step(db_url, contained, "contain", T0 + H, containment="Blocked lot 7")
    improvement = ok(db_url, "case", "open", "--lifecycle", "pdca", "--title", "Less rework")[
        "case"]["id"]

    def ids(*filters: str, at: datetime = T0 + 2 * D) -> list[int]:
        return [row["id"] for row in ok(db_url, "case", "list", *filters, now=at)]

    assert ids() == [late, contained, improvement]
    assert ids("--state", "containment") == [late]
    assert ids("--state", "root_cause") == [contained]
    assert ids("--supplier", "ACME") == [late]
    assert ids("--supplier", "BETA") == [contained]
    assert ids("--supplier", "BETA", "--state", "containment") == []
    assert ids("--lifecycle", "8d") == [late, contained]
    assert ids("--lifecycle", "pdca") == [improvement]
    # Two days in, only the uncontained case has blown its 24 h; an hour in, none has.
    assert ids("--overdue") == [late]
    assert ids("--overdue", at=T0 + H) == []

    rows = {row["id"]: row for row in ok(db_url, "case", "list", now=T0 + 2 * D)}
    assert rows[late]["supplier"] == "ACME"
    assert rows[late]["next_deadline"]["key"] == "containment"
    assert rows[late]["next_deadline"]["overdue"] is True
    assert rows[contained]["next_deadline"]["key"] == "root_cause"
    assert rows[contained]["next_deadline"]["overdue"] is False


def test_case_history_events_chain_each_prev_hash_to_the_previous_hash(db_url: str) -> None:
    case_id = open_8d(db_url, "--team", "lena")
    step(db_url, case_id, "contain", T0 + H, containment="Sorted stock")
    step(db_url, case_id, "find_root_cause", T0 + D, root_cause="Worn punch",
         escape_point="No burr gauge", category="machine")
    ok(db_url, "case", "open", "--title", "Another case, its own chain")

    history = ok(db_url, "case", "history", str(case_id))
    assert history["case"] == case_id
    events = history["events"]
    assert [e["seq"] for e in events] == [1, 2, 3]
    assert [e["action"] for e in events] == ["open", "contain", "find_root_cause"]
    assert [e["at"] for e in events] == [iso(T0), iso(T0 + H), iso(T0 + D)]
    assert events[0]["prev_hash"] == "0" * 64
    for previous, current in zip(events, events[1:], strict=False):
        assert current["prev_hash"] == previous["hash"]
    assert all(re.fullmatch(r"[0-9a-f]{64}", e["hash"]) for e in events)
    assert len({e["hash"] for e in events}) == 3
    assert events[2]["fields"] == {
        "root_cause": "Worn punch", "escape_point": "No burr gauge", "category": "machine"
    }

    verified = ok(db_url, "audit", "verify")
    assert verified["ok"] is True
    assert (verified["cases"], verified["events"]) == (2, 4)


def test_case_report_has_the_d1_to_d8_headings_and_the_content_entered(db_url: str) -> None:
    case_id = _open_acme_case(db_url)
    step(db_url, case_id, "contain", T0 + H, containment="Quarantined 1,200 pcs")
    step(db_url, case_id, "find_root_cause", T0 + D, root_cause="Mould temperature drift",
         escape_point="No crack check at outgoing", category="method")
    step(db_url, case_id, "apply_short_term_fix", T0 + 2 * D,
         short_term_fix="Cooling time +4 s")
    step(db_url, case_id, "implement_countermeasure", T0 + 5 * D,
         countermeasure="Closed-loop mould temperature control",
         verification="3 lots without cracks", prevention="Added to the FMEA of all moulds")

    result = capa("case", "report", str(case_id), "--db", db_url, "--now", iso(T0 + 5 * D))
    assert result.exit_code == 0, result.stderr
    report = result.stdout
    assert report.startswith(f"# 8D report — case #{case_id}: Cracked housing")
    for n in range(1, 9):
        assert re.search(rf"^## D{n} ", report, re.MULTILINE), f"no D{n} heading"
    for entered in (
        "Acme Castings (ACME)", "HSG-100", "- lena", "- marco",
        "Hairline cracks at the boss of housing HSG-100", "Quarantined 1,200 pcs",
        "Mould temperature drift", "No crack check at outgoing", "method",
        "Cooling time +4 s", "Closed-loop mould temperature control", "3 lots without cracks",
        "Added to the FMEA of all moulds",
    ):
        assert entered in report, entered
    assert "secret" not in report

    as_json = ok(db_url, "case", "report", str(case_id), now=T0 + 5 * D)
    assert (as_json["case"], as_json["format"]) == (case_id, "markdown")
    assert as_json["report"].strip() == report.strip()


def test_lifecycle_show_8d_lists_the_states_and_triggers_of_the_contract() -> None:
    document = capa_json("lifecycle", "show", "8d")
    assert document["name"] == "8d"
    assert document["initial"] == "containment"
    assert [s["name"] for s in document["states"]] == [
        "containment", "root_cause", "short_term_fix", "long_term_countermeasure",
        "effectiveness_tracking", "closed", "cancelled",
    ]
    assert sorted(document["final"]) == ["cancelled", "closed"]
    triggers = {t["name"]: t for t in document["triggers"]}
    assert set(triggers) == {
        "contain", "find_root_cause", "apply_short_term_fix", "implement_countermeasure",
        "close", "reopen", "reject", "cancel",
    }
    required = {name: t["required_fields"] for name, t in triggers.items()}
    assert required["contain"] == ["containment"]
    assert sorted(required["find_root_cause"]) == ["category", "escape_point", "root_cause"]
    assert "complexity" in triggers["find_root_cause"]["optional_fields"]
    assert required["apply_short_term_fix"] == ["short_term_fix"]
    assert required["implement_countermeasure"] == ["countermeasure"]
    assert required["reject"] == required["cancel"] == ["reason"]
    assert [(s["source"], s["dest"], s["conditions"])
            for s in triggers["reopen"]["transitions"]] == [
        ("effectiveness_tracking", "containment", []),
        # A recurrence reported after the close, that occurred inside the window.
        ("closed", "containment", ["recurrence_inside_window"]),
    ]
    assert [(s["source"], s["dest"]) for s in triggers["close"]["transitions"]] == [
        ("effectiveness_tracking", "closed")
    ]
    assert sorted(document["choices"]["category"]) == sorted(
        ["man", "machine", "material", "method", "environment", "measurement"]
    )
    assert sorted(document["choices"]["complexity"]) == ["complex", "general"]


def test_lifecycle_show_pdca_lists_its_triggers_and_draws_a_mermaid_state_diagram() -> None:
    document = capa_json("lifecycle", "show", "pdca")
    assert [s["name"] for s in document["states"]] == [
        "plan", "do", "check", "act", "closed", "cancelled"
    ]
    required = {t["name"]: t["required_fields"] for t in document["triggers"]}
    assert set(required) == {"execute", "measure", "evaluate", "standardize", "next_cycle",
                             "cancel"}
    assert sorted(required["execute"]) == ["plan", "target"]
    assert required["measure"] == ["result"]
    assert required["evaluate"] == ["met"]
    assert required["standardize"] == ["standard"]
    assert required["next_cycle"] == ["reason"]

    result = capa("lifecycle", "show", "pdca", "--mermaid")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("stateDiagram-v2\n")
    assert "act --> plan: next_cycle" in result.stdout
    assert "act --> closed: standardize" in result.stdout


def test_config_show_prints_the_deadline_policies_in_force() -> None:
    policies = capa_json("config", "show")
    eight_d = policies["deadlines"]["8d"]
    assert eight_d["containment"]["due"] == "24h"
    assert eight_d["root_cause"]["due"] == "3d"
    assert eight_d["short_term_fix"]["due"] == "3d"
    assert eight_d["long_term_countermeasure"]["due"] == {"default": "7d", "complex": "10d"}
    assert eight_d["effectiveness_window"]["due"] == "6mo"
    assert eight_d["effectiveness_review"]["every"] == "1mo"
    assert set(policies["deadlines"]["pdca"]) == {"plan", "do", "check", "act"}


def test_supplier_add_list_show_mask_the_password_of_apprise_urls_in_every_output(
    db_url: str,
) -> None:
    outputs: list[str] = []

    def run(*args: str) -> str:
        result = capa(*args, "--db", db_url, "--now", iso(T0))
        assert result.exit_code == 0, (args, result.stderr)
        outputs.append(result.stdout + result.stderr)
        return result.stdout

    added = json.loads(run(
        "supplier", "add", "ACME", "--name", "Acme Castings", "--contact", SECRET_URL,
        "--quality-head", "mailto://head:secret@example.com",
        "--executive", "json://ceo:secret@127.0.0.1:8080/hook", "--json",
    ))
    assert added["code"] == "ACME"
    assert added["name"] == "Acme Castings"
    assert added["created_at"] == iso(T0)
    for role in ("contact", "quality_head", "executive"):
        assert added[role] is not None and "****" in added[role], added[role]
    assert added["contact"].startswith("mailto://") and "example.com" in added["contact"]
    run("supplier", "add", "BETA", "--name", "Beta Plastics")

    listed = json.loads(run("supplier", "list", "--json"))
    assert [s["code"] for s in listed] == ["ACME", "BETA"]
    assert listed[0]["contact"] == added["contact"]
    assert listed[1]["contact"] is None
    run("supplier", "list")

    case_id = open_8d(db_url, "--supplier", "ACME")
    shown = json.loads(run("supplier", "show", "ACME", "--json"))
    assert shown["contact"] == added["contact"]
    assert [(c["id"], c["state"]) for c in shown["cases"]] == [(case_id, "containment")]
    assert "Acme Castings" in run("supplier", "show", "ACME")
    run("case", "show", str(case_id), "--json")
    run("case", "report", str(case_id))

    for output in outputs:
        assert "secret" not in output, output
