"""Checks of what a user types about a lot: each refusal is BadInput naming its field (exit 2).

Shared by `record_lot`, `plan_for`, the CSV import and the policy loader, so that a lot size of
1 reads the same whether it came from an option, a CSV cell or a service call.
"""

from __future__ import annotations

import re
from datetime import datetime

from capaflow.calendars import isoformat, parse_instant
from capaflow.errors import BadInput
from capaflow.sampling import AQL_LABELS, SamplingInputError, aql_index
from capaflow.sampling.plans import normalize_level

# An INTEGER column on PostgreSQL: a larger count would fail inside the database.
COUNT_LIMIT = 2_147_483_647


def check_aql(aql: object) -> str:
    """The AQL as the standard prints it ("0.10"), or BadInput naming `aql`."""
    if not isinstance(aql, (str, int, float)) or isinstance(aql, bool):
        raise BadInput(f"aql: {aql!r} is not an AQL; use one of {', '.join(AQL_LABELS)}",
                       field="aql")
    try:
        return AQL_LABELS[aql_index(aql)]
    except SamplingInputError as error:
        raise BadInput(f"aql: {error.message}", field="aql") from None


def check_level(level: object) -> str:
    """The inspection level (I, II, III, S-1 … S-4), or BadInput naming `level`."""
    try:
        return normalize_level(level)  # type: ignore[arg-type]  # refuses non-text itself
    except SamplingInputError as error:
        raise BadInput(f"level: {error.message}", field="level") from None


def check_count(field: str, value: object, *, minimum: int) -> int:
    # bool is an int in Python; True is not a count of items.
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"{field}: {value!r} is not a whole number", field=field)
    if value < minimum:
        raise BadInput(f"{field}: must be at least {minimum} (got {value})", field=field)
    if value > COUNT_LIMIT:
        raise BadInput(f"{field}: at most {COUNT_LIMIT} (got {value})", field=field)
    return value


def parse_count(field: str, text: str | None, *, minimum: int) -> int:
    """A count as typed (option, CSV cell)."""
    if text is None or not text.strip():
        raise BadInput(f"{field}: must not be empty", field=field)
    try:
        value = int(text.strip())
    except ValueError:
        raise BadInput(f"{field}: {text.strip()!r} is not a whole number", field=field) from None
    return check_count(field, value, minimum=minimum)


def check_lot_counts(lot_size: int, sampled: int, defects: int) -> tuple[int, int, int]:
    """Lot size ≥ 2 (ISO 2859-1 Table 1 starts at 2), 1 ≤ sampled ≤ lot size, defects ≤ sampled."""
    lot_size = check_count("lot_size", lot_size, minimum=2)
    sampled = check_count("sampled", sampled, minimum=1)
    defects = check_count("defects", defects, minimum=0)
    if sampled > lot_size:
        raise BadInput(
            f"sampled: {sampled} items inspected, but the lot has only {lot_size}",
            field="sampled",
        )
    if defects > sampled:
        raise BadInput(
            f"defects: {defects} nonconforming items found in a sample of {sampled}",
            field="defects",
        )
    return lot_size, sampled, defects


def check_inspected_at(inspected_at: datetime, now: datetime) -> datetime:
    if inspected_at.utcoffset() is None:
        # A naive time would be read in whatever zone the host is in.
        raise BadInput(
            f"inspected_at: {inspected_at.isoformat()} has no UTC offset", field="inspected_at"
        )
    if inspected_at > now:
        # A lot inspected in the future is a typo or a wrong clock; it would also reach the
        # recurrence intake as a defect from the future.
        raise BadInput(
            f"inspected_at: {isoformat(inspected_at)} is after now ({isoformat(now)})",
            field="inspected_at",
        )
    return inspected_at


def parse_inspected_at(text: str, now: datetime) -> datetime:
    try:
        inspected_at = parse_instant(text, field="inspected_at")
    except ValueError as exc:
        raise BadInput(str(exc), field="inspected_at") from None
    return check_inspected_at(inspected_at, now)


# The supplier's production lot as printed on the delivery: the column's length.
PRODUCTION_LOT_LIMIT = 100
_YES = ("yes", "y", "true", "1")
_NO = ("no", "n", "false", "0")


def parse_yes_no(field: str, text: str | None) -> bool | None:
    """A document's presence as typed (option, CSV cell): yes or no; blank or None is "not
    recorded" (None), which is neither missing nor present."""
    if text is None or not text.strip():
        return None
    answer = text.strip().lower()
    if answer in _YES:
        return True
    if answer in _NO:
        return False
    shown = text.strip()[:40]
    raise BadInput(f"{field}: {shown!r} is not yes or no", field=field)


def production_lot_key(production_lot: str) -> tuple[tuple[int, int, str], ...]:
    """Natural order of production-lot identifiers: digits compared as numbers ("P-9" before
    "P-10", "P-009" equal to "P-9"), the rest case-insensitively; at the same place a number
    comes before text, as digits come before letters."""
    return tuple(
        (0, int(run), "") if run.isdecimal() else (1, 0, run.casefold())
        for run in re.findall(r"\d+|\D+", production_lot.strip())
    )
