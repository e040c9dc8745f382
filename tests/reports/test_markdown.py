"""The Markdown report renders the shared content model (what `capa case report` prints)."""

from __future__ import annotations

import re

from sqlmodel import Session

from capaflow.models import Case, Supplier
from capaflow.models.db import get_engine
from capaflow.models.queries import case_deadlines, case_events
from capaflow.reports import markdown
from capaflow.reports.content import DISCIPLINE_TITLES, build_report
from tests.conftest import T0
from tests.helpers import capa
from tests.reports.support import ACME_NAME, D, H, Story


def test_the_sections_are_the_content_models_d1_to_d8_titles(story: Story) -> None:
    case_id = story.open()
    story.step(case_id, "contain", T0 + H, actor="acme-quality", containment="Sorted stock")

    text = markdown.render_report(story.report(case_id, T0 + H))

    headings = re.findall(r"^## (D\d .*)$", text, re.MULTILINE)
    assert headings == list(DISCIPLINE_TITLES.values())
    d3 = text.split("## D3 Containment")[1].split("## D4")[0]
    assert "Sorted stock" in d3
    assert "_Filled by acme-quality, 2026-03-02 10:00 UTC._" in d3
    assert "_not yet recorded_" in text.split("## D4 Root cause")[1].split("## D5")[0]


def test_the_undated_render_of_loaded_rows_is_the_same_document(story: Story) -> None:
    # `capa case report` and GET /cases/{id}/report call render(case, supplier, events,
    # deadlines): it must say what render_report says of the same rows, left undated.
    case_id = story.open()
    story.up_to_countermeasure(case_id)
    with Session(get_engine(story.url)) as session:
        case = session.get(Case, case_id)
        assert case is not None
        supplier = session.get(Supplier, case.supplier_id)
        events, deadlines = case_events(session, case_id), case_deadlines(session, case_id)
        legacy = markdown.render(case, supplier, events, deadlines)
        model = build_report(case=case, supplier=supplier, events=events,
                             deadlines=deadlines, now=None)
    assert legacy == markdown.render_report(model)
    assert "overdue" not in legacy  # undated: nothing is called overdue
    assert "## Costs" not in legacy and "## Audit trail" not in legacy


def test_a_dated_report_adds_costs_links_overdue_and_the_chain_check(story: Story) -> None:
    first = story.open(title="Cracks, first time")
    case_id = story.open(title="Cracks again", linked_case_id=first)
    story.cost(case_id, "line_stop", "1200.50", "EUR", T0 + H)

    text = markdown.render_report(story.report(case_id, T0 + 2 * D))

    assert "| D3 emergency containment | 2026-03-03 09:00 UTC | overdue | - |" in text
    assert "| 2026-03-02 10:00 UTC | line_stop | 1200.50 | EUR | line_stop at the line |" in text
    assert "- **Total:** 1200.50 EUR" in text
    assert f"- follows case #{first}: Cracks, first time (containment)" in text
    assert "Hash chain intact: 1 event(s) verified." in text


def test_capa_case_report_prints_the_shared_model(story: Story) -> None:
    case_id = story.open()
    story.up_to_countermeasure(case_id)
    story.step(case_id, "reject", T0 + 6 * D, reason="No evidence | none at all")

    result = capa("case", "report", str(case_id), "--db", story.url, "--now",
                  (T0 + 6 * D).isoformat())

    assert result.exit_code == 0, result.stderr
    assert f"- **Supplier:** {ACME_NAME} (ACME)" in result.stdout
    d6 = result.stdout.split("## D6 ")[1].split("## D7")[0]
    assert "_not yet recorded_" in d6  # sent back by the reject
    assert "Closed-loop mould temperature control" not in d6
    # A pipe in a reason would split the timeline's row.
    assert "| No evidence \\| none at all |" in result.stdout


def test_the_pdca_record_keeps_its_cycle_lines(story: Story) -> None:
    case_id = story.open(lifecycle="pdca", title="Less scrap", supplier=None)
    story.step(case_id, "execute", T0 + D, target="scrap below 2 %", plan="Clamp check")
    story.step(case_id, "measure", T0 + 2 * D, result="scrap 3.1 %")
    story.step(case_id, "evaluate", T0 + 3 * D, met="false")
    story.step(case_id, "next_cycle", T0 + 4 * D, reason="Clamping was not the cause")

    text = markdown.render_report(story.report(case_id, T0 + 4 * D))

    assert text.startswith(f"# PDCA report — case #{case_id}: Less scrap")
    cycle_1 = text.split("## Cycle 1")[1].split("## Cycle 2")[0]
    for line in ("- **Target:** scrap below 2 %", "- **Plan:** Clamp check",
                 "- **Result:** scrap 3.1 %", "- **Target met:** no",
                 "- **Next cycle because:** Clamping was not the cause"):
        assert line in cycle_1, line
    assert "- **Target:** -" in text.split("## Cycle 2")[1]
