"""`[defect_codes]`: the catalogue is typed and bounded; a bad code or an empty meaning is
refused naming its key path (docs/architecture.md, "Master data")."""

from __future__ import annotations

from typing import Any

import pytest

from capaflow.config import load_policies, merge_policies
from capaflow.config.policies import validate_policies
from capaflow.config.sections import PolicyError


def test_the_default_catalogue_is_valid_and_a_site_adds_to_it() -> None:
    merged = merge_policies(load_policies(), {"defect_codes": {"PAINT": "Paint run"}})
    codes = validate_policies(merged).defect_codes
    assert codes["CRACK"] == "Crack or fracture" and codes["PAINT"] == "Paint run"


@pytest.mark.parametrize("override", [
    {"defect_codes": {"bad code": "has a space"}},
    {"defect_codes": {"EMPTY": " "}},
    {"defect_codes": {"LONG": "x" * 201}},
    {"defect_codes": {f"C{i}": "many" for i in range(501)}},
])
def test_a_bad_catalogue_is_refused_naming_its_key(override: dict[str, Any]) -> None:
    with pytest.raises(PolicyError) as refused:
        validate_policies(merge_policies(load_policies(), override))
    assert refused.value.field is not None and refused.value.field.startswith("defect_codes")
