"""The typed model of config/default.toml: every section checked once, a bad value named by
its key path, an unknown key refused rather than ignored."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from capaflow.calendars import Duration
from capaflow.config import load_policies, merge_policies
from capaflow.config.policies import (
    IntakeSection,
    Policies,
    validate_policies,
    validate_section,
)
from capaflow.config.sections import PolicyError
from capaflow.errors import BadInput
from tests.cli.support import open_8d, refused
from tests.helpers import capa_json


def _merged(override: dict[str, Any]) -> dict[str, Any]:
    """The defaults with `override` merged in, as a site's file is (config.loader)."""
    return merge_policies(load_policies(), override)


def test_the_defaults_are_a_valid_document_with_typed_values() -> None:
    policies = validate_policies(load_policies())
    assert isinstance(policies, Policies)
    assert policies.deadlines["8d"]["containment"].due.default == Duration(24, "h")
    assert policies.deadlines["8d"]["long_term_countermeasure"].due.as_table() == {
        "default": Duration(7, "d"), "complex": Duration(10, "d"),
    }
    assert policies.escalation.ladder[1].after == timedelta(days=2)
    assert policies.web.supplier_link_valid == timedelta(days=14)
    assert policies.audit.finding_due == Duration(14, "d")
    assert policies.schedules.sweep == "*/5 * * * *"


@pytest.mark.parametrize(
    ("override", "path"),
    [
        ({"intake": {"inspection_lot": 3}}, "intake.inspection_lot"),
        ({"dispatch": {"retries": 3}}, "dispatch.retries"),
        ({"deadlines": {"8d": {"containment": {"title": "D3", "due": "24h", "remind": "1h"}}}},
         "deadlines.8d.containment.remind"),
        ({"scorecard": {"weights": {"ppm": 20, "speed": 1}}}, "scorecard.weights.speed"),
        ({"audit": {"checklist": {"tooling": {"x": "y"}}}}, "audit.checklist.tooling"),
        ({"inspection": {"timezone": "Europe/Berlin"}}, "inspection.timezone"),
        ({"notifications": {"x": 1}}, "notifications"),
    ],
)
def test_an_unknown_key_is_refused_naming_its_key_path(override: dict[str, Any], path: str) -> None:
    with pytest.raises(PolicyError) as refused_error:
        validate_policies(_merged(override))
    assert refused_error.value.field == path
    assert refused_error.value.message.startswith(f"{path}: unknown key")


@pytest.mark.parametrize(
    ("override", "path"),
    [
        ({"sweep": {"batch_size": 100_001}}, "sweep.batch_size"),
        ({"sweep": {"batch_size": 0}}, "sweep.batch_size"),
        ({"intake": {"inspection_lots": 0}}, "intake.inspection_lots"),
        ({"dispatch": {"backoff_seconds": -1}}, "dispatch.backoff_seconds"),
        ({"scorecard": {"attitude_points": {"cooperative": 101}}},
         "scorecard.attitude_points.cooperative"),
        ({"scorecard": {"grades": {"C": 85}}}, "scorecard.grades.C"),
        ({"inspection": {"switching_score_to_reduced": 0}},
         "inspection.switching_score_to_reduced"),
        ({"escalation": {"ladder": [{"level": 1, "after": "0h"}, {"level": 3, "after": "1d"}]}},
         "escalation.ladder[1].level"),
        ({"reminders": {"rules": [{"min_span": "3d", "before": "1mo"}]}},
         "reminders.rules[0].before"),
        ({"web": {"session_valid": "0h"}}, "web.session_valid"),
        ({"audit": {"finding_due": "2 weeks"}}, "audit.finding_due"),
        ({"departments": {"spa": {"title": "Spa", "positions": []}}},
         "departments.spa.positions"),
        ({"departments": {"spa": {"title": "Spa", "positions": ["a b"]}}},
         "departments.spa.positions"),
        ({"departments": {"spa": {"title": "Spa", "positions": ["therapist"],
                                  "teams": ["field"]}}}, "departments.spa.teams"),
        ({"departments": {"s pa": {"title": "Spa", "positions": ["therapist"]}}},
         "departments.s pa"),
    ],
)
def test_an_out_of_bounds_value_is_refused_naming_its_key_path(
    override: dict[str, Any], path: str
) -> None:
    with pytest.raises(PolicyError) as refused_error:
        validate_policies(_merged(override))
    assert refused_error.value.field == path
    assert refused_error.value.message.startswith(f"{path}: ")


def test_one_section_is_checked_alone_with_its_defaults_when_absent() -> None:
    assert validate_section("intake", IntakeSection, None) == IntakeSection()
    with pytest.raises(BadInput) as refused_error:
        validate_section("intake", IntakeSection, "on")
    assert refused_error.value.field == "intake"


@pytest.mark.parametrize(
    ("toml", "field"),
    [
        ("[sweep]\nbatch_sise = 10\n", "sweep.batch_sise"),
        ("[scorecard.grades]\nA = 101\n", "scorecard.grades.A"),
        ("[escalation]\nladder = [{ level = 1, after = \"3bd\" }]\n", "escalation.ladder[0].after"),
    ],
)
def test_the_cli_refuses_a_bad_override_with_exit_2_and_writes_nothing(
    db_url: str, tmp_path: Path, toml: str, field: str
) -> None:
    site = tmp_path / "site.toml"
    site.write_text(toml, encoding="utf-8")
    refused(db_url, "case", "open", "--title", "Cracked housing", "--config", str(site),
            exit_code=2, field=field, says=[field])
    refused(db_url, "config", "show", "--config", str(site), exit_code=2, field=field,
            says=[field])
    # Nothing was written by the refused command; the next one, without the override, opens #1.
    assert open_8d(db_url) == 1


def test_config_show_prints_the_merged_document_as_given(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[deadlines.8d.containment]\ndue = "12h"\n[sweep]\nbatch_size = 50\n',
                    encoding="utf-8")
    shown = capa_json("config", "show", "--config", str(site))
    expected = load_policies(str(site))
    assert shown == expected
    assert shown["deadlines"]["8d"]["containment"]["due"] == "12h"
    assert shown["inspection"]["default_aql"] == 1.0
