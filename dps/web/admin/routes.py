"""The administrators' area: running the DPS."""

from __future__ import annotations

from flask import Blueprint, render_template

from dps.web.access import Area, allow

bp = Blueprint("admin", __name__)


@bp.get("/")
@allow(Area.ADMIN)
def home() -> str:
    return render_template("admin/home.html")
