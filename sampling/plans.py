"""Choosing a single sampling plan by ISO 2859-1:1999: code letter, table cell, arrows, 100 %.

`plan(lot_size, aql, level, severity)` reads the code letter from Table 1, looks up the cell of
Table 2-A, 2-B or 2-C, follows an arrow to the first plan in its direction (taking that plan's
sample size together with its Ac and Re, as the standard requires), and switches to 100 %
inspection when the sample would be at least the lot. It never touches a database or a clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal, cast

from capaflow.sampling.tables import (
    AQL_LABELS,
    AQLS,
    LEVELS,
    PLAN_TABLES,
    TABLE_1,
    Arrow,
    PlanTable,
)

Severity = Literal["normal", "tightened", "reduced"]
SEVERITIES: tuple[Severity, ...] = ("normal", "tightened", "reduced")


class SamplingInputError(ValueError):
    """Bad input to a sampling function; `field` names the argument (the CLI's exit 2)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Plan:
    """The single sampling plan for one lot, and how it was found."""

    lot_size: int
    aql: str  # as the standard prints it, e.g. "0.10"
    level: str  # S-1 … S-4, I, II, III
    severity: Severity
    table: str  # "Table 2-A", "Table 2-B" or "Table 2-C"
    code_letter: str  # from Table 1, before any arrow
    plan_letter: str  # the row whose plan is used, after following an arrow
    sample_size: int  # items to inspect: the plan's n, or the whole lot when 100 %
    ac: int  # accept the lot with at most this many nonconforming items (nonconformities)
    re: int  # reject it with this many or more
    hundred_percent: bool  # the plan's n reached the lot size: every item is inspected
    why: str  # the path through the tables, for people and audit records


def _check_lot_size(lot_size: object) -> int:
    # bool is an int to Python; True as a lot size is a caller's bug, not a lot of one item.
    if isinstance(lot_size, bool) or not isinstance(lot_size, int):
        raise SamplingInputError("lot_size", f"lot_size must be a whole number, got {lot_size!r}")
    if lot_size < 2:
        raise SamplingInputError(
            "lot_size", f"lot_size must be at least 2 (Table 1 starts at 2), got {lot_size}"
        )
    return lot_size


def aql_index(aql: float | int | str | Decimal) -> int:
    """Position of `aql` in the standard's AQL series (0.010 … 1000); 0.1, "0.10" and 0.10 match."""
    series = ", ".join(AQL_LABELS)
    if isinstance(aql, bool):
        raise SamplingInputError("aql", f"aql must be one of {series}; got {aql!r}")
    try:
        # Through str so that the float 0.1 means the printed 0.10, not 0.1000000000000000055…
        value = Decimal(str(aql).strip())
    except InvalidOperation:
        raise SamplingInputError("aql", f"aql must be one of {series}; got {aql!r}") from None
    if value.is_finite():
        for index, candidate in enumerate(AQLS):
            if value == candidate:
                return index
    raise SamplingInputError(
        "aql", f"aql {aql} is not in the AQL series of ISO 2859-1; use one of {series}"
    )


_SPECIAL = re.compile(r"^S-?([1-4])$")


def normalize_level(level: str) -> str:
    """ "II", "ii" and " II " are level II; "S3" is S-3. Anything else is refused."""
    if isinstance(level, str):
        text = level.strip().upper()
        special = _SPECIAL.match(text)
        if special:
            text = f"S-{special.group(1)}"
        if text in LEVELS:
            return text
    raise SamplingInputError(
        "level", f"level {level!r} is not an inspection level; use one of {', '.join(LEVELS)}"
    )


def normalize_severity(severity: str) -> Severity:
    if isinstance(severity, str) and severity.strip().lower() in SEVERITIES:
        return cast(Severity, severity.strip().lower())
    raise SamplingInputError(
        "severity",
        f"severity {severity!r} is not known; use one of {', '.join(SEVERITIES)}",
    )


def code_letter(lot_size: int, level: str = "II") -> str:
    """Sample size code letter for a lot (ISO 2859-1:1999, Table 1)."""
    lot_size = _check_lot_size(lot_size)
    column = LEVELS.index(normalize_level(level))
    for low, high, letters in TABLE_1:
        if low <= lot_size and (high is None or lot_size <= high):
            return letters[column]
    raise AssertionError("Table 1 covers every lot size from 2 up")  # pragma: no cover


def follow(table: PlanTable, letter: str, index: int) -> tuple[str, tuple[int, int], list[str]]:
    """The plan the cell (letter, AQL index) stands for: (plan letter, (Ac, Re), letters passed).

    An arrow means the first *plan* in its direction, so arrow cells on the way are passed over
    (a ↓ can run through several rows). Blank cells are never on the way in a correct table.
    """
    letters = table.letters
    start = position = letters.index(letter)
    passed: list[str] = []
    while 0 <= position < len(letters):
        cell = table.cell(letters[position], index)
        if isinstance(cell, tuple):
            return letters[position], cell, passed
        if cell is None:
            break
        if position != start:
            passed.append(letters[position])
        position += 1 if cell is Arrow.DOWN else -1
    # Only a wrong table gets here; the tests follow every cell of every table.
    raise AssertionError(f"{table.name}: no plan from {letter} at AQL {AQL_LABELS[index]}")


def plan(
    lot_size: int,
    aql: float | int | str | Decimal,
    level: str = "II",
    severity: str = "normal",
) -> Plan:
    """The single sampling plan of ISO 2859-1:1999 for one lot.

    Raises SamplingInputError (field lot_size, aql, level or severity) on bad input.
    """
    lot_size = _check_lot_size(lot_size)
    index = aql_index(aql)
    level = normalize_level(level)
    severity_ = normalize_severity(severity)
    table = PLAN_TABLES[severity_]
    letter = code_letter(lot_size, level)
    plan_letter, (ac, re_), passed = follow(table, letter, index)
    n = table.sample_sizes[plan_letter]
    label = AQL_LABELS[index]

    why = [
        f"Lot size {lot_size} at inspection level {level}: code letter {letter} (Table 1).",
    ]
    cell = table.cell(letter, index)
    lookup = f"{table.name} ({severity_} inspection), AQL {label}"
    if isinstance(cell, Arrow):
        direction = "below" if cell is Arrow.DOWN else "above"
        via = f", passing {', '.join(passed)}" if passed else ""
        why.append(
            f"{lookup}: the cell for {letter} is {cell}, so the first plan {direction} it is "
            f"used{via}: letter {plan_letter}, n = {n}, Ac {ac}, Re {re_} "
            f"(the sample size comes with the plan)."
        )
    else:
        why.append(f"{lookup}: letter {letter}'s plan, n = {n}, Ac {ac}, Re {re_}.")

    hundred_percent = n >= lot_size
    if hundred_percent:
        why.append(
            f"The sample size {n} is not smaller than the lot size {lot_size}: inspect 100 % "
            f"(all {lot_size} items); accept with at most {ac}, reject with {re_} or more."
        )
    return Plan(
        lot_size=lot_size,
        aql=label,
        level=level,
        severity=severity_,
        table=table.name,
        code_letter=letter,
        plan_letter=plan_letter,
        sample_size=lot_size if hundred_percent else n,
        ac=ac,
        re=re_,
        hundred_percent=hundred_percent,
        why=" ".join(why),
    )
