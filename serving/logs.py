"""What the site writes to its logs: uvicorn's access and error lines, with the bearer tokens
of links taken out of every query string.

A supplier's portal link (`/portal/enter?t=…`, 14 days), a customer's link
(`/customer/enter?t=…`) and a survey link (`/survey?t=…`) carry their credential in the query
string, and uvicorn's access log writes each request's path with its query. Whoever reads the
log (an operator, a log shipper, a backup of it) could open the portal as that supplier. So
the handlers of every uvicorn logger run this filter, which replaces the value of every
token parameter with "[redacted]" before a line is formatted; the rest of the line (address,
method, path, status) stays as it was. The links themselves are exchanged for a session and
redirected to a clean URL on their first request (web/pages/portal.py, customer_portal.py),
so the token leaves the address bar and the browser's history too.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

# Query parameters that carry a credential anywhere on the site.
TOKEN_PARAMETERS = ("t", "token", "access_token")
REDACTED = "[redacted]"
_NAMES = "|".join(TOKEN_PARAMETERS)
_TOKEN = re.compile(rf"([?&](?:{_NAMES})=)[^&#\s\"']*", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` with the value of every token parameter of a query string replaced."""
    return _TOKEN.sub(lambda found: found.group(1) + REDACTED, text)


class RedactTokens(logging.Filter):
    """Takes link tokens out of a log record's message and its arguments (uvicorn's access
    line passes the path with its query as an argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v
                           for k, v in record.args.items()}
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with RedactTokens on each of its handlers."""
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tokens"] = {"()": RedactTokens}
    for handler in config["handlers"].values():
        handler["filters"] = [*handler.get("filters", []), "redact_tokens"]
    return config
