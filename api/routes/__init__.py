"""One router per resource of DESIGN.md §4."""
