"""The administrators' area: running the DPS. One module per part of the work."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from dps.web.admin import emails, members, period, routes  # noqa: E402,F401
