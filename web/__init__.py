"""The web app: server-rendered pages for the quality team and the supplier portal, served
beside the REST API by one FastAPI application (`create_site`)."""

from capaflow.web.app import create_site

__all__ = ["create_site"]
