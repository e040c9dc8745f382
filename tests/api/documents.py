"""Reading an answer as its typed document (documents/), for the tests that hold a command's
`--json` and its route to the same model."""

from __future__ import annotations

from typing import Any, TypeVar

from capaflow.documents.base import Public

D = TypeVar("D", bound=Public)


def valid(model: type[D], document: Any) -> D:
    """The document as `model` (unknown keys refused); written back, it is the very JSON it was
    read from, so no field was dropped, added or reformatted."""
    parsed = model.model_validate(document)
    assert parsed.as_json() == document
    return parsed


def all_valid(model: type[D], documents: Any) -> list[D]:
    assert isinstance(documents, list) and documents
    return [valid(model, d) for d in documents]
