"""The case-opening form's catalogue: owners (writers and [people]), known parts, and the
defect codes of the policies followed by those in use; an unknown owner is named
(docs/architecture.md, "Master data"). On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from capaflow.accounts import add_user
from capaflow.casework.catalogue import case_catalogue, check_owner
from capaflow.errors import BadInput
from capaflow.models import Case, DefectEvent
from capaflow.models.db import get_engine, session_scope
from capaflow.suppliers.registry import add_supplier
from tests.conftest import T0


def test_the_catalogue_lists_what_exists(db_url: str) -> None:
    with session_scope(get_engine(db_url)) as session:
        add_user(session, name="lena", role="quality_lead", password="lena-password-1", now=T0)
        add_user(session, name="vera", role="viewer", password="vera-password-1", now=T0)
        supplier = add_supplier(session, code="ACME", name="Acme", contact=None,
                                quality_head=None, executive=None, now=T0)
        assert supplier.id is not None
        session.add(Case(lifecycle="8d", state="containment", title="t", part="P-2",
                         defect_code="CRACK", opened_at=T0, updated_at=T0))
        session.add(DefectEvent(supplier_id=supplier.id, part="P-1", defect_code="ODD",
                                quantity=1, occurred_at=T0, recorded_at=T0, source="line"))
    with Session(get_engine(db_url)) as session:
        catalogue = case_catalogue(session, people=["marco"],
                                   defect_codes={"CRACK": "Crack", "BURR": "Burr"})
    assert catalogue.owners == ("lena", "marco")
    assert catalogue.parts == ("P-1", "P-2")
    assert catalogue.defect_codes == (("CRACK", "Crack"), ("BURR", "Burr"), ("ODD", ""))
    check_owner("lena", catalogue)
    check_owner("", catalogue)  # no owner: the quality lead stands in, as before
    with pytest.raises(BadInput) as refused:
        check_owner("vera", catalogue)  # a viewer owns no case
    assert refused.value.field == "owner"
