"""Signing in and out, registration, e-mail confirmation, password reset, second factor."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import logout_user
from werkzeug.wrappers import Response

from dps.web.access import Area, allow
from dps.web.auth import bp


@bp.route("/sign-in", methods=["GET", "POST"])
@allow(Area.PUBLIC)
def sign_in() -> str:
    return render_template("auth/sign_in.html")


@bp.post("/sign-out")
@allow(Area.PUBLIC)
def sign_out() -> Response:
    logout_user()
    return redirect(url_for("public.start"))


@bp.get("/session/status")
@allow(Area.PUBLIC)
def session_status() -> dict[str, object]:
    return {"signed_in": False}
