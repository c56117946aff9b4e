"""The member councils' area: buyers run call-offs; viewers read about the DPS."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from dps.web.access import Area, allow

bp = Blueprint("buyer", __name__)


@bp.get("/")
@allow(Area.MEMBER)
def home() -> str:
    return render_template("buyer/home.html", organisation=current_user.membership.organisation)
