"""Reading an HTML form: the parsed form as a dependency, one text value of it, and the step
fields, which every step form names `field.NAME`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

FIELD_PREFIX = "field."


async def _form(request: Request) -> FormData:
    # Starlette parses the body once and keeps it (the CSRF check has read it already).
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def form_text(form: FormData, name: str) -> str:
    """The text of one field; "" when missing or an uploaded file (nothing here takes files)."""
    found = form.get(name)
    return found if isinstance(found, str) else ""
