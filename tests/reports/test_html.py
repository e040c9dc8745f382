"""The printable HTML page: standalone, every value escaped, the same content as the model."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from capaflow.accounts import Principal, add_user
from capaflow.accounts.signatures import CANCEL_CASE, sign
from capaflow.casework.engine import advance
from capaflow.models.db import get_engine, session_scope
from capaflow.reports.content import DISCIPLINE_TITLES
from capaflow.reports.html import render_html
from tests.conftest import T0
from tests.reports.support import ACME_NAME, D, H, Story

SCRIPT = "<script>alert(1)</script>"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def test_text_typed_by_people_is_escaped_never_markup(story: Story) -> None:
    story.supplier("EVIL", name='Evil <img src=x onerror="alert(2)"> Ltd')
    case_id = story.open(title=SCRIPT, supplier="EVIL", team="<b>lena</b>")
    story.step(case_id, "contain", T0 + H, note="a & b <i>c</i>",
               containment="</td></tr><script>alert(3)</script>")

    page = render_html(story.report(case_id, T0 + H))

    assert SCRIPT not in page and "<script>alert(3)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in page
    assert "a &amp; b &lt;i&gt;c&lt;/i&gt;" in page
    # The only tags are the template's own: none from a title, name, team or note.
    tags = {tag for tag, _attrs in _tags(page)}
    assert not tags & {"script", "img", "b", "i"}


def test_the_page_is_standalone_with_inline_css_and_no_external_assets(story: Story) -> None:
    case_id = story.open()
    page = render_html(story.report(case_id, T0))

    assert page.startswith("<!doctype html>")
    assert '<meta charset="utf-8">' in page and "<style>" in page and "@page" in page
    for tag, attrs in _tags(page):
        assert tag not in ("link", "script", "img", "iframe"), tag
        assert not {"src", "href"} & set(attrs), (tag, attrs)
    assert not re.search(r"https?://|@import|url\(", page)


def test_the_page_shows_d1_to_d8_as_filled_so_far_with_who_and_when(story: Story) -> None:
    case_id = story.open()
    story.up_to_countermeasure(case_id)
    story.cost(case_id, "line_stop", "1200.50", "EUR", T0 + H)

    page = render_html(story.report(case_id, T0 + 6 * D))

    assert f"<title>8D report — case #{case_id}: Cracked housing</title>" in page
    for title in DISCIPLINE_TITLES.values():
        assert f"<h2>{title}</h2>" in page, title
    assert ACME_NAME in page
    assert "Quarantined 1,200 pcs" in page
    assert "Filled by acme-quality, 2026-03-02 11:00 UTC (event #2)" in page
    d8 = page.split("D8 Closure and recognition")[1].split("</section>")[0]
    assert "Not yet recorded." in d8
    assert '<td class="status status-met">met on time</td>' in page
    assert "Total EUR" in page and "1200.50" in page
    assert "Hash chain intact: 5 event(s) verified." in page
    assert "as of 2026-03-08 09:00 UTC" in page


def test_an_overdue_deadline_is_marked_overdue(story: Story) -> None:
    case_id = story.open()
    page = render_html(story.report(case_id, T0 + 2 * D))
    assert '<td class="status status-overdue">overdue</td>' in page


def test_a_pdca_case_shows_its_cycles_instead_of_disciplines(story: Story) -> None:
    case_id = story.open(lifecycle="pdca", title="Less scrap", supplier=None)
    story.step(case_id, "execute", T0 + D, target="scrap below 2 %", plan="Clamp check")
    story.step(case_id, "measure", T0 + 2 * D, result="scrap 1.2 %")
    story.step(case_id, "evaluate", T0 + 3 * D, met="true")

    page = render_html(story.report(case_id, T0 + 3 * D))

    assert "PDCA record — case" in page
    assert "D1 Team" not in page
    assert 'Cycle 1 <span class="badge status-met">target met</span>' in page
    for phase in ("Plan", "Do", "Check", "Act"):
        assert f"<h3>{phase}</h3>" in page
    assert "scrap below 2 %" in page and "scrap 1.2 %" in page


def test_a_signed_decision_shows_its_signer_time_and_meaning(story: Story) -> None:
    case_id = story.open()
    with session_scope(get_engine(story.url)) as session:
        user = add_user(session, name="mara", role="quality_manager",
                        password="mara-password-1", now=T0)
        signer = Principal(name="mara", role="quality_manager", user_id=user.id)
        signature = sign(session, principal=signer, password="mara-password-1",
                         meaning=CANCEL_CASE, now=T0 + H)
        advance(session, case_id=case_id, trigger="cancel", fields={"reason": "Duplicate"},
                note=None, actor="mara", now=T0 + H, policy=story.policy,
                signature=signature, require_signature=True)

    page = render_html(story.report(case_id, T0 + H))

    assert ('<div class="signature">Signed by mara, 2026-03-02 10:00 UTC (password re-entry)'
            f" — meaning: {CANCEL_CASE}</div>") in page
    assert '<td class="text">Duplicate</td>' in page  # the header's "Cancelled because"
