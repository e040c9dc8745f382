"""The error document every refusal prints, on the CLI's stdout (with `--json`) and as the
API's answer: `{"error": {"code", "message", "field", "allowed"?}}`."""

from __future__ import annotations

from pydantic import Field

from capaflow.documents.base import Public
from capaflow.errors import CapaError, Conflict


class ErrorDetail(Public):
    """Why the command or request was refused."""

    code: str = Field(description="bad_input, not_found, conflict; on the API also "
                                  "unauthorized, forbidden, method_not_allowed.")
    message: str
    field: str | None = Field(description="The input the refusal is about, if one.")
    # Only a conflict of a step not allowed in the case's state says which are.
    allowed: list[str] = Field(default_factory=list, exclude_if=lambda allowed: not allowed,
                               description="The steps allowed in the case's state.")


class ErrorPublic(Public):
    error: ErrorDetail


def error_document(code: str, message: str, field: str | None = None,
                   allowed: tuple[str, ...] | list[str] = ()) -> ErrorPublic:
    return ErrorPublic(error=ErrorDetail(code=code, message=message, field=field,
                                         allowed=list(allowed)))


def refusal_document(error: CapaError) -> ErrorPublic:
    """The document of a service's refusal (errors.CapaError)."""
    allowed = error.allowed if isinstance(error, Conflict) else ()
    return error_document(error.code, error.message, error.field, allowed)
