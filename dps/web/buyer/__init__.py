"""The member councils' area: buyers run call-offs; viewers read about the DPS. One module per
part of the work."""

from flask import Blueprint

bp = Blueprint("buyer", __name__)

from dps.web.buyer import (  # noqa: E402,F401
    calloff_award,
    calloff_changes,
    calloff_evaluation,
    calloff_letters,
    calloff_record,
    calloffs,
    pool,
    routes,
)
