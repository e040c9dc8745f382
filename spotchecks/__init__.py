"""Spot-checks of closed service requests: the weekly reproducible draw, the review against
the standard, training for what failed, and conformance per person and team
(docs/architecture.md, "Service quality control")."""
