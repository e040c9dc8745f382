"""The PDF report, read back with pypdf: the text a reader (or a search) finds in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from capaflow.casework.engine import record_occurrence
from capaflow.models.db import get_engine, session_scope
from capaflow.reports.content import DISCIPLINE_TITLES
from capaflow.reports.pdf import DEJAVU_DIR, render_pdf
from tests.conftest import T0
from tests.reports.support import ACME_NAME, D, H, Story, pdf_text

needs_dejavu = pytest.mark.skipif(
    not (DEJAVU_DIR / "DejaVuSans.ttf").is_file(),
    reason="fonts-dejavu-core is not installed: the PDF falls back to Helvetica",
)


def _flat(text: str) -> str:
    # Extracted text breaks lines where the PDF wrapped them.
    return " ".join(text.split())


@needs_dejavu
def test_the_pdf_holds_the_title_every_d_heading_the_containment_and_the_supplier(
    story: Story,
) -> None:
    case_id = story.open()
    story.up_to_countermeasure(case_id)

    data = render_pdf(story.report(case_id, T0 + 6 * D))

    assert data.startswith(b"%PDF-")
    text = _flat(pdf_text(data))
    assert f"8D report — case #{case_id}: Cracked housing" in text
    for title in DISCIPLINE_TITLES.values():
        assert title in text, title
    assert "Quarantined 1,200 pcs" in text
    assert f"{ACME_NAME} (ACME)" in text  # Cyrillic, printed with DejaVu Sans
    assert "Filled by acme-quality, 2026-03-02 11:00 UTC (event #2)" in text
    assert "Hash chain intact: 5 event(s) verified." in text


def test_without_dejavu_helvetica_prints_latin_1_and_replaces_the_rest(
    story: Story, tmp_path: Path,
) -> None:
    case_id = story.open()
    story.step(case_id, "contain", T0 + H, containment="Quarantined 1,200 pcs — all of them")

    data = render_pdf(story.report(case_id, T0 + H), font_dir=tmp_path)  # no fonts there

    text = _flat(pdf_text(data))
    assert f"8D report - case #{case_id}: Cracked housing" in text
    assert "Quarantined 1,200 pcs - all of them" in text
    assert "???????? ????? Acme (ACME)" in text
    assert ACME_NAME not in text


def test_the_same_report_renders_the_same_bytes(story: Story) -> None:
    # Dated by the report, not the clock: a re-export can be compared with the first one.
    case_id = story.open()
    report = story.report(case_id, T0 + H)
    assert render_pdf(report) == render_pdf(report)


def test_a_note_longer_than_a_page_is_printed_whole(story: Story) -> None:
    case_id = story.open()
    words = " ".join(f"w{n}" for n in range(3000))
    story.step(case_id, "contain", T0 + H, containment="Sorted", note=f"{words} THE-END")

    text = pdf_text(render_pdf(story.report(case_id, T0 + H)))

    assert "w2999 THE-END" in _flat(text)


def test_a_case_with_200_events_lists_every_event(story: Story) -> None:
    case_id = story.open()
    story.up_to_countermeasure(case_id)
    with session_scope(get_engine(story.url)) as session:
        for n in range(195):
            record_occurrence(session, case_id=case_id, fields={"defect": str(n)},
                              note=f"occurrence {n}", actor="intake", now=T0 + 6 * D,
                              policy=story.policy)

    text = _flat(pdf_text(render_pdf(story.report(case_id, T0 + 7 * D))))

    assert "occurrence 0" in text and "occurrence 194" in text
    assert "Hash chain intact: 200 event(s) verified." in text


@needs_dejavu
def test_a_pdca_pdf_shows_its_cycles(story: Story) -> None:
    case_id = story.open(lifecycle="pdca", title="Less scrap", supplier=None)
    story.step(case_id, "execute", T0 + D, target="scrap below 2 %", plan="Clamp check")
    story.step(case_id, "measure", T0 + 2 * D, result="scrap 3.1 %")
    story.step(case_id, "evaluate", T0 + 3 * D, met="false")

    text = _flat(pdf_text(render_pdf(story.report(case_id, T0 + 3 * D))))

    assert f"PDCA record — case #{case_id}: Less scrap" in text
    assert "Cycle 1 (target missed)" in text
    assert "scrap below 2 %" in text and "scrap 3.1 %" in text
    assert "D1 Team" not in text
