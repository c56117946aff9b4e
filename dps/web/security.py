"""Per-request security: a CSP nonce, a request id, and the response headers."""

from __future__ import annotations

import secrets
import uuid

from flask import Flask, Response, g, request


def csp_nonce() -> str:
    """This request's nonce, made on first use: a page rendered by an earlier hook (the CSRF
    error page, from Flask-WTF's own before_request) needs it before _start_request runs."""
    if not getattr(g, "csp_nonce", None):
        g.csp_nonce = secrets.token_urlsafe(18)
    return str(g.csp_nonce)


def _start_request() -> None:
    csp_nonce()
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming[:64] if incoming.isprintable() and incoming else uuid.uuid4().hex


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _set_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.endpoint != "static":
        # Pages may carry personal or commercial data: never keep them in a shared cache.
        response.headers["Cache-Control"] = "no-store"
    if getattr(g, "request_id", None):
        response.headers["X-Request-ID"] = g.request_id
    return response


def init_security(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_set_headers)
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
