"""Finding cases: the case list's filters, search, sort and pages, the CSV a list exports,
and the views a person saves (docs/architecture.md, "The case list")."""
