"""Importing a standard from a file: one file is one department and position's standard,
TOML or CSV by its extension (docs/architecture.md, "Service quality control").

The file is read and checked whole before anything is written: an unknown department or
position, a missing field, a duplicate item code, a weight that is not a number above 0 or an
unknown 5M1E factor is BadInput naming the field. A file identical to the current version adds
nothing; any change adds version N+1, and earlier versions (which recorded rounds point at)
never change.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from capaflow import csvfiles
from capaflow.config.policies import FACTORS, Policies
from capaflow.errors import BadInput, NotFound, check_text
from capaflow.models.standard import Standard, StandardItem
from capaflow.standards.catalogue import (
    Item,
    StandardVersion,
    check_position,
    current_standard,
    standard_by_id,
)

# A standard is a page or two of items; far above that the file is not a standard.
MAX_ITEMS = 500
MAX_FILE_BYTES = 1024 * 1024
MAX_WEIGHT = 1000.0
CSV_COLUMNS = ("department", "position", "title", "code", "text", "weight", "factor",
               "critical")
CSV_REQUIRED = ("department", "position", "code", "text", "weight", "factor")


@dataclass(frozen=True)
class Draft:
    department: str
    position: str
    title: str
    items: tuple[Item, ...]

    @property
    def digest(self) -> str:
        payload = json.dumps(
            {"title": self.title,
             "items": [[i.code, i.text, i.weight, i.factor, i.critical] for i in self.items]},
            ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Imported:
    standard: StandardVersion
    added: bool  # False: identical to the current version, nothing written


def _text(where: str, name: str, value: Any, *, limit: int, required: bool = True) -> str:
    if value is None or value == "":
        if required:
            raise BadInput(f"{name}: missing{where}", field=name)
        return ""
    if not isinstance(value, str):
        raise BadInput(f"{name}: must be text{where}", field=name)
    text = check_text(name, value, limit=limit, required=required) or ""
    return text


def _weight(where: str, value: Any) -> float:
    if isinstance(value, bool):
        raise BadInput(f"weight: must be a number above 0{where}", field="weight")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise BadInput(f"weight: '{value}' is not a number{where}", field="weight") from None
    if not isinstance(value, int | float):
        raise BadInput(f"weight: must be a number above 0{where}", field="weight")
    weight = float(value)
    if not math.isfinite(weight) or weight <= 0 or weight > MAX_WEIGHT:
        raise BadInput(f"weight: {value} is not above 0 and at most {MAX_WEIGHT:g}{where}",
                       field="weight")
    return weight


def _critical(where: str, value: Any) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "false", "no",
                                                             "0"):
        return value.strip().lower() in ("true", "yes", "1")
    raise BadInput(f"critical: '{value}' is not true or false{where}", field="critical")


def _item(where: str, raw: dict[str, Any]) -> Item:
    code = _text(where, "code", raw.get("code"), limit=40)
    if not code.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise BadInput(f"code: '{code}' is not an item code (letters, digits, ., _ and -)"
                       f"{where}", field="code")
    factor = _text(where, "factor", raw.get("factor"), limit=20)
    if factor not in FACTORS:
        raise BadInput(f"factor: '{factor}' is not a 5M1E factor ({', '.join(FACTORS)}){where}",
                       field="factor")
    return Item(code=code, text=_text(where, "text", raw.get("text"), limit=500),
                weight=_weight(where, raw.get("weight")), factor=factor,
                critical=_critical(where, raw.get("critical")))


def _items(drafts: list[tuple[str, dict[str, Any]]]) -> tuple[Item, ...]:
    if not drafts:
        raise BadInput("items: the standard has no items", field="items")
    if len(drafts) > MAX_ITEMS:
        raise BadInput(f"items: at most {MAX_ITEMS} items (got {len(drafts)})", field="items")
    items: list[Item] = []
    seen: set[str] = set()
    for where, raw in drafts:
        item = _item(where, raw)
        if item.code in seen:
            raise BadInput(f"code: '{item.code}' is listed twice{where}", field="code")
        seen.add(item.code)
        items.append(item)
    return tuple(items)


def _read_toml(path: Path) -> Draft:
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise BadInput(f"file: {path} does not exist", field="file") from None
    except OSError as exc:
        raise BadInput(f"file: cannot read {path}: {exc.strerror}", field="file") from None
    if len(raw) > MAX_FILE_BYTES:
        raise BadInput(f"file: {path} is larger than 1 MB; is it a standard?", field="file")
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadInput(f"file: {path} is not valid TOML: {exc}", field="file") from None
    unknown = sorted(set(document) - {"department", "position", "title", "items"})
    if unknown:
        raise BadInput(f"{unknown[0]}: not a key of a standard (department, position, title, "
                       f"items)", field=unknown[0])
    items = document.get("items")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise BadInput("items: missing; each item is an [[items]] table", field="items")
    for index, item in enumerate(items, start=1):
        extra = sorted(set(item) - {"code", "text", "weight", "factor", "critical"})
        if extra:
            raise BadInput(f"{extra[0]}: not a key of an item (item {index})", field=extra[0])
    return Draft(
        department=_text("", "department", document.get("department"), limit=60),
        position=_text("", "position", document.get("position"), limit=60),
        title=_text("", "title", document.get("title"), limit=200),
        items=_items([(f" (item {n})", item) for n, item in enumerate(items, start=1)]),
    )


def _read_csv(path: Path) -> Draft:
    rows = csvfiles.read_rows(path, columns=CSV_COLUMNS, required=CSV_REQUIRED,
                              what="a standard")
    drafts: list[tuple[str, dict[str, Any]]] = []
    heads: dict[str, str] = {}
    for row in rows:
        if isinstance(row, csvfiles.RowProblem):
            raise BadInput(f"file: line {row.line}: {row.message}", field="file")
        where = f" (line {row.line})"
        for name in ("department", "position", "title"):
            value = (row.values.get(name) or "").strip()
            if name in heads and value and value != heads[name]:
                raise BadInput(f"{name}: '{value}' differs from '{heads[name]}' above{where}; "
                               f"one file is one standard", field=name)
            if value:
                heads.setdefault(name, value)
        drafts.append((where, row.values))
    department = _text("", "department", heads.get("department"), limit=60)
    position = _text("", "position", heads.get("position"), limit=60)
    return Draft(department=department, position=position,
                 title=_text("", "title", heads.get("title") or f"{department} {position}",
                             limit=200),
                 items=_items(drafts))


def read_standard(path: str | Path) -> Draft:
    """The standard in `path` (`.toml` or `.csv`), checked as a file; BadInput naming the
    field otherwise."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return _read_toml(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise BadInput(f"file: {path.name} is neither .toml nor .csv", field="file")


