"""Service standards and the quality inspections that check them (docs/architecture.md,
"Service quality control"): the catalogue of standard versions, importing one, scoring a
round ("100 − 1 = 0"), rounds, findings, the recurrence rule and the review's figures."""
