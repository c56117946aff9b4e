"""Realistic data for rendering the application pages and e-mails in the render-every-template
test (tests/unit/test_templates_render.py).

The applications belong to the rival supplier of the access-rules world (persona
``rival_owner``), so the other supplier's pages there still render an organisation that has not
started. Each application is made the way the service makes it: the rival fills in everything,
starts a draft and sends it; the later stages (checks, review, clarification, decision,
withdrawal) are copies of the sent one standing at each status, as the review issue will leave
them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from werkzeug.datastructures import MultiDict

from dps.extensions import db
from dps.models import Admission, Application, ApplicationLot, Organisation, User
from dps.models.base import utcnow
from dps.models.clarifications import ClarificationRequest
from dps.models.enums import ApplicationStatus, LotOutcome
from dps.services import (
    application_snapshot,
    application_tasks,
    application_timeline,
    applications,
    clarifications,
    dashboard,
)
from dps.services import dps as dps_service
from dps.web.supplier.application_forms import DeclarationForm, LotsForm, WithdrawForm
from tests.application_world import DECLARATION, complete_everything

S = ApplicationStatus
LINK = "http://localhost/supplier/applications/1"


def _world(scene: Any) -> dict[str, Any]:
    """The rival's applications, made once per scene."""
    if "applications" not in scene.extra:
        scene.extra["applications"] = _make(
            scene.organisations["rival"], scene.users["rival_owner"]
        )
    found: dict[str, Any] = scene.extra["applications"]
    return found


def _copy(sent: Application, status: ApplicationStatus, **changes: Any) -> Application:
    outcomes = changes.pop("outcomes", [LotOutcome.PENDING, LotOutcome.PENDING])
    fields: dict[str, Any] = {
        "organisation_id": sent.organisation_id,
        "dps_id": sent.dps_id,
        "questionnaire_version_id": sent.questionnaire_version_id,
        "snapshot": sent.snapshot,
        "snapshot_checksum": sent.snapshot_checksum,
        "declaration_name": sent.declaration_name,
        "declaration_role": sent.declaration_role,
        "declared_at": sent.declared_at,
        "submitted_at": sent.submitted_at,
        "submitted_by_id": sent.submitted_by_id,
        "decision_due_at": sent.decision_due_at,
    }
    copy = Application(
        status=status,
        lots=[
            ApplicationLot(lot=al.lot, outcome=outcome)
            for al, outcome in zip(sent.lots, outcomes, strict=True)
        ],
        **(fields | changes),
    )
    db.session.add(copy)
    db.session.flush()
    copy.reference = applications.REFERENCE_FORMAT.format(id=copy.id)
    return copy


def _make(organisation: Organisation, owner: User) -> dict[str, Any]:
    complete_everything(organisation, owner, [1, 2])
    sent = applications.start_application(organisation.id, [1, 2], actor=owner)
    applications.submit(sent, DECLARATION, actor=owner, at=utcnow())
    now = utcnow()
    made = {
        "sent": sent,
        "checking": _copy(sent, S.CHECKING),
        "review": _copy(sent, S.READY_FOR_REVIEW, clock_extended=True),
        "clarification": _copy(sent, S.CLARIFICATION_REQUESTED),
        "decided": _copy(
            sent,
            S.DECIDED,
            decided_at=now,
            outcomes=[LotOutcome.ADMITTED, LotOutcome.REJECTED],
        ),
        "withdrawn": _copy(
            sent, S.WITHDRAWN, withdrawn_at=now, withdrawal_reason="We merged with another co-op."
        ),
    }
    db.session.add(
        ClarificationRequest(
            application_id=made["clarification"].id,
            question="Which of your case studies did the consortium member work on?",
            reply_by=(now + timedelta(days=7)).date(),
        )
    )
    decided = made["decided"]
    decided.lots[0].decided_at = decided.lots[1].decided_at = now
    decided.lots[1].reasons = "The case studies did not show capacity building work."
    db.session.add(
        Admission(
            organisation_id=organisation.id,
            lot_id=decided.lots[0].lot_id,
            application_id=decided.id,
        )
    )
    # A draft for Lot 2 again after the rejection, made directly: the sent one still holds it.
    made["draft"] = _copy(
        sent,
        S.DRAFT,
        snapshot=None,
        snapshot_checksum=None,
        submitted_at=None,
        decision_due_at=None,
        declared_at=None,
    )
    db.session.commit()
    return made


def application(scene: Any, key: str) -> Application:
    found: Application = _world(scene)[key]
    return found


# --- page contexts -----------------------------------------------------------------------------


def home(scene: Any) -> dict[str, Any]:
    _world(scene)
    organisation = scene.organisations["rival"]
    return {
        "organisation": organisation,
        "dashboard": dashboard.dashboard_for(organisation.id, at=utcnow()),
    }


def empty_home(scene: Any, persona: str) -> dict[str, Any]:
    organisation = scene.users[persona].membership.organisation
    return {
        "organisation": organisation,
        "dashboard": dashboard.dashboard_for(organisation.id, at=utcnow()),
    }


