"""The administrators' area: running the DPS. One module per part of the work."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from dps.web.admin import (  # noqa: E402,F401
    admissions,
    applications,
    award_notices,
    clarifications,
    emails,
    members,
    period,
    renewals,
    routes,
)
