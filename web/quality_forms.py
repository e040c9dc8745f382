"""What the supplier-quality forms share (incoming lots, defects, the monthly scorecard,
audits, the charge-back statement): who may read them and who may use their forms, a refusal
shown beside the form it concerns, and the typed values kept for the form shown again.

The rules stay in the services the CLI calls (docs/architecture.md, "Layers"); this only says
who sees a form and how a refusal reads on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import FormData

from capaflow.accounts import Principal
from capaflow.errors import CapaError
from capaflow.serving.errors import forbidden, http_status
from capaflow.web.forms import form_text


def require_quality_reader(principal: Principal) -> None:
    """The quality team reads supplier quality: its writers and viewers. The service desk's
    roles work elsewhere (docs/architecture.md, "Service desk")."""
    if not principal.reads_quality:
        raise forbidden(f"the role {principal.role.replace('_', ' ')} does not work on "
                        "supplier quality")


def require_quality_writer(principal: Principal) -> None:
    """A quality lead or quality manager: a viewer sees no forms and is refused a POST."""
    if not principal.can_write:
        raise forbidden(f"the role {principal.role.replace('_', ' ')} may only read")


@dataclass(frozen=True)
class Problem:
    """A refusal shown on the page, beside the form it concerns, with its HTTP status."""

    message: str
    field: str | None
    form: str
    status: int

    @classmethod
    def of(cls, exc: CapaError, form: str) -> Problem:
        return cls(message=exc.message, field=exc.field, form=form, status=http_status(exc))


def kept_values(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    """What was typed into the form's fields, to show again after a refusal."""
    return {name: form_text(form, name) for name in names}
