"""The supplier's area: its home page now; applications and tenders build on it."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from dps.web.access import Area, allow

bp = Blueprint("supplier", __name__)


@bp.get("/")
@allow(Area.SUPPLIER)
def home() -> str:
    return render_template("supplier/home.html", organisation=current_user.membership.organisation)
