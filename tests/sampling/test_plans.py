"""`sampling.plan`: code letter, arrow rule, 100 % inspection, reduced plans, bad input.

Every expected value below was read off the tables (ISO 2859-1:1999 Tables 1, 2-A, 2-B, 2-C)
by hand, cell by cell, not produced by the code under test.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capaflow.sampling import AQL_LABELS, LEVELS, SEVERITIES, SamplingInputError, code_letter, plan


@pytest.mark.parametrize(
    ("lot_size", "level", "letter"),
    [
        (2, "II", "A"),
        (8, "III", "B"),
        (9, "II", "B"),
        (1000, "II", "J"),
        (1200, "II", "J"),
        (1201, "II", "K"),
        (1000, "I", "G"),
        (1000, "III", "K"),
        (1000, "S-1", "C"),
        (1000, "S-4", "F"),
        (5000, "II", "L"),
        (150000, "S-3", "G"),
        (500000, "II", "P"),
        (500001, "II", "Q"),
        (10**9, "III", "R"),
    ],
)
def test_code_letter_from_table_1(lot_size: int, level: str, letter: str) -> None:
    assert code_letter(lot_size, level) == letter


@pytest.mark.parametrize(
    ("aql", "plan_letter", "n", "ac", "arrow"),
    [
        # lot 1000, level II, normal: letter J, n 80
        (1.0, "J", 80, 2, None),
        (2.5, "J", 80, 5, None),
        (6.5, "J", 80, 10, None),
        (0.15, "J", 80, 0, None),
        (0.10, "K", 125, 0, "↓"),  # J/0.10 is ↓: K's plan, with K's sample size
        (0.25, "H", 50, 0, "↑"),  # J/0.25 is ↑: H's 0 1 at n 50, a smaller sample
        (0.40, "K", 125, 1, "↓"),  # J/0.40 is ↓: K's 1 2
        (0.015, "P", 800, 0, "↓"),  # a long ↓ through K..N
        (25, "H", 50, 21, "↑"),  # the upper right: ↑ to H, the last 21 22 in the column
    ],
)
def test_arrow_rule_normal_lot_1000(
    aql: float, plan_letter: str, n: int, ac: int, arrow: str | None
) -> None:
    p = plan(1000, aql)
    assert (p.code_letter, p.plan_letter, p.sample_size, p.ac, p.re) == (
        "J",
        plan_letter,
        n,
        ac,
        ac + 1,
    )
    assert p.severity == "normal" and p.table == "Table 2-A" and not p.hundred_percent
    assert "code letter J (Table 1)" in p.why
    if arrow:
        assert f"the cell for J is {arrow}" in p.why and f"letter {plan_letter}, n = {n}" in p.why
    else:
        assert "letter J's plan" in p.why


def test_the_design_example_lot_5000_at_aql_1() -> None:
    p = plan(5000, "1.0")  # letter L, n 200, Ac 5: 200 × 1.0 % = 2, as J 80 × 2.5 %
    assert (p.code_letter, p.sample_size, p.ac, p.re) == ("L", 200, 5, 6)


@pytest.mark.parametrize(
    ("lot_size", "level", "aql", "plan_letter", "n", "ac"),
    [
        (1000, "II", 1.0, "J", 80, 1),  # J/1.0 tightened: 1 2
        (1000, "II", 0.65, "K", 125, 1),  # ↓ to K's 1 2
        (1000, "II", 0.40, "L", 200, 1),  # ↓ past K to L's 1 2
        (1000, "II", 2.5, "J", 80, 3),
        (600000, "III", 0.025, "S", 3150, 1),  # R/0.025 ↓ to row S, which only Table 2-B has
        (5, "II", 10, "D", 8, 1),  # A/10 is ↓ to D's 1 2 (n 8 ≥ lot 5: 100 %)
    ],
)
def test_arrow_rule_tightened(
    lot_size: int, level: str, aql: float, plan_letter: str, n: int, ac: int
) -> None:
    p = plan(lot_size, aql, level, "tightened")
    assert (p.plan_letter, p.ac, p.re, p.table) == (plan_letter, ac, ac + 1, "Table 2-B")
    assert p.sample_size == min(n, lot_size)


@pytest.mark.parametrize(
    ("aql", "plan_letter", "n", "ac"),
    [
        # Read off GB/T 2828.1-2012 Table 2-C (= ISO 2859-1:1999), row J, n 32.
        (2.5, "J", 32, 3),  # Z1.4 reduced has Ac 2 Re 5 here; ISO: 3 4
        (4.0, "J", 32, 5),  # Z1.4: 3 6
        (6.5, "J", 32, 6),  # Z1.4: 5 8
        (1.0, "J", 32, 1),  # Z1.4: 1 3
        (0.40, "L", 80, 1),  # ↓ through K to L's 1 2 at n 80 (Z1.4: ↓ to K's 0 2)
        (0.25, "H", 20, 0),  # ↑ to H's 0 1 at n 20
    ],
)
def test_reduced_lot_1000(aql: float, plan_letter: str, n: int, ac: int) -> None:
    p = plan(1000, aql, "II", "reduced")
    assert (p.code_letter, p.plan_letter, p.sample_size) == ("J", plan_letter, n)
    assert (p.ac, p.re, p.table) == (ac, ac + 1, "Table 2-C")


@pytest.mark.parametrize("severity", SEVERITIES)
@pytest.mark.parametrize("aql", AQL_LABELS)
def test_reduced_and_every_plan_has_re_one_above_ac(severity: str, aql: str) -> None:
    # ISO 2859-1:1999 has no gap between Ac and Re, reduced inspection included.
    for lot_size in (2, 30, 400, 2000, 40000, 10**6):
        for level in LEVELS:
            p = plan(lot_size, aql, level, severity)
            assert p.re == p.ac + 1


def test_hundred_percent_when_the_sample_reaches_the_lot() -> None:
    # Lot 10, level II: letter B. AQL 0.65 is ↓ down to F (0 1, n 20): more than the lot.
    p = plan(10, 0.65)
    assert (p.code_letter, p.plan_letter, p.ac, p.re) == ("B", "F", 0, 1)
    assert p.hundred_percent and p.sample_size == 10
    assert "The sample size 20 is not smaller than the lot size 10: inspect 100 %" in p.why


def test_hundred_percent_when_the_sample_equals_the_lot() -> None:
    p = plan(2, 6.5)  # A/6.5: 0 1 at n 2, the whole lot
    assert p.hundred_percent and p.sample_size == 2 and (p.ac, p.re) == (0, 1)


def test_no_hundred_percent_below_the_lot_size() -> None:
    p = plan(81, 1.0)  # lot 51-90, level II: E; E/1.0 is 0 1 at n 13
    assert (p.code_letter, p.sample_size, p.ac, p.hundred_percent) == ("E", 13, 0, False)
    assert "100 %" not in p.why


@pytest.mark.parametrize("aql", [0.1, "0.10", "0.1", Decimal("0.100"), " 0.10 "])
def test_aql_spellings(aql: float | str | Decimal) -> None:
    assert plan(1000, aql).aql == "0.10"


@pytest.mark.parametrize("level", ["ii", " II ", "s-1", "S1"])
def test_level_spellings(level: str) -> None:
    assert plan(1000, 1.0, level).level in {"II", "S-1"}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"lot_size": 1}, "lot_size"),
        ({"lot_size": 0}, "lot_size"),
        ({"lot_size": -5}, "lot_size"),
        ({"lot_size": 2.5}, "lot_size"),
        ({"lot_size": True}, "lot_size"),
        ({"aql": 0.3}, "aql"),
        ({"aql": "abc"}, "aql"),
        ({"aql": float("nan")}, "aql"),
        ({"aql": True}, "aql"),
        ({"aql": 2000}, "aql"),
        ({"level": "IV"}, "level"),
        ({"level": "S-5"}, "level"),
        ({"level": ""}, "level"),
        ({"severity": "strict"}, "severity"),
        ({"severity": "100%"}, "severity"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {"lot_size": 1000, "aql": 1.0, "level": "II"}
    arguments.update(kwargs)
    with pytest.raises(SamplingInputError) as raised:
        plan(**arguments)  # type: ignore[arg-type]
    assert raised.value.field == field
    assert isinstance(raised.value, ValueError)
    assert field in str(raised.value)


def test_a_wrong_aql_lists_the_series() -> None:
    with pytest.raises(SamplingInputError, match="0.010, 0.015, 0.025, .*, 650, 1000"):
        plan(1000, 0.3)


@given(
    lot_size=st.integers(min_value=2, max_value=10**8),
    aql=st.sampled_from(AQL_LABELS),
    level=st.sampled_from(LEVELS),
    severity=st.sampled_from(SEVERITIES),
)
def test_any_input_gives_a_usable_plan(lot_size: int, aql: str, level: str, severity: str) -> None:
    p = plan(lot_size, aql, level, severity)
    assert 1 <= p.sample_size <= lot_size
    assert p.re == p.ac + 1  # single sampling
    assert p.ac >= 0
    assert p.hundred_percent == (p.sample_size == lot_size and "100 %" in p.why)
    # Ac < n holds for the percent-nonconforming columns (AQL up to 10). Above 10 the standard
    # counts nonconformities per 100 items, several per item are possible, and its own plans
    # accept more than n (Table 2-A, A/1000: n 2, Ac 30).
    if float(aql) <= 10:
        assert p.ac < p.sample_size
