"""Accounts: signing in and out, registration, confirmation, resets, invitations, second factor."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from dps.web.auth import invitations, passwords, registration, routes  # noqa: E402,F401
