"""Emergency incidents: contingency plans, declaration, the response steps' clocks, closing,
the post-incident review, drills and the monthly figures (docs/architecture.md, "Service
quality control")."""
