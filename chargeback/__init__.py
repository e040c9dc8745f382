"""Charge-back (docs/architecture.md, "Quality rules"): what a supplier-caused case cost, and the
monthly statement."""

from capaflow.chargeback.costs import KINDS, add_cost, case_costs
from capaflow.chargeback.statement import (
    Statement,
    StatementLine,
    build_statement,
    to_csv,
    to_markdown,
)

__all__ = [
    "KINDS",
    "Statement",
    "StatementLine",
    "add_cost",
    "build_statement",
    "case_costs",
    "to_csv",
    "to_markdown",
]
