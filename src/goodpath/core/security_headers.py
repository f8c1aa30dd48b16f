"""Security headers on every response: API JSON, pages, static files, errors.

The Content-Security-Policy lets a page run scripts and load styles, images, fonts and
connections from the app itself only — no inline script, no inline style, no eval, no plugin,
no framing, no other ``<base>``, forms posting only back here. The pages keep their scripts in
``/static`` (browser libraries vendored there from npm, never a CDN) and pass data through
``data-*`` attributes or ``<script type="application/json">`` blocks, which are data, not code.
``/docs`` (Swagger UI) is served the same way, under the same policy.

HSTS is sent only over https: over plain http (``make run`` on 127.0.0.1) it would mean nothing,
and a browser must not learn it from a response it cannot trust.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # data: for the small icons inside the vendored style sheets
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # for browsers that do not know frame-ancestors
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains"  # two years


class SecurityHeaders:
    """ASGI middleware adding ``HEADERS`` (and HSTS under https) to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                if secure:
                    headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
            await send(message)

        await self.app(scope, receive, send_with_headers)
