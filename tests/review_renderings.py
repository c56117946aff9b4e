"""Realistic data for rendering the administrators' review and admissions pages, and the
decision and admission e-mails, in the render-every-template test
(tests/unit/test_templates_render.py).

The applications are the rival supplier's from tests/application_renderings.py (one at each
status); the one ready for review gets two runs of checks here, as the workers leave them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from werkzeug.datastructures import MultiDict

from dps.extensions import db
from dps.models import Admission, Application, CheckResult, CheckRun, User
from dps.models.base import utcnow
from dps.models.enums import (
    AdmissionStatus,
    ApplicationStatus,
    CheckOutcome,
    CheckState,
    LotOutcome,
    Recommendation,
)
from dps.services import (
    admissions,
    applications,
    decisions,
    renewals,
    review,
    supplier_letters,
    trails,
)
from dps.services.review import OfficerFilter, QueueFilters
from dps.web.admin.admissions import ChangeAdmissionForm
from dps.web.admin.applications import review_context
from dps.web.admin.review_forms import DecisionForm, ExtendClockForm, QueueFilterForm
from tests import application_renderings as applying

S = ApplicationStatus
LINK = "http://localhost/supplier/applications/1"


def _admin(scene: Any) -> User:
    admin: User = scene.users["administrator"]
    return admin


def _application(scene: Any, key: str) -> Application:
    application = applying.application(scene, key)
    if key == "review" and "review_runs" not in scene.extra:
        application.clock_extension_reason = "We are checking a certificate with the insurer."
        scene.extra["review_runs"] = _runs(application, _admin(scene))
    return application


def _runs(application: Application, admin: User) -> list[CheckRun]:
    now = utcnow()
    lots = sorted(application.lots, key=lambda al: al.lot.number)

    def result(check: str, outcome: CheckOutcome | None, **fields: Any) -> CheckResult:
        return CheckResult(
            check=check,
            scope=f"lot-{fields['lot_id']}" if fields.get("lot_id") else "all",
            state=CheckState.DONE if outcome else CheckState.RUNNING,
            outcome=outcome,
            attempts=fields.pop("attempts", 1),
            started_at=now - timedelta(minutes=5),
            finished_at=now - timedelta(minutes=4) if outcome else None,
            **fields,
        )

    first = CheckRun(
        application_id=application.id,
        number=1,
        reason="submission",
        created_at=now - timedelta(hours=2),
        completed_at=now - timedelta(hours=1),
        recommendation={str(lots[0].lot_id): "admit", str(lots[1].lot_id): "refer"},
        results=[
            result(
                "mandatory_exclusions",
                CheckOutcome.PASS,
                reason="No mandatory grounds for exclusion declared.",
                evidence={"answers": {"mx_fraud": "no", "mx_bribery": "no"}},
            ),
            result(
                "companies_house",
                CheckOutcome.REFER,
                reason="No Companies House API key is configured: check the register by hand.",
                evidence={"number": "12456789", "names": ["Capacity Works CIC"]},
                attempts=3,
            ),
        ]
        + [
            result(
                "financial_standing",
                CheckOutcome.FAIL if al.lot.number == 2 else CheckOutcome.PASS,
                lot_id=al.lot_id,
                reason=f"Turnover against the Lot {al.lot.number} threshold.",
                evidence={"turnover_pence": 125_000_000},
            )
            for al in lots
        ],
    )
    second = CheckRun(
        application_id=application.id,
        number=2,
        reason="rerun",
        requested_by_id=admin.id,
        created_at=now - timedelta(minutes=5),
        results=[result("companies_house", None, reason=None)],
    )
    db.session.add_all([first, second])
    db.session.commit()
    return [first, second]


# --- the queue --------------------------------------------------------------------------------


def queue(scene: Any, *, empty: bool = False) -> dict[str, Any]:
    applying.application(scene, "sent")
    form = QueueFilterForm(formdata=MultiDict({"status": "withdrawn"} if empty else {}))
    form.offer(review.queue_lots(), review.administrators())
    filters = (
        QueueFilters(status=S.WITHDRAWN, officer=OfficerFilter.ME) if empty else QueueFilters()
    )
    page = review.work_queue(
        filters,
        viewer_id=_admin(scene).id,
        # Later than every decision is due, so some rows are overdue.
        at=utcnow() + timedelta(days=21 if not empty else 0),
        page=1,
        per_page=2,
    )
    return {"filters_form": form, "queue": page}


# --- one application --------------------------------------------------------------------------


def review_page(scene: Any, key: str) -> dict[str, Any]:
    return review_context(_application(scene, key), actor=_admin(scene))


def _lot(scene: Any) -> Any:
    application = _application(scene, "review")
    return application, sorted(application.lots, key=lambda al: al.lot.number)[1]


def decide(scene: Any, *, errors: bool = False) -> dict[str, Any]:
    application, al = _lot(scene)
    form = DecisionForm(
        formdata=MultiDict({"outcome": "rejected", "reasons": "Too small."}) if errors else None
    )
    if errors:
        form.validate()
        form.codes.errors = ["Select at least one reason for rejecting"]
    return {
        "form": form,
        "application": application,
        "al": al,
        "recommendation": review.recommendations(application).get(al.lot_id),
    }


def preview(scene: Any, outcome: str) -> dict[str, Any]:
    application, al = _lot(scene)
    rejecting = outcome == "rejected"
    form = DecisionForm(
        formdata=MultiDict(
            [
                ("outcome", outcome),
                ("reasons", "Your turnover is below the threshold.\n\nSee the lot's terms."),
                ("codes", "financial_standing"),
                ("codes", "incomplete"),
            ]
            if rejecting
            else [("outcome", outcome)]
        )
    )
    assert form.validate()
    decision = form.decision()
    return {
        "application": application,
        "al": al,
        "letter": decisions.letter(application, al.lot_id, decision),
        "decision": decision,
        "kept": form.kept(),
        "confirm_form": form,
    }


def extend(scene: Any, *, errors: bool = False) -> dict[str, Any]:
    application = _application(scene, "sent")
    form = ExtendClockForm(formdata=MultiDict({"justification": ""}) if errors else None)
    if errors:
        form.validate()
        form.justification.errors = ["Explain why more time is justified"]
    return {
        "form": form,
        "application": application,
        "extended_due": decisions.extended_due_at(application),
    }


def application_macros(module: Any, scene: Any) -> list[str]:
    runs = _runs_of(scene)
    rendered = [str(module.status_tag(status)) for status in ApplicationStatus]
    rendered += [str(module.outcome_tag(outcome)) for outcome in LotOutcome]
    rendered += [str(module.recommendation_tag(r)) for r in [*Recommendation, None]]
    rendered += [str(module.check_tag(r)) for run in runs for r in run.results]
    rendered += [
        str(module.check_tag(CheckResult(check="x", state=state, outcome=None)))
        for state in CheckState
    ]
    rendered += [
        str(module.days_left_text(days, overdue))
        for days, overdue in (
            (None, False),
            (3, False),
            (1, False),
            (0, False),
            (0, True),
            (-2, True),
        )
    ]
    rendered += [str(module.evidence_list(r.evidence)) for r in runs[0].results]
    rendered += [
        str(module.trail_table(trails.application_trail(_application(scene, "decided")), "T")),
        str(module.trail_table([], "Empty")),
    ]
    return rendered


def _runs_of(scene: Any) -> list[CheckRun]:
    _application(scene, "review")
    runs: list[CheckRun] = scene.extra["review_runs"]
    return runs


# --- admissions -------------------------------------------------------------------------------


def _admission(scene: Any) -> Admission:
    """The rival's place in Lot 1, suspended once and reinstated, its evidence expired since."""
    decided = applying.application(scene, "decided")
    found: Admission = db.session.scalars(
        db.select(Admission).where(Admission.application_id == decided.id)
    ).one()
    if found.status_reason is None:
        found.status_reason = "Public liability certificate lapsed; renewed since."
        found.evidence_expired_at = utcnow()
        found.evidence_note = "Public liability certificate expired."
        db.session.commit()
    return found


