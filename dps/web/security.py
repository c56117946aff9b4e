"""Per-request security: a CSP nonce, a request id, and the response headers."""

from __future__ import annotations

import re
import secrets
import uuid

from flask import Flask, Response, current_app, g, has_request_context, request

# A request id handed in by a proxy is kept only if it is plainly an id: it is echoed in a
# header and written to logs and the audit trail.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This request's nonce, made on first use: a page rendered by an earlier hook (the CSRF
    error page, from Flask-WTF's own before_request) needs it before _start_request runs."""
    if not getattr(g, "csp_nonce", None):
        g.csp_nonce = secrets.token_urlsafe(18)
    return str(g.csp_nonce)


def request_id() -> str:
    """This request's id: the proxy's if it sent a sane one, else a new one. Made on first use
    for the same reason as the nonce."""
    if not getattr(g, "request_id", None):
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    return str(g.request_id)


def _start_request() -> None:
    csp_nonce()
    request_id()


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
    if current_app.config["SESSION_COOKIE_SECURE"]:
        # Served over HTTPS (the cookies say so): tell browsers never to try plain HTTP.
        response.headers["Strict-Transport-Security"] = HSTS
    response.headers["X-Request-ID"] = request_id()
    return response


def _template_values() -> dict[str, str]:
    if not has_request_context():
        return {}  # an email rendered by a worker: no page, no request
    return {"cspNonce": csp_nonce(), "request_id": request_id()}


def init_security(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_set_headers)
    app.context_processor(_template_values)
