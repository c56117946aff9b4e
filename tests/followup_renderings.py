"""Realistic data for rendering the clarification, renewal and reminder pages and e-mails in the
render-every-template test (tests/unit/test_templates_render.py).

Everything is made the way the services make it, on the rival supplier of the access-rules
world, whose applications tests/application_renderings.py makes (one waiting for a
clarification, one decided with Lot 1 admitted): its question is answered with a document, it
is asked to renew its declaration and does (the checks run on it), and is asked again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from werkzeug.datastructures import MultiDict

from dps.extensions import db
from dps.models import Admission, ClarificationRequest, DeclarationRenewal
from dps.models.base import utcnow
from dps.models.enums import DocumentKind, RenewalStatus
from dps.services import checks, clarifications, documents, reminders, renewals
from dps.services.applications import Declaration
from dps.web.admin.clarifications import ClarificationForm
from dps.web.admin.renewals import AskEveryoneForm, CancelRenewalForm, NewRenewalForm
from dps.web.supplier.clarifications import AnswerForm
from dps.web.supplier.renewals import RenewalDeclarationForm
from tests import application_renderings as applying
from tests import sample_files
from tests.documents_world import uploaded

LINK = "http://localhost/link/abc123"


def _made(scene: Any) -> dict[str, Any]:
    """The rival's clarifications and renewals, made once per scene."""
    if "followup" not in scene.extra:
        scene.extra["followup"] = _make(scene)
    found: dict[str, Any] = scene.extra["followup"]
    return found


def _make(scene: Any) -> dict[str, Any]:
    rival, owner = scene.organisations["rival"], scene.users["rival_owner"]
    admin = scene.users["administrator"]
    waiting = applying.application(scene, "clarification")
    reviewed = applying.application(scene, "review")
    # A question asked and answered (with a new document) on the application under review.
    question = clarifications.ask(
        reviewed,
        question="Which of your case studies did the consortium member work on?",
        reply_by=(utcnow() + timedelta(days=7)).date(),
        actor=admin,
        at=utcnow(),
    )
    report = documents.upload(
        rival.id,
        DocumentKind.OTHER,
        "Workshop report",
        uploaded("report.pdf", sample_files.PDF),
        None,
        owner,
    )
    clarifications.answer(
        question,
        text="Kirklees Community Works ran the workshops.",
        document_ids=[report.id],
        actor=owner,
        at=utcnow(),
    )
    documents.upload(
        rival.id,
        DocumentKind.PUBLIC_LIABILITY,
        "Public liability 2026",
        uploaded("certificate.pdf", sample_files.PDF),
        (utcnow() + timedelta(days=20)).date(),
        owner,
    )
    # A renewal made (its checks run), and one asked for since and now overdue.
    confirmed = renewals.request_renewal(rival.id, actor=admin, at=utcnow() - timedelta(days=30))
    renewals.confirm(
        confirmed,
        Declaration("Ada Lovelace", "Director", True),
        actor=owner,
        at=utcnow() - timedelta(days=29),
    )
    overdue = renewals.request_renewal(rival.id, actor=admin, at=utcnow() - timedelta(days=14))
    cancelled = DeclarationRenewal(
        organisation_id=rival.id,
        status=RenewalStatus.CANCELLED,
        requested_at=utcnow() - timedelta(days=60),
        due_at=utcnow() - timedelta(days=53),
    )
    db.session.add(cancelled)
    admission = db.session.scalars(
        db.select(Admission).where(Admission.organisation_id == rival.id)
    ).first()
    assert admission is not None
    admission.evidence_expired_at = utcnow()
    admission.evidence_note = "Public liability insurance certificate expired on 1 November 2026"
    db.session.commit()
    return {
        "waiting": waiting,
        "reviewed": reviewed,
        "answered": db.session.get(ClarificationRequest, question.id),
        "outstanding": clarifications.outstanding(waiting),
        "confirmed": confirmed,
        "overdue": overdue,
        "cancelled": cancelled,
        "admission": admission,
    }


def _item(request: ClarificationRequest) -> clarifications.Clarification:
    return clarifications.Clarification(request, clarifications.attached_documents(request))


# --- administrators ----------------------------------------------------------------------------


def ask_page(scene: Any, *, errors: bool = False) -> dict[str, Any]:
    application = _made(scene)["reviewed"]
    if errors:
        form = ClarificationForm(
            formdata=MultiDict([("question", "")] + [("reply_by", p) for p in ("31", "2", "")])
        )
        assert not form.validate()
    else:
        form = ClarificationForm(formdata=None)
    return {"form": form, "application": application, "back_url": "/admin/applications/1"}


def request_page(scene: Any, key: str) -> dict[str, Any]:
    request = _made(scene)[key]
    return {
        "clarification": _item(request),
        "application": request.application,
        "back_url": "/admin/applications/1",
    }


def clarification_macros(module: Any, scene: Any) -> list[str]:
    made = _made(scene)
    reviewed, waiting = made["reviewed"], made["waiting"]
    return [
        str(module.clarifications_section(reviewed, clarifications.history(reviewed), True)),
        str(module.clarifications_section(waiting, clarifications.history(waiting), False)),
        str(module.clarifications_section(reviewed, [], False)),
        str(module.clock_note(reviewed)),
    ]


def renewals_list(scene: Any, *, empty: bool = False) -> dict[str, Any]:
    _made(scene)
    return {
        "renewals": [] if empty else renewals.all_renewals(),
        "suppliers": 0 if empty else len(renewals.admitted_organisations()),
        "now": utcnow(),
        "reference": renewals.reference,
        "is_overdue": renewals.is_overdue,
    }


