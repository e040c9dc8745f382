"""The flows' schedules have one home, config's [schedules]: the served deployments read it and
prefect.yaml (the deployments of the larger set-up) must agree with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.flows import Flow, load_flow_from_entrypoint

from capaflow.config import load_policies
from capaflow.flows.deployments import FLOWS, deployments, entrypoint, schedules

PREFECT_YAML = Path(__file__).resolve().parents[2] / "prefect.yaml"


def _declared() -> dict[str, dict[str, Any]]:
    document = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))
    return {d["name"]: d for d in document["deployments"]}


def test_prefect_yaml_runs_every_flow_on_configs_schedule() -> None:
    declared = _declared()
    crons = load_policies()["schedules"]
    assert set(declared) == set(FLOWS) == set(crons)
    for name, deployment in declared.items():
        assert [s["cron"] for s in deployment["schedules"]] == [crons[name]], name
        assert deployment["entrypoint"] == entrypoint(name)


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_prefect_yaml_entrypoints_are_modules_prefect_loads_from_anywhere(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no flows/ folder here: only the installed package
    loaded: Flow[..., Any] = load_flow_from_entrypoint(_declared()[name]["entrypoint"])
    assert loaded.name == FLOWS[name].name


def test_served_deployments_follow_a_sites_schedules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[schedules]\nsweep = "*/10 * * * *"\n', encoding="utf-8")
    monkeypatch.setenv("CAPA_CONFIG", str(site))
    assert schedules().sweep == "*/10 * * * *"
    served = {d.name: d for d in deployments()}
    assert [s.schedule.cron for s in served["sweep"].schedules] == [  # type: ignore[union-attr]
        "*/10 * * * *"
    ]
    assert [s.schedule.cron for s in served["dispatch"].schedules] == [  # type: ignore[union-attr]
        "* * * * *"
    ]
    assert served["sweep"].entrypoint == "capaflow.flows.sweep.sweep_flow"
