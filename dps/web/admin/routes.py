"""The administrators' home page."""

from __future__ import annotations

from flask import render_template

from dps.web.access import Area, allow
from dps.web.admin import bp


@bp.get("/")
@allow(Area.ADMIN)
def home() -> str:
    return render_template("admin/home.html")