def new_renewal(scene: Any, *, errors: bool = False, none: bool = False) -> dict[str, Any]:
    _made(scene)
    suppliers = [] if none else renewals.admitted_organisations()
    form = NewRenewalForm(formdata=MultiDict({"organisation": ""}) if errors else None)
    form.offer(suppliers)
    if errors:
        assert not form.validate()
    return {"form": form, "suppliers": suppliers}


def renew_everyone(scene: Any, *, none: bool = False) -> dict[str, Any]:
    _made(scene)
    suppliers = [] if none else renewals.admitted_organisations()
    waiting = {s.id: renewals.waiting_for(s.id) for s in suppliers}
    return {
        "form": AskEveryoneForm(formdata=None),
        "suppliers": suppliers,
        "waiting": waiting,
        "to_ask": sum(1 for found in waiting.values() if found is None),
        "due_at": renewals.due_if_asked(utcnow()),
    }


def renewal_page(scene: Any, key: str) -> dict[str, Any]:
    renewal = _made(scene)[key]
    return {
        "renewal": renewal,
        "reference": renewals.reference(renewal),
        "overdue": renewals.is_overdue(renewal, utcnow()),
        "intact": renewals.is_intact(renewal),
        "runs": renewals.check_runs(renewal),
        "admissions": renewals.admissions_of(renewal.organisation_id),
        "check_label": checks.label_of,
    }


def cancel_page(scene: Any, key: str, *, errors: bool = False) -> dict[str, Any]:
    renewal = _made(scene)[key]
    form = CancelRenewalForm(formdata=MultiDict({"reason": ""}) if errors else None)
    if errors:
        assert not form.validate()
    return {"form": form, "renewal": renewal, "reference": renewals.reference(renewal)}


def renewal_macros(module: Any, scene: Any) -> list[str]:
    made = _made(scene)
    following = renewals.latest_checks(made["admission"].organisation_id)
    assert following is not None
    return [
        str(module.renewal_tag(made[key], overdue))
        for key in ("confirmed", "overdue", "cancelled")
        for overdue in (True, False)
    ] + [
        str(module.evidence_flag(made["admission"])),
        str(module.renewal_checks(following, made["admission"].lot_id, checks.label_of)),
        str(module.renewal_checks(None, made["admission"].lot_id, checks.label_of)),
        str(module.check_results(following.results, checks.label_of)),
    ]


def supplier_summary(scene: Any, key: str) -> dict[str, Any]:
    """The rival has renewed and been asked again; the other supplier is in no lot."""
    _made(scene)
    organisation = scene.organisations[key]
    return {
        "renewal_summary": renewals.summary_for(organisation.id),
        "places": renewals.admissions_of(organisation.id),
        "now": utcnow(),
    }


# --- suppliers ---------------------------------------------------------------------------------


def answer_page(scene: Any, key: str, *, errors: bool = False) -> dict[str, Any]:
    request = _made(scene)[key]
    application = request.application
    form = AnswerForm(
        formdata=MultiDict({"answer": "", "new_title": "x" * 201}) if errors else None
    )
    form.offer(documents.current_documents(application.organisation_id))
    if errors:
        assert not form.validate()
    return {
        "form": form,
        "clarification": _item(request),
        "application": application,
        "accept": ".pdf",
    }


def clarifications_list(scene: Any, key: str) -> dict[str, Any]:
    application = _made(scene)[key]
    return {"application": application, "clarifications": clarifications.history(application)}


def supplier_renewal(scene: Any, key: str) -> dict[str, Any]:
    renewal = _made(scene)[key]
    waiting = renewal.status == RenewalStatus.REQUESTED
    return {
        "renewal": renewal,
        "reference": renewals.reference(renewal),
        "overdue": renewals.is_overdue(renewal, utcnow()),
        "lots": renewals.admitted_lots(renewal.organisation_id),
        "tasks": renewals.task_list(renewal) if waiting else None,
    }


def supplier_declaration(scene: Any, *, errors: bool = False) -> dict[str, Any]:
    renewal = _made(scene)["overdue"]
    form = RenewalDeclarationForm(
        formdata=MultiDict({"declaration_name": "Ada"}) if errors else None
    )
    if errors:
        assert not form.validate()
    return {
        "form": form,
        "renewal": renewal,
        "reference": renewals.reference(renewal),
        "review": renewals.review(renewal),
    }


# --- e-mails -----------------------------------------------------------------------------------


def email(scene: Any, key: str) -> dict[str, Any]:
    made = _made(scene)
    if key == "clarification":
        request = made["answered"]
        return {"application": request.application, "request": request, "link": LINK}
    renewal = made["confirmed"]
    return {
        "renewal": renewal,
        "organisation": renewal.organisation,
        "reference": renewals.reference(renewal),
        "link": LINK,
    }


def decision_reminder(scene: Any, *, overdue: bool, days: int = 2) -> dict[str, Any]:
    application = _made(scene)["reviewed"]
    urgency = reminders.Urgency.OVERDUE if overdue else reminders.Urgency.DUE_SOON
    return {
        "application": application,
        "due": reminders.DecisionDue(application, urgency, -1 if overdue else days),
        "overdue": overdue,
        "link": LINK,
    }


def renewal_reminder(scene: Any, *, overdue: bool) -> dict[str, Any]:
    return {"renewal": _made(scene)["overdue"], "overdue": overdue, "link": LINK}


def evidence_reminder(scene: Any, *, expired: bool) -> dict[str, Any]:
    held = documents.current_documents(scene.organisations["rival"].id)
    certificate = next(d for d in held if d.kind.is_insurance)
    return {"document": certificate, "expired": expired, "link": LINK}
