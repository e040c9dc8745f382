"""Deadline policies: defaults as the issue states them, site overrides, bad values refused."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from capaflow.calendars import Duration
from capaflow.config import PolicyError, PolicyFileError, load_policies
from capaflow.deadlines.policy import load_policy


def _milestone(lifecycle: str, key: str, override: str | None = None):  # type: ignore[no-untyped-def]
    policy = load_policy(load_policies(override))
    return next(m for m in policy.milestones[lifecycle] if m.key == key)


def test_defaults_match_the_8d_rules() -> None:
    assert _milestone("8d", "containment").due_for("major", "general") == Duration(24, "h")
    assert _milestone("8d", "root_cause").due_for("major", "general") == Duration(3, "d")
    assert _milestone("8d", "short_term_fix").due_for("major", "general") == Duration(3, "d")
    long_term = _milestone("8d", "long_term_countermeasure")
    assert long_term.due_for("major", "general") == Duration(7, "d")
    assert long_term.due_for("critical", "complex") == Duration(10, "d")
    assert _milestone("8d", "effectiveness_window").due_for("minor", "general") == Duration(
        6, "mo"
    )
    assert _milestone("8d", "effectiveness_review").every == Duration(1, "mo")


def test_a_site_override_changes_one_key_and_keeps_the_rest(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[deadlines.8d.containment.due]\ndefault = "24h"\ncritical = "8h"\n'
                    '[calendar]\ntimezone = "Europe/Berlin"\nholidays_country = "DE"\n')
    containment = _milestone("8d", "containment", str(site))
    assert containment.due_for("critical", "general") == Duration(8, "h")
    assert containment.due_for("minor", "general") == Duration(24, "h")
    assert containment.met_by == ("contain",)  # kept from the default
    policy = load_policy(load_policies(str(site)))
    # 2026-12-24 (Thu) + 2 business days in Germany: Christmas (Fri, Sat) and Sunday are
    # skipped, so Monday the 28th is the first and Tuesday the 29th the second.
    start = datetime(2026, 12, 24, 9, tzinfo=UTC)
    assert policy.calendar.add(start, Duration(2, "bd")).day == 29


@pytest.mark.parametrize(
    ("toml", "path"),
    [
        ('[deadlines.8d.root_cause]\ndue = "3x"\n', "deadlines.8d.root_cause.due"),
        ('[deadlines.8d.root_cause.due]\nurgent = "1d"\n', "deadlines.8d.root_cause.due.urgent"),
        ('[deadlines.8d.root_cause]\nmet_by = ["fly"]\n', "deadlines.8d.root_cause.met_by"),
        ('[deadlines.lean.x]\ndue = "1d"\n', "deadlines.lean"),
        ('[calendar]\ntimezone = "Mars/Olympus"\n', "calendar"),
        ('[calendar]\nworkdays = ["funday"]\n', "calendar.workdays"),
    ],
)
def test_a_bad_policy_value_is_refused_naming_its_key_path(
    tmp_path: Path, toml: str, path: str
) -> None:
    site = tmp_path / "site.toml"
    site.write_text(toml)
    with pytest.raises(PolicyError) as raised:
        load_policy(load_policies(str(site)))
    assert raised.value.field == path
    assert path in raised.value.message


def test_an_override_file_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[deadlines\n")
    with pytest.raises(PolicyFileError, match="not valid TOML"):
        load_policies(str(site))


@pytest.mark.parametrize(
    ("toml", "field"),
    [
        ("[scorecard.weights]\nppm = -3\n", "scorecard.weights.ppm"),
        ("[inspection]\ndefault_aql = 7\n", "inspection.default_aql"),
        ('[inspection]\nnot_cooperative_level = "S-2"\n', "inspection.not_cooperative_level"),
        ("[dispatch]\nmax_attempts = 0\n", "dispatch.max_attempts"),
        ("[intake]\ninspection_lots = 0\n", "intake.inspection_lots"),
        ("[sweep]\nbatch_size = 0\n", "sweep.batch_size"),
    ],
)
def test_config_show_refuses_a_bad_value_in_any_section_naming_its_key(
    tmp_path: Path, toml: str, field: str
) -> None:
    from tests.helpers import capa

    site = tmp_path / "site.toml"
    site.write_text(toml)
    result = capa("config", "show", "--json", "--config", str(site))
    assert result.exit_code == 2
    assert field in result.stderr
