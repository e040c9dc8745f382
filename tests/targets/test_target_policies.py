"""`[targets.<department>.<indicator>]`: a target per department and indicator, per-month
overrides, and each bad key refused naming its key path (docs/architecture.md, "Service
quality control")."""

from __future__ import annotations

from typing import Any

import pytest

from capaflow.config import load_policies, merge_policies
from capaflow.config.policies import validate_policies
from capaflow.config.sections import PolicyError
from capaflow.config.targets import INDICATORS as KINDS
from capaflow.targets.indicators import INDICATORS


def _merged(override: dict[str, Any]) -> dict[str, Any]:
    return merge_policies(load_policies(), override)


def test_the_default_targets_cover_every_indicator_a_department_is_measured_by() -> None:
    targets = validate_policies(load_policies()).targets
    assert set(targets) == {"service_desk", "field_service", "back_office"}
    desk = {"sla_attainment", "satisfaction", "complaints", "spotcheck_conformance"}
    # Only the field service has planned inspection rounds ([standards.rounds]); the back
    # office has no contingency plan of its own.
    assert set(targets["field_service"]) == desk | {"inspection_score", "incidents"}
    assert set(targets["service_desk"]) == desk | {"incidents"}
    assert set(targets["back_office"]) == desk


def test_a_months_override_wins_over_the_target_of_every_month() -> None:
    policies = validate_policies(_merged({"targets": {"service_desk": {"sla_attainment": {
        "target": 0.9, "months": {"2027-01": 0.8}}}}}))
    target = policies.targets["service_desk"]["sla_attainment"]
    assert (target.for_month("2027-01"), target.for_month("2027-02")) == (0.8, 0.9)


def test_the_policies_name_exactly_the_indicators_of_the_registry() -> None:
    assert list(KINDS) == list(INDICATORS)
    assert {name: i.unit for name, i in INDICATORS.items()} == KINDS


@pytest.mark.parametrize(
    ("override", "path"),
    [
        ({"spa": {"complaints": {"target": 1}}}, "targets.spa"),
        ({"service_desk": {"smiles": {"target": 1}}}, "targets.service_desk.smiles"),
        ({"service_desk": {"satisfaction": {"target": 1.2}}},
         "targets.service_desk.satisfaction.target"),
        ({"service_desk": {"satisfaction": {"target": 0.8, "months": {"2027-01": 1.5}}}},
         "targets.service_desk.satisfaction.months.2027-01"),
        ({"service_desk": {"satisfaction": {"target": 0.8, "months": {"2027-13": 0.5}}}},
         "targets.service_desk.satisfaction.months"),
        ({"service_desk": {"complaints": {"target": -1}}},
         "targets.service_desk.complaints.target"),
        ({"service_desk": {"complaints": {"target": "ten"}}},
         "targets.service_desk.complaints.target"),
        ({"service_desk": {"complaints": {"target": 3, "ceiling": 4}}},
         "targets.service_desk.complaints.ceiling"),
    ],
)
def test_a_bad_target_is_refused_naming_its_key_path(override: dict[str, Any],
                                                      path: str) -> None:
    with pytest.raises(PolicyError) as refused:
        validate_policies(_merged({"targets": override}))
    assert refused.value.field == path
    assert refused.value.message.startswith(f"{path}: ")
