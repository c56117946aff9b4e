"""Supplier area: renewing the self-declaration when Oldham Council asks (reg. 34(22)-(23)).

The renewal's page lists the organisation's details, the questionnaire sections for the lots it
is admitted to and its documents, each linking to where it is changed, as an application's task
list does; then the supplier checks the answers and declares again. A renewal is looked up
within the signed-in supplier's organisation: another's is "not found".
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput
from werkzeug.wrappers import Response
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired

from dps.models.base import utcnow
from dps.models.renewals import DeclarationRenewal
from dps.rules.enums import RenewalStatus
from dps.services.applications import submission
from dps.services.pool import renewal_declarations, renewals
from dps.services.suppliers import questionnaire
from dps.web.access import Area, allow, current_actor, current_organisation_id
from dps.web.refusals import show_refusal
from dps.web.supplier import bp
from dps.web.supplier.application_forms import DeclarationForm
from dps.web.supplier.questionnaire import section_page


class RenewalDeclarationForm(DeclarationForm):
    confirm = BooleanField(
        "I confirm that I am authorised to make this declaration for my organisation, and "
        "that the information it has given is still true and complete",
        validators=[
            DataRequired(message="Confirm that the information you have given is true and complete")
        ],
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Renew declaration", widget=GovSubmitInput())


def _renewal_or_404(renewal_id: int) -> DeclarationRenewal:
    organisation_id = current_organisation_id()
    found = (
        renewals.get_for_supplier(renewal_id, organisation_id)
        if organisation_id is not None
        else None
    )
    if found is None:
        abort(404)
    return found


def _waiting_or_renewal_page(renewal: DeclarationRenewal) -> Response | None:
    """Pages that change a renewal send one already made (or cancelled) to its page."""
    if renewal.status != RenewalStatus.REQUESTED:
        return redirect(url_for(".renewal", renewal_id=renewal.id))
    return None


@bp.get("/renewals/<int:renewal_id>")
@allow(Area.SUPPLIER)
def renewal(renewal_id: int) -> str:
    found = _renewal_or_404(renewal_id)
    waiting = found.status == RenewalStatus.REQUESTED
    return render_template(
        "supplier/renewals_renewal.html",
        renewal=found,
        reference=renewals.reference(found),
        overdue=renewals.is_overdue(found, utcnow()),
        lots=renewals.admitted_lots(found.organisation_id),
        tasks=renewal_declarations.task_list(found) if waiting else None,
    )


@bp.route("/renewals/<int:renewal_id>/sections/<section_id>", methods=["GET", "POST"])
@allow(Area.SUPPLIER)
def renewal_section(renewal_id: int, section_id: str) -> Any:
    found = _renewal_or_404(renewal_id)
    if (made := _waiting_or_renewal_page(found)) is not None:
        return made
    back = url_for(".renewal", renewal_id=found.id)
    version = questionnaire.current_version()
    sections = questionnaire.sections_for(
        version, [lot.number for lot in renewals.admitted_lots(found.organisation_id)]
    )
    page = next((s for s in sections if s.id == section_id), None)
    if page is None:
        abort(404)  # no such section, or one for a lot the supplier is not admitted to
    return section_page(
        found.organisation_id,
        page,
        sections,
        back=back,
        application=None,
        returns_to="your renewed declaration",
    )


@bp.route("/renewals/<int:renewal_id>/declaration", methods=["GET", "POST"])
@allow(Area.SUPPLIER)
def renewal_declaration(renewal_id: int) -> Any:
    found = _renewal_or_404(renewal_id)
    if (made := _waiting_or_renewal_page(found)) is not None:
        return made
    form = RenewalDeclarationForm()
    if form.validate_on_submit():
        made_now = submission.Declaration(
            name=form.declaration_name.data or "",
            role=form.declaration_role.data or "",
            confirmed=bool(form.confirm.data),
        )
        try:
            renewal_declarations.confirm(found, made_now, actor=current_actor(), at=utcnow())
        except renewals.RenewalError as refused:
            show_refusal(form, refused, field="confirm")
        else:
            flash("You have renewed your declaration", "success")
            return redirect(url_for(".renewal", renewal_id=found.id))
    return render_template(
        "supplier/renewals_declaration.html",
        form=form,
        renewal=found,
        reference=renewals.reference(found),
        review=renewal_declarations.review(found),
    )
