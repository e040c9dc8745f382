"""The REST API under /api/v1 (docs/architecture.md, "REST API"): the CLI's use cases through the
same services."""

from capaflow.api.app import create_app

__all__ = ["create_app"]
