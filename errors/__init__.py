"""The three ways a command can refuse, each tied to an exit code of the contract
(docs/architecture.md, "Exit codes").

Raised by the services; the CLI turns them into exit codes and the API (later) into statuses.
Whatever raises one leaves the database untouched: the service's transaction rolls back.
"""

from __future__ import annotations

from typing import Literal, overload


class CapaError(Exception):
    """Base of the refusals; `exit_code` is the CLI contract, `code` the name the error
    document gives it (the API's status for it is in serving/errors.py), `field` names the
    bad input."""

    exit_code = 1
    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadInput(CapaError):
    """Usage or validation error (exit 2): the message names the field."""

    exit_code = 2
    code = "bad_input"


class NotFound(CapaError):
    """The case, supplier or other record does not exist (exit 3)."""

    exit_code = 3
    code = "not_found"


class Conflict(CapaError):
    """Trigger not allowed in this state, or a concurrent update won (exit 4)."""

    exit_code = 4
    code = "conflict"

    def __init__(
        self, message: str, *, field: str | None = None, allowed: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message, field=field)
        self.allowed = allowed


__all__ = [
    "MAX_ID",
    "BadInput",
    "CapaError",
    "Conflict",
    "NotFound",
    "case_not_found",
    "check_id",
    "check_text",
    "refuse_nul",
    "supplier_not_found",
]


# The refusals for a record nobody may see are worded here once: another supplier's case
# answers exactly like a missing one (accounts.scope), which holds only if every layer raises
# the same words.
def case_not_found(case_id: int) -> NotFound:
    return NotFound(f"case {case_id} does not exist", field="case")


def supplier_not_found(code: str) -> NotFound:
    return NotFound(f"supplier '{code}' does not exist", field="supplier")


# Every id is an INTEGER column: a number outside 1..MAX_ID names no record, it is bad input.
# PostgreSQL refuses a larger one with a database error and SQLite above 2**63 with an
# OverflowError, so it must be refused before it reaches either (docs/architecture.md,
# "Exit codes").
MAX_ID = 2**31 - 1


def check_id(field: str, value: int) -> int:
    """`value`, or BadInput naming `field` if it is not a record number (1 to MAX_ID)."""
    if not 1 <= value <= MAX_ID:
        raise BadInput(f"{field}: {value} is not a {field} number (1 to {MAX_ID})", field=field)
    return value


def refuse_nul(field: str, value: str) -> str:
    """`value`, or BadInput naming `field` if it holds a NUL character: PostgreSQL cannot store
    one in text, and a request must not reach the database only to fail there."""
    if "\x00" in value:
        raise BadInput(f"{field}: must not contain NUL characters", field=field)
    return value


@overload
def check_text(field: str, value: str | None, *, limit: int, required: Literal[True]) -> str: ...


@overload
def check_text(
    field: str, value: str | None, *, limit: int, required: bool = False
) -> str | None: ...


def check_text(field: str, value: str | None, *, limit: int, required: bool = False) -> str | None:
    """`value` trimmed, or None if blank (BadInput naming `field` if `required`); refused if it
    holds a NUL or is longer than `limit`, the size of the column it goes to: PostgreSQL
    enforces the size, SQLite does not, and both must answer alike."""
    text = (value or "").strip()
    if not text:
        if required:
            raise BadInput(f"{field}: must not be empty", field=field)
        return None
    refuse_nul(field, text)
    if len(text) > limit:
        raise BadInput(f"{field}: at most {limit} characters (got {len(text)})", field=field)
    return text
