"""Three-level checks of a work item through `capa work` (docs/architecture.md, "Service
quality control"): self, mutual (another team), specialist, in that order; a failure sends
the item to rework and the checks start again from self; each refusal names its field and
writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.cli.support import ok, refused

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.fixture
def people_db(db_url: str) -> str:
    ok(db_url, "person", "add", "ann", "--team", "field", now=MONDAY)
    ok(db_url, "person", "add", "fay", "--team", "field", now=MONDAY)
    ok(db_url, "person", "add", "bob", "--team", "desk", now=MONDAY)
    ok(db_url, "person", "add", "sam", "--team", "office", "--skills", "specialist", now=MONDAY)
    return db_url


def _open(db: str, *extra: str) -> int:
    document = ok(db, "work", "open", "--title", "Install boiler", "--department",
                  "field_service", "--team", "field", *extra, now=MONDAY)
    assert (document["state"], document["next_level"]) == ("in_work", "self")
    item_id: int = document["id"]
    return item_id


def _check(db: str, item: int, level: str, result: str, by: str, *extra: str,
           at: datetime = MONDAY) -> dict[str, object]:
    document: dict[str, object] = ok(db, "work", "check", str(item), "--level", level,
                                     "--result", result, "--by", by, *extra, now=at)
    return document


def test_three_passed_checks_in_order_accept_the_item(people_db: str) -> None:
    item = _open(people_db)
    assert _check(people_db, item, "self", "pass", "ann")["state"] == "self_checked"
    assert _check(people_db, item, "mutual", "pass", "bob", at=MONDAY + H)["state"] == (
        "mutual_checked")
    accepted = _check(people_db, item, "specialist", "pass", "sam", at=MONDAY + 2 * H)
    assert (accepted["state"], accepted["next_level"]) == ("accepted", None)
    checks = accepted["checks"]
    assert isinstance(checks, list)
    assert [(c["level"], c["checked_by"], c["team"], c["checked_at"]) for c in checks] == [
        ("self", "ann", "field", MONDAY.isoformat()),
        ("mutual", "bob", "desk", (MONDAY + H).isoformat()),
        ("specialist", "sam", "office", (MONDAY + 2 * H).isoformat()),
    ]
    events = ok(people_db, "case", "show", str(item), now=MONDAY + 3 * H)["events"]
    assert [e["action"] for e in events] == ["open", "self_check", "mutual_check",
                                             "specialist_check"]


def test_a_failed_mutual_check_sends_the_item_to_rework_and_restarts_from_self(
    people_db: str,
) -> None:
    item = _check_through_self(people_db)
    failed = _check(people_db, item, "mutual", "fail", "bob", "--failed-items", "F-3,F-7",
                    "--note", "valve loose", at=MONDAY + H)
    assert (failed["state"], failed["next_level"], failed["round"]) == ("rework", "self", 2)
    refused(people_db, "work", "check", str(item), "--level", "mutual", "--result", "pass",
            "--by", "bob", exit_code=4, field="level", says=["self check has not passed"],
            now=MONDAY + 2 * H)
    _check(people_db, item, "self", "pass", "fay", at=MONDAY + 2 * H)
    _check(people_db, item, "mutual", "pass", "bob", at=MONDAY + 3 * H)
    done = _check(people_db, item, "specialist", "pass", "sam", at=MONDAY + 4 * H)
    checks = done["checks"]
    assert isinstance(checks, list)
    assert [(c["round"], c["level"], c["passed"]) for c in checks] == [
        (1, "self", True), (1, "mutual", False), (2, "self", True), (2, "mutual", True),
        (2, "specialist", True)]
    assert checks[1]["failed_items"] == ["F-3", "F-7"] and checks[1]["note"] == "valve loose"


def test_a_failed_specialist_check_also_restarts_from_self(people_db: str) -> None:
    item = _check_through_self(people_db)
    _check(people_db, item, "mutual", "pass", "bob")
    failed = _check(people_db, item, "specialist", "fail", "sam")
    assert (failed["state"], failed["next_level"]) == ("rework", "self")


def _check_through_self(db: str) -> int:
    item = _open(db)
    _check(db, item, "self", "pass", "ann")
    return item


def test_a_later_level_before_an_earlier_passed_is_a_conflict_naming_level(
    people_db: str,
) -> None:
    item = _open(people_db)
    refused(people_db, "work", "check", str(item), "--level", "specialist", "--result", "pass",
            "--by", "sam", exit_code=4, field="level", says=["self check has not passed"],
            now=MONDAY)
    _check(people_db, item, "self", "pass", "ann")
    refused(people_db, "work", "check", str(item), "--level", "self", "--result", "pass",
            "--by", "ann", exit_code=4, field="level", says=["already passed"], now=MONDAY)


def test_the_same_person_or_team_cannot_take_the_mutual_check(people_db: str) -> None:
    item = _check_through_self(people_db)
    refused(people_db, "work", "check", str(item), "--level", "mutual", "--result", "pass",
            "--by", "ann", exit_code=2, field="by", says=["took the self check"], now=MONDAY)
    refused(people_db, "work", "check", str(item), "--level", "mutual", "--result", "pass",
            "--by", "fay", exit_code=2, field="by", says=["next team"], now=MONDAY)


def test_the_self_check_is_the_working_teams_and_the_specialist_check_a_specialists(
    people_db: str,
) -> None:
    item = _open(people_db)
    refused(people_db, "work", "check", str(item), "--level", "self", "--result", "pass",
            "--by", "bob", exit_code=2, field="by", says=["working team"], now=MONDAY)
    _check(people_db, item, "self", "pass", "ann")
    _check(people_db, item, "mutual", "pass", "bob")
    refused(people_db, "work", "check", str(item), "--level", "specialist", "--result", "pass",
            "--by", "bob", exit_code=2, field="by", says=["not a specialist"], now=MONDAY)


def test_an_accepted_item_owes_no_more_checks(people_db: str) -> None:
    item = _check_through_self(people_db)
    _check(people_db, item, "mutual", "pass", "bob")
    _check(people_db, item, "specialist", "pass", "sam")
    refused(people_db, "work", "check", str(item), "--level", "self", "--result", "pass",
            "--by", "ann", exit_code=4, field="level", says=["no check is owed"], now=MONDAY)


@pytest.mark.parametrize(("args", "exit_code", "field"), [
    (("--level", "final", "--result", "pass", "--by", "ann"), 2, "level"),
    (("--level", "self", "--result", "ok", "--by", "ann"), 2, "result"),
    (("--level", "self", "--result", "pass", "--by", "nobody"), 3, "by"),
    (("--level", "self", "--result", "pass", "--by", "ann", "--failed-items", "A1"), 2,
     "failed_items"),
    (("--level", "self", "--result", "fail", "--by", "ann", "--failed-items", "a b"), 2,
     "failed_items"),
])
def test_a_bad_check_names_its_field_and_writes_nothing(
    people_db: str, args: tuple[str, ...], exit_code: int, field: str,
) -> None:
    item = _open(people_db)
    refused(people_db, "work", "check", str(item), *args, exit_code=exit_code, field=field,
            now=MONDAY)


def test_checking_an_unknown_item_is_not_found(people_db: str) -> None:
    refused(people_db, "work", "check", "99", "--level", "self", "--result", "pass", "--by",
            "ann", exit_code=3, field="item", now=MONDAY)
    refused(people_db, "work", "show", "99", exit_code=3, field="item", now=MONDAY)


@pytest.mark.parametrize(("args", "exit_code", "field"), [
    (("--department", "kitchen"), 2, "department"),
    (("--department", "field_service", "--team", "desk"), 2, "team"),
    (("--department", "field_service", "--request", "42"), 3, "request"),
    (("--department", "field_service", "--title", " "), 2, "title"),
])
def test_opening_with_bad_input_names_the_field_and_writes_nothing(
    people_db: str, args: tuple[str, ...], exit_code: int, field: str,
) -> None:
    title = () if "--title" in args else ("--title", "Job")
    refused(people_db, "work", "open", *title, *args, exit_code=exit_code, field=field,
            now=MONDAY)


def test_the_list_filters_by_state(people_db: str) -> None:
    first = _check_through_self(people_db)
    second = _open(people_db)
    assert [d["id"] for d in ok(people_db, "work", "list", now=MONDAY)] == [second, first]
    assert [d["id"] for d in ok(people_db, "work", "list", "--state", "self_checked",
                                now=MONDAY)] == [first]
    refused(people_db, "work", "list", "--state", "done", exit_code=2, field="state",
            now=MONDAY)


def test_a_work_item_is_not_stepped_by_the_generic_case_command(people_db: str) -> None:
    item = _open(people_db)
    refused(people_db, "case", "advance", str(item), "self_check", "--field", "result=pass",
            "--field", "by=ann", exit_code=4, field="case", now=MONDAY)
