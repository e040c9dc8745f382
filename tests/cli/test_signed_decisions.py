"""The CLI's decisions are signed as the pages' and the API's are (docs/architecture.md,
"Signed decisions"): a step that ends a case, an edit of an open case, an extension and the
decision on a request for more time each need a user (--by) and that user's password."""

from __future__ import annotations

import json

from tests.cli.support import (
    SIGNED,
    SIGNER_PASSWORD,
    D,
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
from tests.helpers import capa, snapshot

SIGN = SIGNER_PASSWORD + "\n"


def _at_countermeasure(db_url: str) -> int:
    add_signer(db_url)
    add_supplier(db_url)
    case_id = open_8d(db_url, "--supplier", "ACME", "--owner", "lena")
    step(db_url, case_id, "contain", T0, containment="Sorted")
    step(db_url, case_id, "find_root_cause", T0 + D, root_cause="Die", escape_point="X",
         category="machine")
    step(db_url, case_id, "apply_short_term_fix", T0 + D, short_term_fix="Deburr")
    return case_id


def test_cli_cancel_is_signed_and_refused_without_a_user_or_with_a_wrong_password(
    db_url: str,
) -> None:
    add_signer(db_url)
    case_id = open_8d(db_url)
    args = ("case", "advance", str(case_id), "cancel", "--field", "reason=duplicate")
    refused(db_url, *args, "--by", "nobody", "--password-stdin", input=SIGN,
            exit_code=2, field="actor", says=["not a user"])
    refused(db_url, *args, "--by", "lena", "--password-stdin", input="\n",
            exit_code=2, field="password")
    before = snapshot(db_url)
    wrong = capa(*args, *SIGNED, "--db", db_url, "--now", iso(T0), "--json",
                 input="not-the-password\n")
    assert wrong.exit_code == 2
    assert json.loads(wrong.stdout)["error"]["field"] == "password"
    after = snapshot(db_url)
    # Only the wrong password is counted (accounts.throttle); the case is untouched.
    before.pop("password_throttles"), after.pop("password_throttles")
    assert after == before
    done = signed_step(db_url, case_id, "cancel", T0 + D, reason="duplicate")
    assert done["case"]["state"] == "cancelled"
    history = ok(db_url, "case", "history", str(case_id), now=T0 + D)
    assert history["events"][-1]["fields"]["signature"]["signed_by"] == "lena"


def test_cli_edit_and_extension_requests_are_signed_and_audited(db_url: str) -> None:
    case_id = _at_countermeasure(db_url)
    edited = ok(db_url, "case", "edit", str(case_id), "--complexity", "complex",
                "--reason", "Two causes", *SIGNED, input=SIGN, now=T0 + 2 * D)
    assert edited["event"]["action"] == "edited"
    assert deadline(show(db_url, case_id), "long_term_countermeasure")["due_at"] == iso(
        T0 + 11 * D)
    refused(db_url, "case", "edit", str(case_id), "--severity", "huge", "--reason", "x",
            *SIGNED, input=SIGN, exit_code=2, field="severity")
    extended = ok(db_url, "case", "extend", str(case_id), "--step", "long_term_countermeasure",
                  "--until", iso(T0 + 20 * D), "--reason", "Holiday", *SIGNED, input=SIGN,
                  now=T0 + 3 * D)
    assert extended["status"] == "granted" and extended["due_now"] == iso(T0 + 20 * D)
    refused(db_url, "case", "extend", str(case_id), "--step", "long_term_countermeasure",
            "--until", iso(T0 + 100 * D), "--reason", "x", *SIGNED, input=SIGN,
            exit_code=2, field="until")
    listed = ok(db_url, "extension", "list")
    assert [e["status"] for e in listed["extensions"]] == ["granted"]
    refused(db_url, "extension", "approve", "99", "--reason", "x", *SIGNED, input=SIGN,
            exit_code=3, field="extension")
