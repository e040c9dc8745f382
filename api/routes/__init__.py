"""One router per resource of the REST API (docs/architecture.md, "REST API")."""
