"""The supplier's home page (dashboard)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from dps.web.access import Area, allow
from dps.web.supplier import bp


@bp.get("/")
@allow(Area.SUPPLIER)
def home() -> str:
    return render_template("supplier/home.html", organisation=current_user.membership.organisation)
