"""Delivery documents (issue 13, point 7): each delivery comes with the lot's outgoing
inspection report and the material certificates, in production-lot order. Recorded on the lot
through `capa inspect record`, the import and POST /inspections; a lot without them or out of
order is flagged and its supplier told; the verdict is left to sampling."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from capaflow.inspection import COLUMNS
from capaflow.inspection.values import production_lot_key
from capaflow.models import Notification
from capaflow.models.db import get_engine
from tests.cli.support import H, add_supplier, iso, ok, refused
from tests.conftest import T0
from tests.helpers import capa, snapshot

HEADER = ",".join(COLUMNS)


def _acme(db_url: str) -> None:
    add_supplier(db_url, "ACME", "--contact", "json://127.0.0.1:9/acme")


def _record(db_url: str, lot: str, *extra: str, defects: str = "0",
            now: datetime = T0) -> dict[str, Any]:
    document: dict[str, Any] = ok(
        db_url, "inspect", "record", "--supplier", "ACME", "--part", "HSG-100", "--lot", lot,
        "--lot-size", "500", "--sampled", "50", "--defects", defects, *extra, now=now,
    )
    return document


def _delivery_notices(db_url: str, now: datetime) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = ok(db_url, "notify", "list", now=now)
    return [n for n in listed if n["kind"] == "delivery_documents"]


def _body(db_url: str, notice_id: int) -> str:
    with Session(get_engine(db_url)) as session:
        notice = session.get(Notification, notice_id)
        assert notice is not None
        return notice.body


def test_a_lot_delivered_without_its_certificates_is_flagged_and_its_supplier_told(
    db_url: str,
) -> None:
    _acme(db_url)
    document = _record(db_url, "L1", "--outgoing-report", "yes", "--certificates", "no",
                       "--production-lot", "P-7")
    assert document["lot"]["delivery"] == {
        "outgoing_report": True, "certificates": False, "production_lot": "P-7",
        "missing": ["certificates"], "out_of_order": False, "flagged": True,
    }
    # The flag does not change the verdict: sampling decides that.
    assert document["result"] == "accepted" and document["notice_id"] is None
    notices = _delivery_notices(db_url, T0)
    assert [n["id"] for n in notices] == [document["delivery_notice_id"]]
    assert notices[0]["audience"] == ["supplier_contact"] and notices[0]["recipients"]
    assert "material certificates" in _body(db_url, notices[0]["id"])

    shown = capa("inspect", "record", "--supplier", "ACME", "--part", "HSG-100", "--lot", "L2",
                 "--lot-size", "500", "--sampled", "50", "--defects", "0",
                 "--outgoing-report", "no", "--db", db_url, "--now", iso(T0 + H))
    assert shown.exit_code == 0
    assert "FLAGGED: delivered without its outgoing inspection report" in shown.stdout
    # One notice per flagged lot.
    assert len(_delivery_notices(db_url, T0 + H)) == 2


def test_a_lot_not_recorded_with_documents_is_never_counted_against_the_supplier(
    db_url: str,
) -> None:
    _acme(db_url)
    plain = _record(db_url, "L1")
    assert plain["lot"]["delivery"] == {
        "outgoing_report": None, "certificates": None, "production_lot": None, "missing": [],
        "out_of_order": None, "flagged": False,
    }
    # One document recorded, the other not: the one not recorded is not missing.
    half = _record(db_url, "L2", "--certificates", "yes", now=T0 + H)
    assert half["lot"]["delivery"]["missing"] == [] and half["delivery_notice_id"] is None
    assert _delivery_notices(db_url, T0 + H) == []


def test_a_lot_delivered_out_of_production_lot_order_is_flagged(db_url: str) -> None:
    _acme(db_url)
    # Natural order: digits as numbers, so P-10 comes after P-9.
    _record(db_url, "L1", "--production-lot", "P-9", now=T0)
    in_order = _record(db_url, "L2", "--production-lot", "P-10", now=T0 + H)
    assert in_order["lot"]["delivery"]["out_of_order"] is False
    assert in_order["delivery_notice_id"] is None
    # The same production lot again (a split delivery) is not out of order.
    again = _record(db_url, "L3", "--production-lot", "p-010", now=T0 + 2 * H)
    assert again["lot"]["delivery"]["out_of_order"] is False

    late = _record(db_url, "L4", "--production-lot", "P-8", "--certificates", "yes",
                   "--outgoing-report", "yes", now=T0 + 3 * H)
    assert late["lot"]["delivery"]["out_of_order"] is True
    assert late["lot"]["delivery"]["flagged"] is True
    assert late["delivered_after"] == "P-10" and late["result"] == "accepted"
    [notice] = _delivery_notices(db_url, T0 + 3 * H)
    assert notice["id"] == late["delivery_notice_id"]
    assert "P-8 was delivered after production lot P-10" in _body(db_url, notice["id"])


def test_production_lots_compare_in_natural_order() -> None:
    assert production_lot_key("P-9") < production_lot_key("P-10")
    assert production_lot_key("P-009") == production_lot_key("p-9")
    assert production_lot_key("2026-02-B") > production_lot_key("2026-02-A")
    assert production_lot_key("LOT9") < production_lot_key("LOT10A")


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (("--certificates", "maybe"), "certificates"),
        (("--outgoing-report", "present"), "outgoing_report"),
        (("--production-lot", "P" * 101), "production_lot"),
        (("--production-lot", "P-1\x00"), "production_lot"),
    ],
)
def test_a_bad_document_value_exits_2_naming_the_field_and_writes_nothing(
    db_url: str, extra: tuple[str, ...], field: str
) -> None:
    _acme(db_url)
    refused(db_url, "inspect", "record", "--supplier", "ACME", "--part", "HSG-100", "--lot",
            "L1", "--lot-size", "500", "--sampled", "50", "--defects", "0", *extra,
            exit_code=2, field=field)


def test_the_import_reads_the_documents_and_refuses_a_bad_value_by_line_and_field(
    db_url: str, tmp_path: Path
) -> None:
    _acme(db_url)
    at = iso(T0 - 5 * H)
    path = tmp_path / "lots.csv"
    rows = [
        f"ACME,HSG-100,L1,500,50,0,,,,{at},yes,yes,P-10",     # 2 complete, in order
        f"ACME,HSG-100,L2,500,50,0,,,,{at},no,yes,P-11",      # 3 without its report
        f"ACME,HSG-100,L3,500,50,0,,,,{at},yes,maybe,P-12",   # 4 bad certificates
        f"ACME,HSG-100,L4,500,50,0,,,,{at},,,",               # 5 not recorded
        f"ACME,HSG-100,L5,500,50,0,,,,{at},yes,yes,P-9",      # 6 out of order
        f"ACME,HSG-100,L6,500,50,0,,,,{at},sure,yes,{'X' * 101}",  # 7 two bad values
    ]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    result = capa("inspect", "import", str(path), "--json", "--db", db_url, "--now", iso(T0))
    report = json.loads(result.stdout)
    assert result.exit_code == 2
    assert [(r["line"], r["field"]) for r in report["rejected"]] == [
        (4, "certificates"), (7, "outgoing_report"), (7, "production_lot"),
    ]
    delivery = {r["line"]: r["lot"]["delivery"] for r in report["imported"]}
    assert sorted(delivery) == [2, 3, 5, 6]
    assert (delivery[2]["flagged"], delivery[3]["missing"]) == (False, ["outgoing_report"])
    assert delivery[5]["outgoing_report"] is None and delivery[5]["flagged"] is False
    assert delivery[6]["out_of_order"] is True
    assert len(_delivery_notices(db_url, T0)) == 2
    # Importing again adds nothing: not a lot, not a notice.
    before = snapshot(db_url)
    capa("inspect", "import", str(path), "--json", "--db", db_url, "--now", iso(T0 + H))
    assert snapshot(db_url) == before


def test_an_old_import_file_without_the_document_columns_still_imports(
    db_url: str, tmp_path: Path
) -> None:
    _acme(db_url)
    path = tmp_path / "lots.csv"
    old_header = ",".join(COLUMNS[:10])
    path.write_text(f"{old_header}\nACME,HSG-100,L1,500,50,0,,,,{iso(T0 - H)}\n",
                    encoding="utf-8")
    result = capa("inspect", "import", str(path), "--json", "--db", db_url, "--now", iso(T0))
    assert result.exit_code == 0
    [imported] = json.loads(result.stdout)["imported"]
    assert imported["lot"]["delivery"]["flagged"] is False
