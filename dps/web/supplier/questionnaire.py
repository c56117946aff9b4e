"""Supplier area: the questionnaire's section pages, reached from an application's task list."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from dps.models.applications import Application
from dps.rules.enums import ApplicationStatus
from dps.rules.questionnaire.definition import Section
from dps.services.applications import drafting
from dps.services.suppliers import questionnaire
from dps.web.access import Area, allow, current_actor, organisation_id_or_404
from dps.web.supplier import bp
from dps.web.supplier.questionnaire_forms import (
    ACTION,
    changed_group,
    formdata_from,
    params_for,
    section_form,
)

SAVE_AND_CONTINUE = "continue"
SAVE_AND_COME_BACK_LATER = "later"


def _application_or_404(application_id: int) -> tuple[int, Application]:
    organisation_id = organisation_id_or_404()
    application = drafting.get_application(application_id, organisation_id)
    if application is None:
        abort(404)
    return organisation_id, application


@bp.route("/applications/<int:application_id>/sections/<section_id>", methods=["GET", "POST"])
@allow(Area.SUPPLIER)
def section(application_id: int, section_id: str) -> Any:
    organisation_id, application = _application_or_404(application_id)
    task_list = url_for(".application", application_id=application.id)
    if application.status != ApplicationStatus.DRAFT:
        flash("This application has been sent, so its answers can no longer be changed here.")
        return redirect(task_list)
    version = questionnaire.current_version()
    sections = questionnaire.sections_for(version, application.lot_numbers)
    page = next((s for s in sections if s.id == section_id), None)
    if page is None:
        abort(404)  # no such section, or one for a lot this application is not for
    return section_page(organisation_id, page, sections, back=task_list, application=application)


def section_page(
    organisation_id: int,
    page: Section,
    sections: list[Section],
    *,
    back: str,
    application: Application | None,
    returns_to: str = "your application",
) -> Any:
    """A questionnaire section's page, for an application or a renewal: saves what was sent
    (an "add another" or "remove" shows the page again), then goes ``back`` unless there are
    errors to show; on GET, the section as saved."""
    context = questionnaire.context_for(organisation_id)
    if request.method == "POST":
        form = section_form(page, request.form)
        action = request.form.get(ACTION, SAVE_AND_CONTINUE)
        raw = form.raw_input()
        changed = changed_group(page, action, raw)
        errors = questionnaire.save_section(
            organisation_id,
            page.id,
            changed if changed is not None else raw,
            current_actor(),
            context=context,
        )
        if changed is not None:
            # "Add another" or "Remove": saved, and the same page again with the items changed.
            form = section_form(page, formdata_from(page, changed))
        elif action == SAVE_AND_COME_BACK_LATER or not errors:
            flash(f"Your answers to ‘{page.title}’ have been saved", "success")
            return redirect(back)
        else:
            form.show_errors(errors)
    else:
        answer_set = questionnaire.answers_for(organisation_id)
        form = section_form(page, formdata_from(page, questionnaire.page_values(answer_set, page)))
    return render_template(
        "supplier/questionnaire_section.html",
        form=form,
        section=page,
        number=sections.index(page) + 1,
        count=len(sections),
        application=application,
        task_list=back,
        returns_to=returns_to,
        params_for=params_for,
    )
