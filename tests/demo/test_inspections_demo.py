"""The demo's month of quality inspections (demo/inspections.py): two planned rounds, a failed
item fixed, the same item failing again, which opens one PDCA cycle (the recurrence rule)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from capaflow.config import Settings
from capaflow.demo.inspections import inspection_script
from capaflow.models import Case, InspectionFinding, InspectionRound
from capaflow.models.db import get_engine, session_scope
from capaflow.runtime.root import Runtime
from capaflow.servicedesk.register import add_person
from tests.conftest import T0


def test_the_demo_month_shows_a_failure_fixed_and_its_recurrence_opening_a_pdca(
    sqlite_url: str,
) -> None:
    runtime = Runtime(settings=Settings(database_url=sqlite_url))
    engine = get_engine(sqlite_url)
    with session_scope(engine) as session:
        add_person(session, name="lea", team="field", skills=None, lead=True, now=T0)
    steps = inspection_script(engine, policy=runtime.deadline_policy,
                              policies=runtime.policies, start=T0)
    for _, step in sorted(steps, key=lambda s: s[0]):
        step()
    with Session(engine) as session:
        rounds = session.exec(select(InspectionRound).order_by(col(InspectionRound.due_at))).all()
        assert [r.score is not None for r in rounds] == [True, True]
        findings = session.exec(select(InspectionFinding)
                                .order_by(col(InspectionFinding.found_at))).all()
        assert [(f.item_code, f.owner) for f in findings] == [
            ("FS-02", "lea"), ("FS-02", "lea"), ("FS-04", "lea")]
        cycles = session.exec(select(Case).where(Case.lifecycle == "pdca")).all()
        assert len(cycles) == 1 and findings[1].pdca_case_id == cycles[0].id
