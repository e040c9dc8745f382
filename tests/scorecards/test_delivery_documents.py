"""Missing delivery documents lower the monthly grade (issue 13, point 7): the factor
`delivery_documents` is the share of the month's lots delivered with their documents among the
lots whose documents were recorded at all; with none recorded it is left out like any factor
without data. Lots recorded through `capa inspect record`, graded by `capa scorecard run`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.cli.support import add_supplier, iso, ok
from tests.conftest import T0

FEB = "2026-02"
IN_FEB = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)


def _lot(db_url: str, code: str, lot: str, *documents: str) -> None:
    ok(db_url, "inspect", "record", "--supplier", code, "--part", "HSG-100", "--lot", lot,
       "--lot-size", "500", "--sampled", "50", "--defects", "0", "--at", iso(IN_FEB),
       *documents)


def _graded(db_url: str) -> dict[str, dict[str, Any]]:
    document = ok(db_url, "scorecard", "run", "--month", FEB, now=T0)
    return {s["supplier"]: s for s in document["suppliers"]}


def test_missing_documents_lower_the_grade(db_url: str) -> None:
    for code in ("ACME", "BETA", "CARO"):
        add_supplier(db_url, code, "--contact", "json://127.0.0.1:9/x")
    complete = ("--outgoing-report", "yes", "--certificates", "yes")
    # ACME: one of two lots came without its certificates; BETA: both complete; CARO: the
    # documents were never recorded.
    _lot(db_url, "ACME", "L1", *complete)
    _lot(db_url, "ACME", "L2", "--outgoing-report", "yes", "--certificates", "no")
    _lot(db_url, "BETA", "L1", *complete)
    _lot(db_url, "BETA", "L2", *complete)
    _lot(db_url, "CARO", "L1")
    _lot(db_url, "CARO", "L2")

    graded = _graded(db_url)
    acme, beta, caro = (graded[c]["components"]["delivery_documents"]
                        for c in ("ACME", "BETA", "CARO"))
    assert (acme["measure"], acme["points"]) == (0.5, 0.0)
    assert (acme["lots_documented"], acme["lots_missing_documents"]) == (2, 1)
    assert (beta["measure"], beta["points"]) == (1.0, 100.0)
    # Not recorded is no data: left out, never counted against the supplier.
    assert (caro["measure"], caro["points"], caro["lots_documented"]) == (None, None, 0)
    # Everything else alike: (25·100 + 20·100 + 20·100 + 10·80 + 10·100 + 10·docs) / (85 + 10)
    assert graded["BETA"]["score"] == 97.9 and graded["BETA"]["grade"] == "A"
    assert graded["ACME"]["score"] == 87.4 and graded["ACME"]["grade"] == "B"
    assert graded["CARO"]["score"] == 97.6 and graded["CARO"]["grade"] == "A"
