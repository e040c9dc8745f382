"""Batch versus sporadic (issue 13, point 5; README "Batch versus sporadic"): a batch defect
owes parts confirmed good at once, a sporadic one a written notice and the replacement of its
pieces; one_off and unavoidable owe no emergency containment and no 100 % inspection of the
next lots; the quality lead's override is a step of the trail, refused whole on bad input."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, create_engine, select

from capaflow.models import InspectionHold, Notification
from tests.cli.support import (
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
from tests.helpers import capa

H = timedelta(hours=1)
D = timedelta(days=1)
PART, CODE = "HSG-100", "CRACK"


def _record(db_url: str, *extra: str, now: datetime = T0, part: str = PART) -> Any:
    return ok(db_url, "defect", "record", "--supplier", "ACME", "--part", part,
              "--defect-code", CODE, *extra, now=now)


def _acme(db_url: str) -> None:
    add_supplier(db_url, "ACME", "--contact", "json://127.0.0.1:9/acme")


def _notices(db_url: str, case_id: int) -> list[Notification]:
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(Notification)
                                     .where(Notification.case_id == case_id)
                                     .order_by(col(Notification.id))))
    finally:
        engine.dispose()


def _holds(db_url: str) -> list[InspectionHold]:
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(InspectionHold).order_by(col(InspectionHold.id))))
    finally:
        engine.dispose()


def _classify(db_url: str, case_id: int, kind: str, reason: str, now: datetime) -> Any:
    return ok(db_url, "defect", "classify", str(case_id), "--as", kind, "--reason", reason,
              "--by", "lena", now=now)


# --- the classification and its thresholds ---------------------------------------------------


def test_a_defect_reaching_the_batch_quantity_is_a_batch_and_one_below_is_sporadic(
    db_url: str,
) -> None:
    _acme(db_url)

    batch = _record(db_url, "--qty", "10")
    sporadic = _record(db_url, "--qty", "9", part="BRK-220")

    assert (batch["classification"], sporadic["classification"]) == ("batch", "sporadic")
    assert "at least 10" in batch["classification_basis"]
    assert batch["case"]["classification"] == "batch"
    assert show(db_url, sporadic["case_id"])["classification"] == "sporadic"


def test_with_a_lot_size_the_defect_rate_decides_too(db_url: str) -> None:
    _acme(db_url)

    # 3 pieces: fewer than 10, but 3 % of a lot of 100 reaches the 2 % rate.
    of_a_small_lot = _record(db_url, "--qty", "3", "--lot-size", "100")
    of_a_large_lot = _record(db_url, "--qty", "3", "--lot-size", "1000", part="BRK-220")

    assert of_a_small_lot["classification"] == "batch"
    assert "3.00%" in of_a_small_lot["classification_basis"]
    assert of_a_large_lot["classification"] == "sporadic"


def test_the_thresholds_are_the_sites_config(db_url: str, tmp_path: Path) -> None:
    _acme(db_url)
    site = tmp_path / "site.toml"
    site.write_text("[intake.classification]\nbatch_min_quantity = 3\n")

    found = ok(db_url, "defect", "record", "--supplier", "ACME", "--part", PART,
               "--defect-code", CODE, "--qty", "3", "--config", str(site))

    assert found["classification"] == "batch"


@pytest.mark.parametrize(("toml", "path"), [
    ("[intake.classification]\nbatch_min_quantity = 0\n",
     "intake.classification.batch_min_quantity"),
    ("[intake.classification]\nbatch_min_rate = 1.5\n", "intake.classification.batch_min_rate"),
    ("[intake.classification]\nbatch_min_pieces = 5\n", "intake.classification.batch_min_pieces"),
    ("[intake.good_parts]\ndue = \"soon\"\n", "intake.good_parts.due"),
    ("[intake.replacement]\ntitle = \"\"\n", "intake.replacement.title"),
])
def test_a_bad_threshold_or_deadline_is_refused_naming_its_key_path(
    db_url: str, tmp_path: Path, toml: str, path: str
) -> None:
    _acme(db_url)
    site = tmp_path / "site.toml"
    site.write_text(toml)

    refused(db_url, "defect", "record", "--supplier", "ACME", "--part", PART,
            "--defect-code", CODE, "--config", str(site), exit_code=2, field=path, says=[path])


def test_a_lot_size_below_the_defective_pieces_is_refused_naming_it(db_url: str) -> None:
    _acme(db_url)

    refused(db_url, "defect", "record", "--supplier", "ACME", "--part", PART,
            "--defect-code", CODE, "--qty", "5", "--lot-size", "4", exit_code=2,
            field="lot_size", says=["lot_size"])


def test_a_rejected_lot_is_classified_on_the_pieces_inspected(db_url: str) -> None:
    _acme(db_url)

    # 4 nonconforming in a sample of 80 (5 %): a batch, though fewer than 10 pieces.
    ok(db_url, "inspect", "record", "--supplier", "ACME", "--part", PART, "--lot", "L1",
       "--lot-size", "1000", "--sampled", "80", "--defects", "4", "--defect-code", CODE,
       "--aql", "1.0")

    [case] = ok(db_url, "case", "list")
    assert case["classification"] == "batch"


# --- the two notices and their deadlines -----------------------------------------------------


def test_a_batch_defect_owes_parts_confirmed_good_at_once_chased_by_the_sweep(
    db_url: str,
) -> None:
    _acme(db_url)
    recorded = _record(db_url, "--qty", "40")
    case_id = recorded["case_id"]

    [owed] = recorded["parts_owed"]
    assert (owed["key"], owed["due_at"]) == ("good_parts", iso(T0 + 24 * H))
    notice = next(n for n in _notices(db_url, case_id) if n.kind == "batch_defect")
    assert "supplier_contact" in notice.audience
    assert "Send parts confirmed good at once" in notice.body
    # The full 8D as well: the 24 h containment and the next lots at 100 %.
    assert deadline(show(db_url, case_id), "containment")["status"] == "pending"
    assert recorded["inspection_hold"]["lots_remaining"] == 3

    reminded = ok(db_url, "sweep", now=T0 + 23 * H)["actions"]
    assert {"key": "good_parts", "action": "reminder"} in [
        {"key": a["key"], "action": a["action"]} for a in reminded]
    escalated = ok(db_url, "sweep", now=T0 + 25 * H)["actions"]
    assert any(a["key"] == "good_parts" and a["action"] == "escalation" for a in escalated)

    received = ok(db_url, "defect", "parts-received", str(case_id), now=T0 + 26 * H)
    assert [d["key"] for d in received["met"]] == ["good_parts"]
    met = deadline(show(db_url, case_id, now=T0 + 26 * H), "good_parts")
    assert (met["status"], met["met_on_time"]) == ("met", False)
    # Met: the sweep has nothing more to say about it.
    later = ok(db_url, "sweep", now=T0 + 4 * D)["actions"]
    assert not [a for a in later if a["key"] == "good_parts"]


def test_a_sporadic_defect_gets_a_written_notice_and_owes_its_replacement(db_url: str) -> None:
    _acme(db_url)
    recorded = _record(db_url, "--qty", "1")
    case_id = recorded["case_id"]

    [owed] = recorded["parts_owed"]
    # Three business days from Monday 09:00: Thursday 09:00.
    assert (owed["key"], owed["due_at"]) == ("replacement", iso(T0 + 3 * D))
    notice = next(n for n in _notices(db_url, case_id) if n.kind == "sporadic_defect")
    assert "supplier_contact" in notice.audience
    assert "written notice" in notice.body and "replace them" in notice.body
    # The 8D still opens: containment, and the supplier owes the root cause after it.
    assert recorded["outcome"] == "new_case"

    escalated = ok(db_url, "sweep", now=T0 + 3 * D + H)["actions"]
    assert any(a["key"] == "replacement" and a["action"] == "escalation" for a in escalated)


def test_parts_received_without_parts_owed_is_a_conflict_and_writes_nothing(
    db_url: str,
) -> None:
    _acme(db_url)
    case_id = _record(db_url)["case_id"]
    ok(db_url, "defect", "parts-received", str(case_id), now=T0 + H)

    refused(db_url, "defect", "parts-received", str(case_id), exit_code=4, field="case",
            now=T0 + 2 * H)


def test_a_sporadic_piece_on_a_batch_case_keeps_it_batch(db_url: str) -> None:
    _acme(db_url)
    case_id = _record(db_url, "--qty", "20")["case_id"]

    again = _record(db_url, "--qty", "1", now=T0 + H)

    assert again["classification"] == "sporadic"  # this defect, by the rule
    assert show(db_url, case_id, now=T0 + H)["classification"] == "batch"  # the case
    keys = [d["key"] for d in show(db_url, case_id, now=T0 + H)["deadlines"]
            if d["status"] == "pending"]
    assert "good_parts" in keys and "replacement" not in keys


# --- the exemption and the lead's override ---------------------------------------------------


def test_one_off_owes_no_containment_and_releases_the_hold_the_case_placed(db_url: str) -> None:
    _acme(db_url)
    case_id = _record(db_url)["case_id"]
    assert _holds(db_url)[0].released_at is None

    document = _classify(db_url, case_id, "one_off", "dropped by the forklift", T0 + H)

    assert document["classification"] == "one_off"
    assert document["previous"] == "sporadic"
    assert document["released_hold_id"] == _holds(db_url)[0].id
    case = show(db_url, case_id, now=T0 + H)
    # Cancelled, not deleted; the case moves on to D4 with D3 recorded as not required.
    containment = deadline(case, "containment")
    assert containment["status"] == "cancelled"
    assert case["state"] == "root_cause"
    assert case["content"]["containment"].startswith("Not required: classified one_off")
    assert deadline(case, "root_cause")["status"] == "pending"
    # The piece is still replaced.
    assert deadline(case, "replacement")["status"] == "pending"
    [hold] = _holds(db_url)
    assert hold.released_at is not None
    # The override is a step of the hash-chained trail, with its actor and reason.
    classify = [e for e in case["events"] if e["action"] == "classify"][-1]
    assert (classify["actor"], classify["fields"]["reason"]) == ("lena", "dropped by the forklift")
    assert classify["fields"]["source"] == "override"
    assert capa("audit", "verify", "--db", db_url).exit_code == 0
    # Nothing left to chase about the containment.
    actions = ok(db_url, "sweep", now=T0 + 2 * D)["actions"]
    assert not [a for a in actions if a["key"] == "containment"]
    # The next lot is not on 100 % inspection.
    plan = ok(db_url, "inspect", "plan", "--supplier", "ACME", "--part", PART,
              "--lot-size", "1000", "--aql", "1.0", now=T0 + 2 * D)
    assert (plan["hundred_percent"], plan["hold"]) == (False, None), plan


def test_unavoidable_after_containment_releases_the_hold_and_leaves_the_state(
    db_url: str,
) -> None:
    _acme(db_url)
    case_id = _record(db_url, "--qty", "12")["case_id"]
    step(db_url, case_id, "contain", T0 + 5 * H, containment="sorted 2,400 housings")

    document = _classify(db_url, case_id, "unavoidable", "casting porosity within the "
                         "material standard", T0 + 6 * H)

    case = show(db_url, case_id, now=T0 + 6 * H)
    assert case["state"] == "root_cause" and not document["contained"]
    assert deadline(case, "containment")["status"] == "met"
    # Batch's parts confirmed good give way to the replacement of the pieces.
    assert deadline(case, "good_parts")["status"] == "cancelled"
    assert deadline(case, "replacement")["status"] == "pending"
    assert _holds(db_url)[0].released_at is not None


def test_a_further_defect_on_a_one_off_case_ends_the_exemption(db_url: str) -> None:
    _acme(db_url)
    case_id = _record(db_url)["case_id"]
    _classify(db_url, case_id, "one-off", "a single bent tab", T0 + H)

    again = _record(db_url, now=T0 + 2 * D)

    assert again["case_id"] == case_id
    case = show(db_url, case_id, now=T0 + 2 * D)
    assert case["classification"] == "sporadic"
    classify = [e for e in case["events"] if e["action"] == "classify"][-1]
    assert "exemption_ended" in classify["fields"]
    assert again["inspection_hold"]["lots_remaining"] == 3
    assert [h.released_at is None for h in _holds(db_url)] == [False, True]


def test_taking_the_exemption_back_puts_the_next_lots_on_100_percent_again(db_url: str) -> None:
    _acme(db_url)
    case_id = _record(db_url)["case_id"]
    _classify(db_url, case_id, "one_off", "thought so", T0 + H)

    document = _classify(db_url, case_id, "batch", "the whole delivery is affected", T0 + 2 * H)

    assert document["placed_hold_id"] is not None
    case = show(db_url, case_id, now=T0 + 2 * H)
    assert deadline(case, "good_parts")["status"] == "pending"
    assert deadline(case, "replacement")["status"] == "cancelled"


@pytest.mark.parametrize(("args", "code", "field"), [
    (("--as", "trivial", "--reason", "x"), 2, "as"),
    (("--as", "one_off", "--reason", "  "), 2, "reason"),
])
def test_an_override_with_bad_input_exits_2_naming_the_field_and_writes_nothing(
    db_url: str, args: tuple[str, ...], code: int, field: str,
) -> None:
    _acme(db_url)
    case_id = _record(db_url)["case_id"]

    refused(db_url, "defect", "classify", str(case_id), *args, exit_code=code, field=field,
            says=[field], now=T0 + H)


def test_an_override_of_an_unknown_case_exits_3_and_writes_nothing(db_url: str) -> None:
    _acme(db_url)
    _record(db_url)

    refused(db_url, "defect", "classify", "99", "--as", "batch", "--reason", "x",
            exit_code=3, field="case", now=T0 + H)


def test_an_override_that_makes_no_sense_exits_4_and_writes_nothing(db_url: str) -> None:
    _acme(db_url)
    sporadic = _record(db_url)["case_id"]
    cancelled = _record(db_url, part="BRK-220")["case_id"]
    add_signer(db_url)
    signed_step(db_url, cancelled, "cancel", T0 + H, reason="recorded on the wrong supplier")
    internal = open_8d(db_url)  # no supplier

    for case_id, kind in ((sporadic, "sporadic"), (cancelled, "one_off"), (internal, "batch")):
        refused(db_url, "defect", "classify", str(case_id), "--as", kind, "--reason", "x",
                exit_code=4, field=_conflict_field(case_id, sporadic),
                now=T0 + 2 * H)


def _conflict_field(case_id: int, same_class: int) -> str:
    return "as" if case_id == same_class else "case"
