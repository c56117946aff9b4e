"""Pages anyone may read: the start page and the service's statements."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from dps.rules.enums import Role
from dps.services.dps import period as dps_service
from dps.web.access import Area, allow, current_role

bp = Blueprint("public", __name__)


@bp.get("/")
@allow(Area.PUBLIC)
def start() -> str:
    return render_template("public/start.html", status=dps_service.public_status())


@bp.get("/home")
@allow(Area.SIGNED_IN)
def home() -> Response:
    """Send each signed-in person to the home page for their role."""
    role = current_role()
    target = (
        {
            Role.SUPPLIER_OWNER: "supplier.home",
            Role.SUPPLIER_USER: "supplier.home",
            Role.BUYER: "buyer.home",
            Role.VIEWER: "buyer.home",
            Role.ADMINISTRATOR: "admin.home",
        }.get(role)
        if role
        else None
    )
    return redirect(url_for(target or "public.start"))


@bp.get("/accessibility")
@allow(Area.PUBLIC)
def accessibility() -> str:
    return render_template("public/accessibility.html")


@bp.get("/privacy")
@allow(Area.PUBLIC)
def privacy() -> str:
    return render_template("public/privacy.html")


@bp.get("/cookies")
@allow(Area.PUBLIC)
def cookies() -> str:
    return render_template("public/cookies.html")


@bp.get("/healthz")
@allow(Area.PUBLIC)
def healthz() -> tuple[dict[str, str], int]:
    return {"status": "ok"}, 200
