"""The web app: server-rendered pages for the quality team and the supplier portal, added
beside the REST API to one FastAPI application by `capa web` (`add_pages`)."""

from capaflow.web.app import add_pages

__all__ = ["add_pages"]
