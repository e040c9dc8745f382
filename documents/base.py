"""What every document shares: how it is written as JSON, and the types of its times."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, PlainSerializer

from capaflow.calendars import isoformat

# ISO-8601 with offset, always in UTC (calendars.isoformat): "2026-03-02T09:00:00+00:00",
# never pydantic's default "…Z", so the CLI's JSON and the API's stay byte for byte alike.
Timestamp = Annotated[datetime, PlainSerializer(isoformat, return_type=str, when_used="json")]


class Public(BaseModel):
    """A document of the contract. Unknown attributes are refused when one is built, so a
    misspelt field fails in the tests rather than vanishing from the output."""

    model_config = ConfigDict(extra="forbid")

    def as_json(self) -> dict[str, Any]:
        """The document as the JSON both interfaces print (times as ISO-8601 strings)."""
        return self.model_dump(mode="json")


P = TypeVar("P", bound=Public)


def from_row(document: type[P], row: object, **given: Any) -> P:
    """`document` with each field read from the attribute of `row` that has its name, apart
    from the fields in `given`: values the row does not hold, or holds under another name."""
    return document.model_validate(
        {name: given[name] if name in given else getattr(row, name)
         for name in document.model_fields}
    )
