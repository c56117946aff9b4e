"""The supplier's area. One module per part of the work: the dashboard, the organisation
profile and team, documents, the questionnaire sections and applications."""

from flask import Blueprint

bp = Blueprint("supplier", __name__)

from dps.web.supplier import (  # noqa: E402,F401
    applications,
    calloff_letters,
    calloffs,
    clarifications,
    documents,
    profile,
    questionnaire,
    renewals,
    routes,
    team,
    tender_documents,
    uploads,
)
