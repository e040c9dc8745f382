"""The tables of ISO 2859-1:1999 that single sampling needs, as data.

Each table is written the way the standard prints it: one row per sample size code letter,
one cell per AQL of the standard's series, a cell being an (Ac, Re) pair or an arrow. The
arrows are kept as arrows on purpose: web copies of these tables often "flatten" an arrow into
the row's own sample size, which silently changes the plan. Following an arrow (and the sample
size that comes with it) is the job of `sampling.plans`.

How the values were obtained and checked (see tests/sampling/):
- Tables 1, 2-A and 2-B are identical in ISO 2859-1:1999 and ANSI/ASQ Z1.4 (both descend from
  MIL-STD-105E). They were written from the standard's structure (acceptance numbers run along
  diagonals, see below) and compared cell by cell, arrows followed, with the independent public
  encoding of Z1.4 in the R package AQLSchemes (J. Lawson); every one of the 416 cells of each
  table agreed. The test suite holds that comparison as a second, column-wise encoding.
- Table 2-C differs between the two standards: ISO 2859-1:1999 has no gap between Ac and Re
  in its reduced plans, and other acceptance numbers. It was written from, and is compared cell
  by cell with, a public transcription of GB/T 2828.1-2012, the identical Chinese adoption of
  ISO 2859-1:1999 (416 of 416 cells). A second public encoding disagrees on one diagonal (4 5
  for 5 6, 14 cells); see the comment above TABLE_2C and tests/sampling/test_tables.py.

The diagonal structure, used both to write and to test the tables: a code letter one step down
multiplies the sample size by about 1.6, an AQL one step left divides it by about 1.6, so along a
diagonal n × AQL (the number of nonconformities expected at the AQL) stays about constant, and
so does the acceptance number. Normal inspection, Ac 5: 80 × 2.5 % = 200 × 1.0 % = 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from types import MappingProxyType
from typing import Final, TypeAlias


class Arrow(Enum):
    """An arrow cell: use the first sampling plan below (DOWN) or above (UP) it."""

    DOWN = "↓"
    UP = "↑"

    def __str__(self) -> str:
        return self.value


AcRe: TypeAlias = tuple[int, int]
# None is a blank cell; only row S of Table 2-B has them.
Cell: TypeAlias = AcRe | Arrow | None

# Short names keep each printed row of the tables on a few lines.
D: Final = Arrow.DOWN
U: Final = Arrow.UP

# The AQL series of the standard, as printed (percent nonconforming up to 10; the columns above
# 10 are for nonconformities per 100 items only). Kept as text so 0.010 is not a float 0.01 that
# prints differently from the standard's header.
AQL_LABELS: Final[tuple[str, ...]] = (
    "0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40", "0.65",
    "1.0", "1.5", "2.5", "4.0", "6.5", "10", "15", "25", "40", "65",
    "100", "150", "250", "400", "650", "1000",
)  # fmt: skip
AQLS: Final[tuple[Decimal, ...]] = tuple(Decimal(label) for label in AQL_LABELS)

# Inspection levels in the column order of Table 1: special S-1..S-4, then general I, II, III.
LEVELS: Final[tuple[str, ...]] = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")

# The code letters of Tables 2-A and 2-C, in order (the standard skips I and O). Table 2-B has
# one more row, S, below R.
CODE_LETTERS: Final[str] = "ABCDEFGHJKLMNPQR"

# ISO 2859-1:1999, Table 1 — Sample size code letters.
# (lowest lot size, highest lot size or None for "and over", letters for LEVELS in order)
TABLE_1: Final[tuple[tuple[int, int | None, tuple[str, ...]], ...]] = (
    #  lot size         S-1  S-2  S-3  S-4  I    II   III
    (2, 8, (            "A", "A", "A", "A", "A", "A", "B")),
    (9, 15, (           "A", "A", "A", "A", "A", "B", "C")),
    (16, 25, (          "A", "A", "B", "B", "B", "C", "D")),
    (26, 50, (          "A", "B", "B", "C", "C", "D", "E")),
    (51, 90, (          "B", "B", "C", "C", "C", "E", "F")),
    (91, 150, (         "B", "B", "C", "D", "D", "F", "G")),
    (151, 280, (        "B", "C", "D", "E", "E", "G", "H")),
    (281, 500, (        "B", "C", "D", "E", "F", "H", "J")),
    (501, 1200, (       "C", "C", "E", "F", "G", "J", "K")),
    (1201, 3200, (      "C", "D", "E", "G", "H", "K", "L")),
    (3201, 10000, (     "C", "D", "F", "G", "J", "L", "M")),
    (10001, 35000, (    "C", "D", "F", "H", "K", "M", "N")),
    (35001, 150000, (   "D", "E", "G", "J", "L", "N", "P")),
    (150001, 500000, (  "D", "E", "G", "J", "M", "P", "Q")),
    (500001, None, (    "D", "E", "H", "K", "N", "Q", "R")),
)  # fmt: skip


@dataclass(frozen=True)
class PlanTable:
    """One master table of single sampling plans."""

    name: str  # as the standard names it, e.g. "Table 2-A"
    severity: str  # normal, tightened or reduced
    sample_sizes: Mapping[str, int]  # code letter -> sample size
    rows: Mapping[str, tuple[Cell, ...]]  # code letter -> one cell per AQL in AQLS

    @property
    def letters(self) -> tuple[str, ...]:
        """The code letters top to bottom, the order arrows move in."""
        return tuple(self.rows)

    def cell(self, letter: str, aql_index: int) -> Cell:
        return self.rows[letter][aql_index]


# Sample sizes per code letter for normal and tightened inspection (Tables 2-A, 2-B): the R10/R5
# preferred-number series, about ×1.6 per letter.
_FULL_SIZES: Final[dict[str, int]] = dict(
    zip(CODE_LETTERS, (2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000),
        strict=True)
)  # fmt: skip
# Reduced inspection (Table 2-C): about 40 % of normal, i.e. the normal size two letters lower,
# with A, B and C all at the smallest size, 2.
_REDUCED_SIZES: Final[dict[str, int]] = dict(
    zip(CODE_LETTERS, (2, 2, 2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800),
        strict=True)
)  # fmt: skip

# ISO 2859-1:1999, Table 2-A — Single sampling plans for normal inspection (Master table).
# Along the diagonals: 0 1, ↑, ↓, then 1 2, 2 3, 3 4, 5 6, 7 8, 10 11, 14 15, 21 22 (rows A-E go
# on to 30 31 and 44 45); ↓ to the lower left, ↑ to the upper right. Two cells sit where the
# diagonal would put an arrow pointing out of the table and point the other way instead: A/10 is
# ↓ (to C, n 5, 1 2) and R/0.015 is ↑ (to P, n 800, 0 1); the public encoding agrees on both.
_TABLE_2A_ROWS: Final[dict[str, tuple[Cell, ...]]] = {
    "A": (  # n = 2
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        D, D, D, D, D, (0, 1), D, D,  # 0.65-15
        (1, 2), (2, 3), (3, 4), (5, 6), (7, 8), (10, 11), (14, 15), (21, 22), (30, 31),  # 25-1000
    ),
    "B": (  # n = 3
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        D, D, D, D, (0, 1), U, D, (1, 2),  # 0.65-15
        (2, 3), (3, 4), (5, 6), (7, 8), (10, 11), (14, 15), (21, 22), (30, 31), (44, 45),  # 25-1000
    ),
    "C": (  # n = 5
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        D, D, D, (0, 1), U, D, (1, 2), (2, 3),  # 0.65-15
        (3, 4), (5, 6), (7, 8), (10, 11), (14, 15), (21, 22), (30, 31), (44, 45), U,  # 25-1000
    ),
    "D": (  # n = 8
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        D, D, (0, 1), U, D, (1, 2), (2, 3), (3, 4),  # 0.65-15
        (5, 6), (7, 8), (10, 11), (14, 15), (21, 22), (30, 31), (44, 45), U, U,  # 25-1000
    ),
    "E": (  # n = 13
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        D, (0, 1), U, D, (1, 2), (2, 3), (3, 4), (5, 6),  # 0.65-15
        (7, 8), (10, 11), (14, 15), (21, 22), (30, 31), (44, 45), U, U, U,  # 25-1000
    ),
    "F": (  # n = 20
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        (0, 1), U, D, (1, 2), (2, 3), (3, 4), (5, 6), (7, 8),  # 0.65-15
        (10, 11), (14, 15), (21, 22), U, U, U, U, U, U,  # 25-1000
    ),
    "G": (  # n = 32
        D, D, D, D, D, D, D, D, (0, 1),  # 0.010-0.40
        U, D, (1, 2), (2, 3), (3, 4), (5, 6), (7, 8), (10, 11),  # 0.65-15
        (14, 15), (21, 22), U, U, U, U, U, U, U,  # 25-1000
    ),
    "H": (  # n = 50
        D, D, D, D, D, D, D, (0, 1), U,  # 0.010-0.40
        D, (1, 2), (2, 3), (3, 4), (5, 6), (7, 8), (10, 11), (14, 15),  # 0.65-15
        (21, 22), U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "J": (  # n = 80
        D, D, D, D, D, D, (0, 1), U, D,  # 0.010-0.40
        (1, 2), (2, 3), (3, 4), (5, 6), (7, 8), (10, 11), (14, 15), (21, 22),  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "K": (  # n = 125
        D, D, D, D, D, (0, 1), U, D, (1, 2),  # 0.010-0.40
        (2, 3), (3, 4), (5, 6), (7, 8), (10, 11), (14, 15), (21, 22), U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "L": (  # n = 200
        D, D, D, D, (0, 1), U, D, (1, 2), (2, 3),  # 0.010-0.40
        (3, 4), (5, 6), (7, 8), (10, 11), (14, 15), (21, 22), U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "M": (  # n = 315
        D, D, D, (0, 1), U, D, (1, 2), (2, 3), (3, 4),  # 0.010-0.40
        (5, 6), (7, 8), (10, 11), (14, 15), (21, 22), U, U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "N": (  # n = 500
        D, D, (0, 1), U, D, (1, 2), (2, 3), (3, 4), (5, 6),  # 0.010-0.40
        (7, 8), (10, 11), (14, 15), (21, 22), U, U, U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "P": (  # n = 800
        D, (0, 1), U, D, (1, 2), (2, 3), (3, 4), (5, 6), (7, 8),  # 0.010-0.40
        (10, 11), (14, 15), (21, 22), U, U, U, U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "Q": (  # n = 1250
        (0, 1), U, D, (1, 2), (2, 3), (3, 4), (5, 6), (7, 8), (10, 11),  # 0.010-0.40
        (14, 15), (21, 22), U, U, U, U, U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "R": (  # n = 2000
        U, U, (1, 2), (2, 3), (3, 4), (5, 6), (7, 8), (10, 11), (14, 15),  # 0.010-0.40
        (21, 22), U, U, U, U, U, U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
}  # fmt: skip

# ISO 2859-1:1999, Table 2-B — Single sampling plans for tightened inspection (Master table).
# Same sample sizes as Table 2-A, the plans one diagonal further down-left: 0 1, ↓, ↓, then
# 1 2, 2 3, 3 4, 5 6, 8 9, 12 13, 18 19 (rows A-E on to 27 28 and 41 42). A/10 is ↓ (to D,
# n 8, 1 2), not the 0 1 the diagonal would give, and R/0.015 is ↑ (to Q, n 1250, 0 1).
_TABLE_2B_ROWS: Final[dict[str, tuple[Cell, ...]]] = {
    "A": (  # n = 2
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        D, D, D, D, D, D, D, D,  # 0.65-15
        D, (1, 2), (2, 3), (3, 4), (5, 6), (8, 9), (12, 13), (18, 19), (27, 28),  # 25-1000
    ),
    "B": (  # n = 3
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        D, D, D, D, D, (0, 1), D, D,  # 0.65-15
        (1, 2), (2, 3), (3, 4), (5, 6), (8, 9), (12, 13), (18, 19), (27, 28), (41, 42),  # 25-1000
    ),
    "C": (  # n = 5
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        D, D, D, D, (0, 1), D, D, (1, 2),  # 0.65-15
        (2, 3), (3, 4), (5, 6), (8, 9), (12, 13), (18, 19), (27, 28), (41, 42), U,  # 25-1000
    ),
    "D": (  # n = 8
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        D, D, D, (0, 1), D, D, (1, 2), (2, 3),  # 0.65-15
        (3, 4), (5, 6), (8, 9), (12, 13), (18, 19), (27, 28), (41, 42), U, U,  # 25-1000
    ),
    "E": (  # n = 13
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        D, D, (0, 1), D, D, (1, 2), (2, 3), (3, 4),  # 0.65-15
        (5, 6), (8, 9), (12, 13), (18, 19), (27, 28), (41, 42), U, U, U,  # 25-1000
    ),
    "F": (  # n = 20
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        D, (0, 1), D, D, (1, 2), (2, 3), (3, 4), (5, 6),  # 0.65-15
        (8, 9), (12, 13), (18, 19), U, U, U, U, U, U,  # 25-1000
    ),
    "G": (  # n = 32
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        (0, 1), D, D, (1, 2), (2, 3), (3, 4), (5, 6), (8, 9),  # 0.65-15
        (12, 13), (18, 19), U, U, U, U, U, U, U,  # 25-1000
    ),
    "H": (  # n = 50
        D, D, D, D, D, D, D, D, (0, 1),  # 0.010-0.40
        D, D, (1, 2), (2, 3), (3, 4), (5, 6), (8, 9), (12, 13),  # 0.65-15
        (18, 19), U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "J": (  # n = 80
        D, D, D, D, D, D, D, (0, 1), D,  # 0.010-0.40
        D, (1, 2), (2, 3), (3, 4), (5, 6), (8, 9), (12, 13), (18, 19),  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "K": (  # n = 125
        D, D, D, D, D, D, (0, 1), D, D,  # 0.010-0.40
        (1, 2), (2, 3), (3, 4), (5, 6), (8, 9), (12, 13), (18, 19), U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "L": (  # n = 200
        D, D, D, D, D, (0, 1), D, D, (1, 2),  # 0.010-0.40
        (2, 3), (3, 4), (5, 6), (8, 9), (12, 13), (18, 19), U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "M": (  # n = 315
        D, D, D, D, (0, 1), D, D, (1, 2), (2, 3),  # 0.010-0.40
        (3, 4), (5, 6), (8, 9), (12, 13), (18, 19), U, U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "N": (  # n = 500
        D, D, D, (0, 1), D, D, (1, 2), (2, 3), (3, 4),  # 0.010-0.40
        (5, 6), (8, 9), (12, 13), (18, 19), U, U, U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "P": (  # n = 800
        D, D, (0, 1), D, D, (1, 2), (2, 3), (3, 4), (5, 6),  # 0.010-0.40
        (8, 9), (12, 13), (18, 19), U, U, U, U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "Q": (  # n = 1250
        D, (0, 1), D, D, (1, 2), (2, 3), (3, 4), (5, 6), (8, 9),  # 0.010-0.40
        (12, 13), (18, 19), U, U, U, U, U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "R": (  # n = 2000
        (0, 1), U, D, (1, 2), (2, 3), (3, 4), (5, 6), (8, 9), (12, 13),  # 0.010-0.40
        (18, 19), U, U, U, U, U, U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),

    # Row S exists only in Table 2-B: the one plan a ↓ in column 0.025 of rows Q and R leads
    # to. Its other cells are blank in the standard (None here) and no Table 1 entry names S.
    "S": (  # n = 3150
        None, None, (1, 2), None, None, None, None, None, None,  # 0.010-0.40
        None, None, None, None, None, None, None, None,  # 0.65-15
        None, None, None, None, None, None, None, None, None,  # 25-1000
    ),
}  # fmt: skip

# ISO 2859-1:1999, Table 2-C — Single sampling plans for reduced inspection (Master table).
# ISO differs from ANSI/ASQ Z1.4 here: no gap between Ac and Re, and other acceptance numbers.
# Along the diagonals: 0 1, ↑, ↓, ↓, then 1 2, 2 3, 3 4, 5 6, 6 7, 8 9, 10 11 (rows C-E on to
# 14 15 and 21 22), where Z1.4 has 0 1, ↑, ↓, 0 2, 1 3, 1 4, 2 5, 3 6, 5 8, 7 10, 10 13. Rows A
# and B (n = 2, like row C) keep the plans of Table 2-A's row A. Checked cell by cell against
# the public encoding of GB/T 2828.1-2012 (the identical Chinese adoption of ISO 2859-1:1999),
# see tests/sampling/test_tables.py; P, Q and R at 0.025 are one long ↑ to N (n 200, 0 1).
# The one contested diagonal: 5 6 (C/65, D/40, ... K/2.5, ... R/0.15) is GB/T 2828.1's; the
# encoding in EGTools (a spreadsheet add-in) has 4 5 there. Confirm it on a licensed copy of
# ISO 2859-1:1999 before relying on reduced inspection at those cells.
_TABLE_2C_ROWS: Final[dict[str, tuple[Cell, ...]]] = {
    "A": (  # n = 2
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        D, D, D, D, D, (0, 1), D, D,  # 0.65-15
        (1, 2), (2, 3), (3, 4), (5, 6), (7, 8), (10, 11), (14, 15), (21, 22), (30, 31),  # 25-1000
    ),
    "B": (  # n = 2
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        D, D, D, D, (0, 1), U, D, D,  # 0.65-15
        (1, 2), (2, 3), (3, 4), (5, 6), (7, 8), (10, 11), (14, 15), (21, 22), (30, 31),  # 25-1000
    ),
    "C": (  # n = 2
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        D, D, D, (0, 1), U, D, D, (1, 2),  # 0.65-15
        (2, 3), (3, 4), (5, 6), (6, 7), (8, 9), (10, 11), (14, 15), (21, 22), U,  # 25-1000
    ),
    "D": (  # n = 3
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        D, D, (0, 1), U, D, D, (1, 2), (2, 3),  # 0.65-15
        (3, 4), (5, 6), (6, 7), (8, 9), (10, 11), (14, 15), (21, 22), U, U,  # 25-1000
    ),
    "E": (  # n = 5
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        D, (0, 1), U, D, D, (1, 2), (2, 3), (3, 4),  # 0.65-15
        (5, 6), (6, 7), (8, 9), (10, 11), (14, 15), (21, 22), U, U, U,  # 25-1000
    ),
    "F": (  # n = 8
        D, D, D, D, D, D, D, D, D,  # 0.010-0.40
        (0, 1), U, D, D, (1, 2), (2, 3), (3, 4), (5, 6),  # 0.65-15
        (6, 7), (8, 9), (10, 11), U, U, U, U, U, U,  # 25-1000
    ),
    "G": (  # n = 13
        D, D, D, D, D, D, D, D, (0, 1),  # 0.010-0.40
        U, D, D, (1, 2), (2, 3), (3, 4), (5, 6), (6, 7),  # 0.65-15
        (8, 9), (10, 11), U, U, U, U, U, U, U,  # 25-1000
    ),
    "H": (  # n = 20
        D, D, D, D, D, D, D, (0, 1), U,  # 0.010-0.40
        D, D, (1, 2), (2, 3), (3, 4), (5, 6), (6, 7), (8, 9),  # 0.65-15
        (10, 11), U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "J": (  # n = 32
        D, D, D, D, D, D, (0, 1), U, D,  # 0.010-0.40
        D, (1, 2), (2, 3), (3, 4), (5, 6), (6, 7), (8, 9), (10, 11),  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "K": (  # n = 50
        D, D, D, D, D, (0, 1), U, D, D,  # 0.010-0.40
        (1, 2), (2, 3), (3, 4), (5, 6), (6, 7), (8, 9), (10, 11), U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "L": (  # n = 80
        D, D, D, D, (0, 1), U, D, D, (1, 2),  # 0.010-0.40
        (2, 3), (3, 4), (5, 6), (6, 7), (8, 9), (10, 11), U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "M": (  # n = 125
        D, D, D, (0, 1), U, D, D, (1, 2), (2, 3),  # 0.010-0.40
        (3, 4), (5, 6), (6, 7), (8, 9), (10, 11), U, U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "N": (  # n = 200
        D, D, (0, 1), U, D, D, (1, 2), (2, 3), (3, 4),  # 0.010-0.40
        (5, 6), (6, 7), (8, 9), (10, 11), U, U, U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "P": (  # n = 315
        D, (0, 1), U, D, D, (1, 2), (2, 3), (3, 4), (5, 6),  # 0.010-0.40
        (6, 7), (8, 9), (10, 11), U, U, U, U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "Q": (  # n = 500
        (0, 1), U, U, D, (1, 2), (2, 3), (3, 4), (5, 6), (6, 7),  # 0.010-0.40
        (8, 9), (10, 11), U, U, U, U, U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
    "R": (  # n = 800
        U, U, U, (1, 2), (2, 3), (3, 4), (5, 6), (6, 7), (8, 9),  # 0.010-0.40
        (10, 11), U, U, U, U, U, U, U,  # 0.65-15
        U, U, U, U, U, U, U, U, U,  # 25-1000
    ),
}  # fmt: skip

TABLE_2A: Final = PlanTable(
    "Table 2-A", "normal", MappingProxyType(_FULL_SIZES), MappingProxyType(_TABLE_2A_ROWS)
)
TABLE_2B: Final = PlanTable(
    "Table 2-B",
    "tightened",
    MappingProxyType({**_FULL_SIZES, "S": 3150}),
    MappingProxyType(_TABLE_2B_ROWS),
)
TABLE_2C: Final = PlanTable(
    "Table 2-C", "reduced", MappingProxyType(_REDUCED_SIZES), MappingProxyType(_TABLE_2C_ROWS)
)

PLAN_TABLES: Final[Mapping[str, PlanTable]] = MappingProxyType(
    {"normal": TABLE_2A, "tightened": TABLE_2B, "reduced": TABLE_2C}
)
