"""The supplier's home page (dashboard)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from dps.models.base import utcnow
from dps.services.applications.dashboard import dashboard_for
from dps.web.access import Area, allow
from dps.web.supplier import bp


@bp.get("/")
@allow(Area.SUPPLIER)
def home() -> str:
    organisation = current_user.membership.organisation
    return render_template(
        "supplier/home.html",
        organisation=organisation,
        dashboard=dashboard_for(organisation.id, at=utcnow()),
    )
