"""The charts are valid SVG and show what they chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from sqlmodel import Session

from capaflow.scorecards import months
from capaflow.scorecards.charts import MAX_BARS, pareto_chart
from tests.conftest import T0
from tests.helpers import capa, capa_json, snapshot
from tests.scorecards.support import PIECES_FOR, defect, lot, mid, supplier, write_config

SVG = "{http://www.w3.org/2000/svg}"
NOW = T0.isoformat()


def texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()  # raises on anything that is not well-formed XML
    assert root.tag == f"{SVG}svg"
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_the_score_chart_is_svg_with_each_month_and_its_grade(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    acme = supplier(session)
    config = write_config(tmp_path)
    graded = {"2025-11": "A", "2025-12": "C", "2026-01": "D", "2026-02": "B"}
    for month, grade in graded.items():
        defect(session, acme, mid(month), PIECES_FOR[grade])
        capa_json("scorecard", "run", "--month", month, "--db", db_url, "--now", NOW,
                  "--config", config)
    out = tmp_path / "acme.svg"
    document = capa_json("scorecard", "chart", "--supplier", "ACME", "--out", str(out),
                         "--db", db_url, "--now", NOW, "--config", config)
    assert [m["month"] for m in document["months"]] == list(graded)
    labels = texts(out)
    for month, grade in graded.items():
        assert month in labels
        assert grade in labels
    root = ET.parse(out).getroot()
    [line] = root.iter(f"{SVG}polyline")
    assert len(line.attrib["points"].split()) == 4


def test_the_pareto_chart_has_bars_most_first_and_a_cumulative_line(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    acme = supplier(session)
    defect(session, acme, mid("2026-02"), 3, code="SCRATCH")
    defect(session, acme, mid("2026-02"), 9, code="BURR")
    defect(session, acme, mid("2026-01"), 40, code="OLD")  # another month
    lot(session, acme, mid("2026-02"), accepted=False, defects=5, defect_code="DENT")
    lot(session, acme, mid("2026-02"), accepted=False, defects=2, defect_code="BURR")
    out = tmp_path / "pareto.svg"
    document = capa_json("scorecard", "pareto", "--supplier", "ACME", "--out", str(out),
                         "--month", "2026-02", "--db", db_url, "--now", NOW)
    assert document["codes"] == [
        {"defect_code": "BURR", "pieces": 11}, {"defect_code": "DENT", "pieces": 5},
        {"defect_code": "SCRATCH", "pieces": 3},
    ]
    labels = texts(out)
    assert labels.index("BURR") < labels.index("DENT") < labels.index("SCRATCH")
    root = ET.parse(out).getroot()
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    heights = [float(b.attrib["height"]) for b in bars]
    assert heights == sorted(heights, reverse=True) and len(heights) == 3
    [cumulative] = root.iter(f"{SVG}polyline")
    last_y = float(cumulative.attrib["points"].split()[-1].split(",")[1])
    assert last_y == 36.0  # the top of the plot: 100 %


def test_a_pareto_of_many_codes_sums_the_tail_as_other() -> None:
    counts = [(f"C{n:02d}", 100 - n) for n in range(30)]
    root = ET.fromstring(pareto_chart("many", counts))
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "other" in labels
    assert sum(1 for t in labels if t and t.startswith("C")) == MAX_BARS - 1


def test_a_chart_to_a_missing_folder_or_not_svg_is_refused_and_writes_nothing(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    supplier(session)
    before = snapshot(db_url)
    for out in (tmp_path / "nowhere" / "a.svg", tmp_path / "a.png"):
        for command in ("chart", "pareto"):
            result = capa("scorecard", command, "--supplier", "ACME", "--out", str(out),
                          "--db", db_url, "--now", NOW)
            assert result.exit_code == 2, result.stderr
            assert not out.exists()
    result = capa("scorecard", "chart", "--supplier", "NOPE", "--out",
                  str(tmp_path / "x.svg"), "--db", db_url, "--now", NOW)
    assert result.exit_code == 3
    assert not (tmp_path / "x.svg").exists()
    assert snapshot(db_url) == before


def test_a_chart_without_grades_is_still_valid_svg(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    supplier(session)
    out = tmp_path / "empty.svg"
    capa_json("scorecard", "chart", "--supplier", "ACME", "--out", str(out),
              "--db", db_url, "--now", NOW)
    assert "no grades yet" in texts(out)
    assert months.shift("2026-01", -1) == "2025-12"


def test_a_month_not_graded_keeps_its_place_on_the_score_chart_without_a_point(
    db_url: str, session: Session, tmp_path: Path,
) -> None:
    acme = supplier(session)
    config = write_config(tmp_path)
    graded = {"2025-11": "A", "2025-12": None, "2026-01": "D", "2026-02": "B"}
    for month, grade in graded.items():
        if grade is not None:
            defect(session, acme, mid(month), PIECES_FOR[grade])
        capa_json("scorecard", "run", "--month", month, "--db", db_url, "--now", NOW,
                  "--config", config)
    out = tmp_path / "acme.svg"
    document = capa_json("scorecard", "chart", "--supplier", "ACME", "--out", str(out),
                         "--db", db_url, "--now", NOW, "--config", config)
    assert [(m["month"], m["grade"], m["graded"]) for m in document["months"]] == [
        (month, grade, grade is not None) for month, grade in graded.items()]
    labels = texts(out)
    assert "2025-12" in labels and "n/g" in labels
    root = ET.parse(out).getroot()
    [line] = root.iter(f"{SVG}polyline")
    assert len(line.attrib["points"].split()) == 3
    assert len(list(root.iter(f"{SVG}circle"))) == 3
