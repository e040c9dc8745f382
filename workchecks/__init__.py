"""Three-level checks of work items: self, mutual (the next team), specialist, in that order
(docs/architecture.md, "Service quality control")."""
