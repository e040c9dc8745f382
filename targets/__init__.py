"""Indicators, their targets per department and month, the monthly review, and the PDCA
cycle an indicator missing twice running opens (docs/architecture.md, "Service quality
control")."""
