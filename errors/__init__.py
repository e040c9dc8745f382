"""The three ways a command can refuse, each tied to an exit code of the contract (DESIGN.md §4).

Raised by the services; the CLI turns them into exit codes and the API (later) into statuses.
Whatever raises one leaves the database untouched: the service's transaction rolls back.
"""

from __future__ import annotations


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


__all__ = ["BadInput", "CapaError", "Conflict", "NotFound", "refuse_nul"]


def refuse_nul(field: str, value: str) -> str:
    """`value`, or BadInput naming `field` if it holds a NUL character: PostgreSQL cannot store
    one in text, and a request must not reach the database only to fail there."""
    if "\x00" in value:
        raise BadInput(f"{field}: must not contain NUL characters", field=field)
    return value
