"""An upload over the request limit on any supplier page that takes a file.

Werkzeug refuses the request before the view runs, so the view cannot say why. Each page that
takes a file registers, with ``too_large_page``, how it is drawn again with the reason on its
file field; this blueprint's one handler answers with that page (413) instead of a bare error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from dps.outside import filetypes
from dps.web.access import Area, current_role, role_may_enter
from dps.web.supplier import bp

# How much of an over-sized upload is read and thrown away so the browser, which is still
# sending it, gets the page saying why rather than a reset connection. More is not read.
DRAIN_LIMIT_BYTES = 64 * 1024 * 1024

# Draws a page again with the message on its file field, given the URL's arguments; None when
# what the URL names is not the signed-in supplier's (the plain error is shown instead).
TooLargePage = Callable[..., str | None]

_pages: dict[str, TooLargePage] = {}


def too_large_page(endpoint: str) -> Callable[[TooLargePage], TooLargePage]:
    """Register the function that draws ``endpoint``'s page for an upload over the limit.

    It is called as ``draw(message, **url_arguments)`` and must not read the request's body.
    """

    def register(draw: TooLargePage) -> TooLargePage:
        _pages[endpoint] = draw
        return draw

    return register


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> Any:
    draw = _pages.get(request.endpoint or "")
    page = None
    # Flask-WTF reads the form (and so meets the limit) before the access rule has run.
    if draw is not None and role_may_enter(current_role(), Area.SUPPLIER):
        message = filetypes.too_large_message(int(current_app.config["DOCUMENT_MAX_BYTES"]))
        page = draw(message, **(request.view_args or {}))
    if page is None:
        return render_template("errors/400.html", error=error), 413  # as the app's handler does
    _drain_request_body()
    return page, 413


def _drain_request_body() -> None:
    length = request.content_length
    if length is None or length > DRAIN_LIMIT_BYTES:
        return
    stream = request.environ["wsgi.input"]
    remaining = length
    while remaining > 0 and (chunk := stream.read(min(remaining, 64 * 1024))):
        remaining -= len(chunk)
