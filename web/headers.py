"""Headers every page carries: no framing (a signed decision must not be clicked through an
invisible frame), no content sniffing, no scripts at all (the pages need none), and no
referrer leaving the site (a supplier's link carries its token)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_HEADERS = (
    (b"content-security-policy",
     b"default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
     b"img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)


class PageHeaders:
    """Plain ASGI (not BaseHTTPMiddleware): it only adds headers, at no cost to the API."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith("/api/"):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in PAGE_HEADERS if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
