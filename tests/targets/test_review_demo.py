"""`capa demo`: each simulated month ends with its review, closed on the 1st as the monthly
review flow closes it (docs/architecture.md, "Service quality control")."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, select

from capaflow.models import ReviewFigure
from capaflow.models.db import get_engine
from tests.helpers import capa


def test_the_demos_months_end_with_their_review(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = capa("demo", "--json", "--db", url, "--months", "2")
    assert result.exit_code == 0, result.stderr
    reviews = [(line["at"], line["what"]) for line in json.loads(result.stdout)
               if line["kind"] == "monthly_review"]
    assert [at for at, _ in reviews] == ["2026-02-01T07:00:00+00:00",
                                         "2026-03-01T07:00:00+00:00"]
    # February's desk month: the invoice answered days late, the claim reopened.
    assert reviews[1][1].startswith("monthly review 2026-02 closed: missed ")
    assert "field_service sla_attainment" in reviews[1][1]
    with Session(get_engine(url)) as session:
        months = {f.month for f in session.exec(select(ReviewFigure))}
    assert months == {"2026-01", "2026-02"}
