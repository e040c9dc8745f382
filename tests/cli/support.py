"""What the CLI tests share: fixed times from T0, `capa` against one database, and the check
that a refused command kept the contract (docs/architecture.md, "Exit codes"): its exit code, a
one-line message on
stderr, with `--json` one error document on stdout, and not one row written."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from capaflow.documents.errors import ErrorPublic
from capaflow.errors import BadInput, Conflict, NotFound
from tests.conftest import T0
from tests.helpers import capa, capa_json, snapshot

H = timedelta(hours=1)
D = timedelta(days=1)

# The error document's code of each exit code, as the refusals name them (errors).
ERROR_CODES = {kind.exit_code: kind.code for kind in (BadInput, NotFound, Conflict)}


def iso(when: datetime) -> str:
    return when.isoformat()


# A signed decision from the CLI: the lead's account, its password on stdin
# (docs/architecture.md, "Signed decisions"). `add_signer` adds the account.
SIGNER_PASSWORD = "lena-signs-2026"
SIGNED = ("--by", "lena", "--password-stdin")


def add_signer(db_url: str) -> None:
    ok(db_url, "user", "add", "lena", "--role", "quality_lead", "--password", SIGNER_PASSWORD)


def ok(db_url: str, *args: str, now: datetime = T0, input: str | None = None) -> Any:
    """`capa ARGS --db URL --now NOW --json`, which must succeed; its JSON document."""
    return capa_json(*args, "--db", db_url, "--now", iso(now), input=input)


def show(db_url: str, case_id: int, now: datetime = T0) -> dict[str, Any]:
    document: dict[str, Any] = ok(db_url, "case", "show", str(case_id), now=now)
    return document


def deadline(document: dict[str, Any], key: str, sequence: int = 1) -> dict[str, Any]:
    """The case's deadline for milestone `key` (the newest, if it was started more than once)."""
    found = [d for d in document["deadlines"] if d["key"] == key and d["sequence"] == sequence]
    assert found, f"no {key} #{sequence} deadline in {[d['key'] for d in document['deadlines']]}"
    return found[-1]


def add_supplier(db_url: str, code: str = "ACME", *extra: str) -> dict[str, Any]:
    document: dict[str, Any] = ok(
        db_url, "supplier", "add", code, "--name", f"{code.title()} Castings", *extra
    )
    return document


def open_8d(db_url: str, *extra: str, now: datetime = T0, title: str = "Cracked housing") -> int:
    document = ok(db_url, "case", "open", "--title", title, *extra, now=now)
    case_id: int = document["case"]["id"]
    return case_id


def step(
    db_url: str, case_id: int, trigger: str, now: datetime, **fields: str
) -> dict[str, Any]:
    args = [f"--field={name}={value}" for name, value in fields.items()]
    document: dict[str, Any] = ok(db_url, "case", "advance", str(case_id), trigger, *args, now=now)
    return document


def signed_step(
    db_url: str, case_id: int, trigger: str, now: datetime, **fields: str
) -> dict[str, Any]:
    """A step that ends the case, signed by the lead (add_signer) with the password on stdin."""
    args = [f"--field={name}={value}" for name, value in fields.items()]
    document: dict[str, Any] = ok(db_url, "case", "advance", str(case_id), trigger, *args,
                                  *SIGNED, now=now, input=SIGNER_PASSWORD + "\n")
    return document


def refused(
    db_url: str | None,
    *args: str,
    exit_code: int,
    field: str | None,
    says: Sequence[str] = (),
    now: datetime | str | None = T0,
    unchanged: bool = True,
    input: str | None = None,
) -> dict[str, Any]:
    """Run `capa ARGS` plainly and with `--json`; both must refuse by the contract.

    `now`: a datetime is passed as `--now` in ISO form, a str is passed as typed, None omits
    the option. `unchanged`: compare every row of `db_url` before and after. Returns the JSON
    error object, for checks of its own.
    """
    common = [*args]
    if db_url is not None:
        common += ["--db", db_url]
    if now is not None:
        common += ["--now", now if isinstance(now, str) else iso(now)]
    before = snapshot(db_url) if unchanged and db_url is not None else None

    plain = capa(*common, input=input)
    assert plain.exit_code == exit_code, (plain.exit_code, plain.stdout, plain.stderr)
    assert plain.stdout == "", f"a refusal prints nothing on stdout without --json: {plain.stdout}"
    lines = plain.stderr.strip().splitlines()
    assert len(lines) == 1, f"one-line message expected on stderr, got: {plain.stderr!r}"
    message = lines[0]
    assert message.startswith("error: "), message
    for fragment in says:
        assert fragment in message, f"{fragment!r} not in {message!r}"

    as_json = capa(*common, "--json", input=input)
    assert as_json.exit_code == exit_code, (as_json.exit_code, as_json.stdout, as_json.stderr)
    document = json.loads(as_json.stdout)
    assert set(document) == {"error"}, document
    ErrorPublic.model_validate(document)
    error: dict[str, Any] = document["error"]
    assert {"code", "message", "field"} <= set(error), error
    assert error["code"] == ERROR_CODES[exit_code], error
    assert error["field"] == field, error
    assert message == f"error: {error['message']}", (message, error)
    assert len(as_json.stderr.strip().splitlines()) == 1, as_json.stderr

    if before is not None:
        assert db_url is not None
        assert snapshot(db_url) == before, "a refused command wrote to the database"
    return error
