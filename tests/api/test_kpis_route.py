"""GET /api/v1/kpis: the document `capa kpi report --json` prints, for the quality team
(viewers included, it only reads); a supplier is refused, bad input is a 422 naming its
field and nothing is written."""

from __future__ import annotations

from capaflow.documents.kpis import KpiReportPublic
from tests.api.conftest import World
from tests.cli.support import ok
from tests.helpers import snapshot


def test_the_route_and_the_command_answer_one_kpi_document(world: World) -> None:
    api = world.get("viewer", "/kpis?from=2026-01-01")
    assert api.status_code == 200, api.text
    cli = ok(world.url, "kpi", "report", "--from", "2026-01-01")
    assert KpiReportPublic.model_validate(api.json()) == KpiReportPublic.model_validate(cli)
    assert api.json() == cli
    assert [b["open_cases"] for b in cli["ageing"]] == [2, 0, 0, 0]


def test_a_supplier_is_refused_and_a_bad_window_names_its_field_writing_nothing(
    world: World,
) -> None:
    before = snapshot(world.url)
    assert world.get("ACME", "/kpis").status_code == 403
    for query, field in (("?from=2026-02-30", "from"), ("?to=soon", "to"),
                         ("?from=2026-03-10&to=2026-03-01", "from")):
        answer = world.get("lead", f"/kpis{query}")
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["field"] == field
    assert snapshot(world.url) == before
