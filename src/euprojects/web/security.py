"""Security headers on every response the portal sends: pages, API, static files and errors.

The policy allows only what the portal itself serves: its own scripts and stylesheets (no inline
script or style, no third-party origin), images from itself or ``data:`` URLs (the API docs' icons),
no plugins, no ``<base>``, forms that submit only to the portal, and no framing by other sites.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


class SecurityHeaders:
    """ASGI middleware that adds :data:`HEADERS` to the start of every HTTP response.

    It works on the raw ASGI messages rather than as a ``BaseHTTPMiddleware`` so that streamed
    exports pass through untouched, and it must wrap the whole application (see ``web.app``) so
    that the error pages of unexpected failures get the headers too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