def lots(scene: Any, *, draft: bool, errors: bool = False) -> dict[str, Any]:
    chosen = application(scene, "draft") if draft else None
    organisation_id = scene.organisations["rival" if draft else "supplier"].id
    availability = applications.lot_availability(organisation_id, scene.dps, excluding=chosen)
    form = LotsForm(formdata=MultiDict({}) if errors else None)
    form.offer(availability)
    if errors:
        assert not form.validate()
    return {
        "form": form,
        "items": LotsForm.items(availability),
        "application": chosen,
        "follows": application(scene, "decided") if draft else None,
        "status": dps_service.public_status(),
    }


def task_list(scene: Any) -> dict[str, Any]:
    draft = application(scene, "draft")
    return {
        "application": draft,
        "tasks": application_tasks.task_list(draft),
        "status": dps_service.public_status(at=utcnow() + timedelta(days=3650)),
    }


def check_answers(scene: Any, *, with_gaps: bool) -> dict[str, Any]:
    draft = application(scene, "draft")
    review = application_tasks.review(draft)
    if with_gaps:
        review = application_tasks.Review(
            profile=review.profile,
            sections=review.sections,
            documents=[],
            gaps=[
                application_tasks.Gap(application_tasks.Target.PROFILE, "Enter the postcode"),
                application_tasks.Gap(
                    application_tasks.Target.SECTION,
                    "Enter your latest annual turnover",
                    section_id="economic_standing",
                    field_id="annual_turnover",
                ),
                application_tasks.Gap(
                    application_tasks.Target.DOCUMENTS, "Upload your data protection policy"
                ),
            ],
        )
    return {"application": draft, "review": review, "status": dps_service.public_status()}


def declaration(scene: Any, *, errors: bool = False, refused: bool = False) -> dict[str, Any]:
    form = DeclarationForm(
        formdata=MultiDict({"declaration_name": "Ada Lovelace"}) if errors or refused else None
    )
    if errors:
        assert not form.validate()
    problems = (
        [
            applications.Problem(
                "The dynamic purchasing system is not open for applications. It opened on 1 "
                "April 2020 and closed at midnight at the end of 23 February 2029."
            ),
            applications.Problem("You are already admitted to Lot 1.", fix="lots"),
            applications.Problem("Your application is not finished.", fix="check_answers"),
        ]
        if refused
        else []
    )
    return {"application": application(scene, "draft"), "form": form, "problems": problems}


def sent(scene: Any) -> dict[str, Any]:
    return {"application": application(scene, "sent")}


def status(scene: Any, key: str) -> dict[str, Any]:
    shown = application(scene, key)
    return {
        "application": shown,
        "timeline": application_timeline.timeline(shown),
        "can_withdraw": applications.can_withdraw(shown),
        "clarifications": clarifications.history(shown),
    }


def copy(scene: Any) -> dict[str, Any]:
    shown = application(scene, "sent")
    return {"application": shown, "copy": application_snapshot.submitted_copy(shown)}


def withdraw(scene: Any, key: str) -> dict[str, Any]:
    return {"application": application(scene, key), "form": WithdrawForm()}


def macros(module: Any, scene: Any) -> list[str]:
    shown = application(scene, "sent")
    rendered = [str(module.status_tag(status)) for status in ApplicationStatus]
    rendered += [str(module.outcome_tag(outcome)) for outcome in LotOutcome]
    rendered += [str(module.lots_text(shown)), str(module.due_text(shown.decision_due_at))]
    rendered += [str(module.lots_summary(application(scene, "draft")))]
    return rendered


def email(scene: Any, key: str) -> dict[str, Any]:
    shown = application(scene, key)
    return {"application": shown, "lots": [al.lot for al in shown.lots], "link": LINK}


def check_answers_macros(module: Any, scene: Any) -> list[str]:
    """components/check_answers.html, as the application's pages call it (the renewal's pass
    the renewal's section endpoint instead)."""
    context = check_answers(scene, with_gaps=True)
    shown = context["application"]
    links = ("/supplier/profile/edit", "/supplier/documents", "supplier.section")
    args = {"application_id": shown.id}
    full = application_tasks.review(shown)
    return [
        str(module.gaps_banner(context["review"].gaps, "send your application", *links, args)),
        str(module.answers(context["review"], *links, args)),
        str(module.answers(full, *links, args)),
        str(module.declaration_form(declaration(scene, errors=True)["form"], "/supplier/")),
    ]


def task_list_macros(module: Any, scene: Any) -> list[str]:
    """components/task_list.html, with every kind of task linked and with "check" left out."""
    draft = application(scene, "draft")
    groups = application_tasks.task_list(draft).groups
    links = {"profile": "/supplier/profile/edit", "documents": "/supplier/documents"}
    args = {"application_id": draft.id}
    return [
        str(module.task_groups(groups, links | {"check": "/check"}, "supplier.section", args)),
        str(module.task_groups(groups, links, "supplier.section", args)),
    ]


def tag_macros(module: Any, scene: Any) -> list[str]:
    """components/application_tags.html: every state, in the supplier's words."""
    words = {state.value: state.value.replace("_", " ").capitalize() for state in ApplicationStatus}
    outcomes = {outcome.value: outcome.value.capitalize() for outcome in LotOutcome}
    return [str(module.status_tag(state, words)) for state in ApplicationStatus] + [
        str(module.outcome_tag(outcome, outcomes)) for outcome in LotOutcome
    ]
