"""Scoring a quality inspection against its standard (docs/architecture.md, "Service quality
control"): the weighted share of items passed, 0 to 100, and 0 when any critical item failed
— the hotel rule "100 − 1 = 0", one failure of what matters spoils the whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from capaflow.errors import BadInput
from capaflow.standards.catalogue import Item


@dataclass(frozen=True)
class Score:
    value: float  # 0..100, rounded to two places
    passed: int
    failed: tuple[str, ...]  # item codes, in the standard's order
    critical_failed: tuple[str, ...]

    @property
    def spoiled(self) -> bool:
        """A critical item failed: the score is 0 whatever else passed."""
        return bool(self.critical_failed)


def score(items: Sequence[Item], results: Mapping[str, bool]) -> Score:
    """The score of `results` (item code → passed) against `items`. Every item needs a result:
    a missing one, or a result for a code the standard does not have, is BadInput naming
    `item`."""
    codes = {i.code for i in items}
    unknown = sorted(set(results) - codes)
    if unknown:
        raise BadInput(f"item: '{unknown[0]}' is not an item of this standard "
                       f"(items: {', '.join(i.code for i in items)})", field="item")
    missing = [i.code for i in items if i.code not in results]
    if missing:
        raise BadInput(f"item: no result for {', '.join(missing)}; every item needs pass or "
                       f"fail", field="item")
    failed = tuple(i.code for i in items if not results[i.code])
    critical = tuple(i.code for i in items if i.critical and not results[i.code])
    total = sum(i.weight for i in items)
    passed_weight = sum(i.weight for i in items if results[i.code])
    value = 0.0 if critical or total <= 0 else round(100.0 * passed_weight / total, 2)
    return Score(value=min(100.0, max(0.0, value)), passed=len(items) - len(failed),
                 failed=failed, critical_failed=critical)
