"""The member councils' area: buyers run call-offs; viewers read about the DPS. One module per
part of the work."""

from flask import Blueprint

bp = Blueprint("buyer", __name__)

from dps.web.buyer import calloff_changes, calloff_letters, calloffs, pool, routes  # noqa: E402,F401
