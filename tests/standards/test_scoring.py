"""Scoring an inspection (docs/architecture.md, "Service quality control"): the weighted share
of items passed, 0 to 100, and "100 − 1 = 0": any failed critical item makes it 0."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capaflow.errors import BadInput
from capaflow.standards.catalogue import Item
from capaflow.standards.scoring import score


def _item(code: str, weight: float, critical: bool = False) -> Item:
    return Item(code=code, text=code, weight=weight, factor="methods", critical=critical)


ITEMS = [_item("A", 1), _item("B", 3), _item("C", 1, critical=True)]


def test_score_is_the_weighted_share_of_items_passed() -> None:
    assert score(ITEMS, {"A": True, "B": True, "C": True}).value == 100.0
    assert score(ITEMS, {"A": False, "B": True, "C": True}).value == 80.0
    assert score(ITEMS, {"A": True, "B": False, "C": True}).value == 40.0


def test_a_failed_critical_item_makes_the_score_zero_100_minus_1_is_0() -> None:
    result = score(ITEMS, {"A": True, "B": True, "C": False})
    assert result.value == 0.0 and result.spoiled and result.critical_failed == ("C",)


def test_every_item_needs_a_result_and_only_items_of_the_standard() -> None:
    with pytest.raises(BadInput) as missing:
        score(ITEMS, {"A": True, "B": True})
    assert missing.value.field == "item" and "C" in missing.value.message
    with pytest.raises(BadInput) as unknown:
        score(ITEMS, {"A": True, "B": True, "C": True, "Z": False})
    assert unknown.value.field == "item" and "'Z'" in unknown.value.message


standards = st.lists(
    st.tuples(st.floats(min_value=0.01, max_value=1000), st.booleans(), st.booleans()),
    min_size=1, max_size=30,
)


@given(standards)
def test_score_stays_within_0_and_100_and_critical_failures_give_0(
    rows: list[tuple[float, bool, bool]],
) -> None:
    items = [_item(f"I{n}", w, critical) for n, (w, critical, _) in enumerate(rows)]
    results = {f"I{n}": passed for n, (_, _, passed) in enumerate(rows)}
    result = score(items, results)
    assert 0.0 <= result.value <= 100.0
    if any(critical and not passed for _, critical, passed in rows):
        assert result.value == 0.0
    if all(passed for _, _, passed in rows):
        assert result.value == 100.0


@given(standards, st.data())
def test_passing_one_more_item_never_lowers_the_score(
    rows: list[tuple[float, bool, bool]], data: st.DataObject,
) -> None:
    items = [_item(f"I{n}", w, critical) for n, (w, critical, _) in enumerate(rows)]
    results = {f"I{n}": passed for n, (_, _, passed) in enumerate(rows)}
    failed = [code for code, passed in results.items() if not passed]
    if not failed:
        return
    turned = data.draw(st.sampled_from(failed))
    better = {**results, turned: True}
    assert score(items, better).value >= score(items, results).value
