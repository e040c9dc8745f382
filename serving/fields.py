"""Bounded parameter and body types both HTTP interfaces accept, checked before any service runs.

Every text refuses NUL characters and every number is bounded, because PostgreSQL refuses
both with an error that would otherwise surface as a 500 instead of a 422 naming the field.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from capaflow import errors

MAX_ID = errors.MAX_ID  # an INTEGER column; a larger id is not a case, it is bad input


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, Field(max_length=20_000), AfterValidator(_no_nul)]
Short = Annotated[str, Field(max_length=200), AfterValidator(_no_nul)]
Count = Annotated[int, Field(ge=0, le=MAX_ID)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# In a path: /cases/{case_id}, /submissions/{submission_id}.
CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="Case number.")]
SubmissionId = Annotated[int, Path(ge=1, le=MAX_ID, description="Submission number.")]


class Body(BaseModel):
    # An unknown key is refused (422 naming it) rather than ignored: a misspelt optional
    # field would otherwise silently do nothing.
    model_config = ConfigDict(extra="forbid")