def pools(scene: Any) -> dict[str, Any]:
    _admission(scene)
    return {"pools": admissions.pools()}


def pool(scene: Any, *, empty: bool = False) -> dict[str, Any]:
    admission = _admission(scene)
    lot = scene.dps.lots[1] if empty else admission.lot
    return {"lot": lot, "pool": admissions.pool(lot.id)}


def supplier(scene: Any, key: str) -> dict[str, Any]:
    organisation = scene.organisations[key]
    if key == "rival":
        _admission(scene)
    return {
        "organisation": organisation,
        "places": admissions.admissions_of(organisation.id),
        "applications": applications.applications_for(organisation.id),
        "trail": trails.supplier_trail(organisation.id),
        "changes_allowed": admissions.changes_allowed,
        "renewal_summary": renewals.summary_for(organisation.id),
        "now": utcnow(),
    }


def change(scene: Any, action: str, *, errors: bool = False) -> dict[str, Any]:
    admission = _admission(scene)
    form = ChangeAdmissionForm(formdata=MultiDict({"reason": ""}) if errors else None)
    if errors:
        form.validate()
        form.reason.errors = ["Enter the reason the supplier is being suspended"]
    return {
        "form": form,
        "admission": admission,
        "action": action,
        "move": admissions.CHANGES[action],
    }


def admission_macros(module: Any, scene: Any) -> list[str]:
    return [str(module.admission_tag(status)) for status in AdmissionStatus]


# --- e-mails ----------------------------------------------------------------------------------


def decision_email(scene: Any, outcome: str, *, last: bool) -> dict[str, Any]:
    application, al = _lot(scene)
    others = [other.lot for other in application.lots if other.id != al.id]
    codes = ["financial_standing", "insurance"] if outcome == "rejected" else []
    return {
        "application": application,
        "lot": al.lot,
        "decision": decisions.Decision.of(outcome, "Your turnover is below the threshold.", codes),
        "still_to_decide": [] if last else others,
        "link": LINK,
        "signature": supplier_letters.SIGNATURE,
        "contact": "dps.procurement@oldham.example.org",
    }


def clock_email(scene: Any) -> dict[str, Any]:
    application = _application(scene, "review")
    return {"application": application, "link": LINK, "signature": supplier_letters.SIGNATURE}


def admission_email(scene: Any) -> dict[str, Any]:
    admission = _admission(scene)
    return {
        "admission": admission,
        "lot": admission.lot,
        "link": "http://localhost/supplier/",
        "signature": supplier_letters.SIGNATURE,
        "contact": "dps.procurement@oldham.example.org",
    }
