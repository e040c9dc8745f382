"""The composition root: settings → clock → policies → engine, resolved once for every
interface (the CLI, the API, the web pages, the flows). See docs/architecture.md."""

from capaflow.runtime.root import Runtime

__all__ = ["Runtime"]