def import_standard(
    session: Session, *, policies: Policies, path: str | Path, actor: str, now: datetime
) -> Imported:
    """Check the file, then add it as the next version of its department and position's
    standard unless it is identical to the current one."""
    return add_standard(session, policies=policies, draft=read_standard(path), actor=actor,
                        now=now)


def add_standard(
    session: Session, *, policies: Policies, draft: Draft, actor: str, now: datetime
) -> Imported:
    """`draft` (checked as a file is) as the next version, unless identical to the current."""
    check_position(policies, draft.department, draft.position)
    try:
        current: StandardVersion | None = current_standard(session, draft.department,
                                                           draft.position)
    except NotFound:
        current = None
    if current is not None:
        row = session.get(Standard, current.id)
        if row is not None and row.digest == draft.digest:
            return Imported(standard=current, added=False)
    standard = Standard(
        department=draft.department, position=draft.position,
        version=(current.version + 1) if current else 1, title=draft.title,
        digest=draft.digest, imported_at=now, imported_by=actor[:100],
    )
    session.add(standard)
    session.flush()
    assert standard.id is not None
    for rank, item in enumerate(draft.items, start=1):
        session.add(StandardItem(standard_id=standard.id, code=item.code, text=item.text,
                                 weight=item.weight, factor=item.factor,
                                 critical=item.critical, rank=rank))
    session.flush()
    return Imported(standard=standard_by_id(session, standard.id), added=True)
