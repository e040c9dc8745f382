"""Charge-back: costs are checked before anything is written, and the monthly statement sums
each case and kind, with totals per currency that never mix currencies."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import T0
from tests.helpers import capa, capa_json, snapshot

NOW = T0.isoformat()  # 2 March 2026


def cli(db_url: str, *args: str) -> Any:
    return capa_json(*args, "--db", db_url, "--now", NOW)


def world(db_url: str) -> tuple[int, int, int]:
    """Two cases of ACME, one of another supplier; ids."""
    cli(db_url, "supplier", "add", "ACME", "--name", "Acme Castings")
    cli(db_url, "supplier", "add", "BOLT", "--name", "Bolt Works")
    ids = [
        cli(db_url, "case", "open", "--supplier", code, "--title", title)["case"]["id"]
        for code, title in (("ACME", "Porosity"), ("ACME", "Burrs | edges"), ("BOLT", "Rust"))
    ]
    return ids[0], ids[1], ids[2]


def cost(db_url: str, case: int, kind: str, amount: str, currency: str, at: str) -> Any:
    return cli(db_url, "cost", "add", str(case), "--kind", kind, "--amount", amount,
               "--currency", currency, "--at", at)


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--amount", "0", "amount"),
        ("--amount", "-5", "amount"),
        ("--amount", "12.345", "amount"),
        ("--amount", "ten", "amount"),
        ("--amount", "1E+100", "amount"),
        ("--amount", "١٢", "amount"),
        ("--amount", "9" * 40, "amount"),
        ("--kind", "coffee", "kind"),
        ("--currency", "EURO", "currency"),
        ("--currency", "E1R", "currency"),
        ("--at", (T0 + timedelta(days=1)).isoformat(), "at"),
    ],
)
def test_a_bad_cost_is_refused_naming_its_field_and_nothing_is_written(
    db_url: str, option: str, value: str, field: str,
) -> None:
    porosity, _, _ = world(db_url)
    given = {"--kind": "rework", "--amount": "120.50", "--currency": "EUR"} | {option: value}
    before = snapshot(db_url)
    result = capa("cost", "add", str(porosity), *[x for kv in given.items() for x in kv],
                  "--json", "--db", db_url, "--now", NOW)
    assert result.exit_code == 2, result.stdout
    assert f'"field": "{field}"' in result.stdout
    assert snapshot(db_url) == before


def test_a_cost_on_a_missing_case_is_not_found_and_on_a_case_without_supplier_refused(
    db_url: str,
) -> None:
    world(db_url)
    own = cli(db_url, "case", "open", "--title", "Our own mistake")["case"]["id"]
    before = snapshot(db_url)
    missing = capa("cost", "add", "999", "--kind", "scrap", "--amount", "1", "--currency",
                   "EUR", "--db", db_url, "--now", NOW)
    assert missing.exit_code == 3
    unowned = capa("cost", "add", str(own), "--kind", "scrap", "--amount", "1", "--currency",
                   "EUR", "--db", db_url, "--now", NOW)
    assert unowned.exit_code == 2
    assert "supplier" in unowned.stderr
    assert snapshot(db_url) == before


def test_a_cost_is_kept_exact_to_the_cent(db_url: str) -> None:
    porosity, _, _ = world(db_url)
    added = cost(db_url, porosity, "line_stop", "1200.1", "eur", NOW)
    assert (added["amount"], added["currency"], added["kind"]) == ("1200.10", "EUR", "line_stop")
    [listed] = cli(db_url, "cost", "list", str(porosity))
    assert listed["amount"] == "1200.10"


def fill_march(db_url: str) -> tuple[int, int]:
    porosity, burrs, rust = world(db_url)
    march = T0.replace(day=1, hour=0)
    cost(db_url, porosity, "sorting", "100.10", "EUR", march.isoformat())
    cost(db_url, porosity, "sorting", "0.20", "EUR", (march + timedelta(hours=5)).isoformat())
    cost(db_url, porosity, "line_stop", "2500.00", "EUR", NOW)
    cost(db_url, porosity, "rework", "300.00", "USD", NOW)
    cost(db_url, burrs, "scrap", "49.99", "EUR", NOW)
    # Not on the statement: February, and another supplier.
    cost(db_url, porosity, "rework", "999.00", "EUR", (march - timedelta(seconds=1)).isoformat())
    cost(db_url, rust, "rework", "777.00", "EUR", NOW)
    return porosity, burrs


def test_statement_sums_each_case_and_kind_with_totals_per_currency(db_url: str) -> None:
    porosity, burrs = fill_march(db_url)
    statement = cli(db_url, "chargeback", "--supplier", "ACME", "--month", "2026-03")
    assert [(ln["case"], ln["kind"], ln["costs"], ln["amount"], ln["currency"])
            for ln in statement["lines"]] == [
        (porosity, "line_stop", 1, "2500.00", "EUR"),
        (porosity, "rework", 1, "300.00", "USD"),
        (porosity, "sorting", 2, "100.30", "EUR"),
        (burrs, "scrap", 1, "49.99", "EUR"),
    ]
    assert statement["totals"] == {"EUR": "2650.29", "USD": "300.00"}


def test_statement_as_csv_has_a_row_per_case_and_kind_and_a_total_per_currency(
    db_url: str,
) -> None:
    porosity, _ = fill_march(db_url)
    result = capa("chargeback", "--supplier", "ACME", "--month", "2026-03", "--format", "csv",
                  "--db", db_url, "--now", NOW)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 6
    assert rows[0] == {"supplier": "ACME", "month": "2026-03", "case": str(porosity),
                       "title": "Porosity", "kind": "line_stop", "costs": "1",
                       "amount": "2500.00", "currency": "EUR"}
    totals = {r["currency"]: r["amount"] for r in rows if r["kind"] == "total"}
    assert totals == {"EUR": "2650.29", "USD": "300.00"}


def test_statement_as_markdown_is_the_default_with_totals_per_currency(db_url: str) -> None:
    fill_march(db_url)
    result = capa("chargeback", "--supplier", "ACME", "--month", "2026-03",
                  "--db", db_url, "--now", NOW)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith("# Charge-back statement: ACME (Acme Castings), 2026-03")
    assert "| Burrs \\| edges |" in text  # a pipe in a title does not split the row
    assert "- **2650.29 EUR**" in text
    assert "- **300.00 USD**" in text
    assert "777.00" not in text and "999.00" not in text


def test_an_empty_month_gives_an_empty_statement_with_zero_totals(db_url: str) -> None:
    world(db_url)
    statement = cli(db_url, "chargeback", "--supplier", "ACME", "--month", "2026-01")
    assert statement["lines"] == [] and statement["totals"] == {}
    text = capa("chargeback", "--supplier", "ACME", "--month", "2026-01", "--db", db_url,
                "--now", NOW).stdout
    assert "No costs were incurred in this month." in text and "- **0.00**" in text
    rows = list(csv.reader(io.StringIO(capa(
        "chargeback", "--supplier", "ACME", "--month", "2026-01", "--format", "csv",
        "--db", db_url, "--now", NOW).stdout)))
    assert rows[1] == ["ACME", "2026-01", "", "", "total", "", "0.00", ""]


def test_a_statement_for_a_future_month_is_refused_and_an_unknown_supplier_not_found(
    db_url: str,
) -> None:
    world(db_url)
    future = capa("chargeback", "--supplier", "ACME", "--month", "2026-04", "--db", db_url,
                  "--now", NOW)
    assert future.exit_code == 2
    assert "month" in future.stderr
    unknown = capa("chargeback", "--supplier", "NOPE", "--month", "2026-03", "--db", db_url,
                   "--now", NOW)
    assert unknown.exit_code == 3


@pytest.mark.parametrize("title", ["=HYPERLINK(\"http://evil.example\",\"pay\")",
                                   "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+2"])
def test_a_title_that_looks_like_a_formula_is_exported_as_text(db_url: str, title: str) -> None:
    cli(db_url, "supplier", "add", "ACME", "--name", "Acme Castings")
    case = cli(db_url, "case", "open", "--supplier", "ACME", "--title", title)["case"]["id"]
    cost(db_url, case, "scrap", "10.00", "EUR", NOW)
    result = capa("chargeback", "--supplier", "ACME", "--month", "2026-03", "--format", "csv",
                  "--db", db_url, "--now", NOW)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert rows[0]["title"] == "'" + title.strip()  # titles are kept trimmed
    assert rows[0]["amount"] == "10.00" and rows[-1]["amount"] == "10.00"
