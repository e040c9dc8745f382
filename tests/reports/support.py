"""Cases for the report tests, made through the engine as the CLI and the API make them."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from pypdf import PdfReader

from capaflow.casework.engine import advance, open_case
from capaflow.chargeback import add_cost
from capaflow.deadlines.policy import DeadlinePolicy
from capaflow.models.db import get_engine, session_scope
from capaflow.reports.content import CaseReport, case_report
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0

H = timedelta(hours=1)
D = timedelta(days=1)
# Cyrillic: outside latin-1, inside DejaVu Sans.
ACME_NAME = "Литейный завод Acme"


@dataclass
class Story:
    """Writes steps to one database, each in its own transaction (one command each)."""

    url: str
    policy: DeadlinePolicy

    def supplier(self, code: str = "ACME", name: str = ACME_NAME) -> None:
        with session_scope(get_engine(self.url)) as session:
            add_supplier(session, code=code, name=name, contact=None, quality_head=None,
                         executive=None, now=T0)

    def open(
        self, *, title: str = "Cracked housing", supplier: str | None = "ACME",
        lifecycle: str = "8d", at: datetime = T0, linked_case_id: int | None = None,
        team: str | None = "lena, marco",
        problem: str | None = "Hairline cracks at the boss of housing HSG-100",
    ) -> int:
        with session_scope(get_engine(self.url)) as session:
            result = open_case(
                session, lifecycle=lifecycle, title=title, supplier_code=supplier,
                part="HSG-100" if supplier else None, defect_code="CRACK" if supplier else None,
                severity="major", complex_cause=False, owner="lena", team=team,
                problem=problem, actor="lena", now=at, policy=self.policy,
                linked_case_id=linked_case_id,
            )
        assert result.case.id is not None
        return result.case.id

    def step(
        self, case_id: int, trigger: str, at: datetime, *, actor: str = "lena",
        note: str | None = None, **fields: str,
    ) -> None:
        with session_scope(get_engine(self.url)) as session:
            advance(session, case_id=case_id, trigger=trigger, fields=fields, note=note,
                    actor=actor, now=at, policy=self.policy)

    def cost(self, case_id: int, kind: str, amount: str, currency: str, at: datetime) -> None:
        with session_scope(get_engine(self.url)) as session:
            add_cost(session, case_id=case_id, kind=kind, amount=amount, currency=currency,
                     incurred_at=at, note=f"{kind} at the line", actor="lena", now=at)

    def report(self, case_id: int, now: datetime) -> CaseReport:
        with session_scope(get_engine(self.url)) as session:
            return case_report(session, case_id=case_id, now=now)

    def up_to_countermeasure(self, case_id: int) -> None:
        """D3 to D6, each step on time, as in tests/cli's 8D walk."""
        self.step(case_id, "contain", T0 + 2 * H, actor="acme-quality",
                  containment="Quarantined 1,200 pcs", verification="0 cracks in 300 sampled")
        self.step(case_id, "find_root_cause", T0 + D, root_cause="Mould temperature drift",
                  escape_point="No crack check at outgoing", category="method")
        self.step(case_id, "apply_short_term_fix", T0 + 2 * D,
                  short_term_fix="Cooling time +4 s")
        self.step(case_id, "implement_countermeasure", T0 + 5 * D,
                  countermeasure="Closed-loop mould temperature control",
                  verification="3 lots without cracks",
                  prevention="Added to the FMEA of all moulds")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
