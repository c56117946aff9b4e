"""Every template renders, with realistic data, as the person who would see it.

In the spirit of notifications-admin's test: the table ``TEMPLATES`` below says how to render
each file under templates/ (pages with the real objects and forms their views pass, emails as
the services render them, macro files by calling their macros). A template missing from the
table fails the test, so a new template cannot go untried.

StrictUndefined breaks govuk-frontend-jinja's own page template, so a name a template uses but
was never given is caught here instead: it is recorded as the page renders, and the test fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, ClassVar

import pytest
from bs4 import BeautifulSoup
from flask import Flask, render_template
from flask_login import login_user
from jinja2 import Undefined, meta
from jinja2.utils import missing
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import Forbidden, InternalServerError, NotFound, TooManyRequests

from dps.config import PROJECT_ROOT
from dps.extensions import db
from dps.models import DPS, Document, Invitation, Organisation, OutboxMessage, User
from dps.models.base import utcnow
from dps.outside import filetypes
from dps.rules.enums import (
    DocumentKind,
    LegalForm,
    OrganisationSize,
    OutboxKind,
    OutboxStatus,
    Role,
)
from dps.services.accounts import invitations, signing_in, team
from dps.services.accounts import organisations as organisations_service
from dps.services.common import outbox
from dps.services.dps import period as dps_service
from dps.services.pool import listing as pool_listing
from dps.services.suppliers import documents, profiles
from dps.web.admin.forms import (
    ContractingAuthorityForm,
    InvitationForm,
    MembershipTypeForm,
    OrganisationForm,
    PeriodForm,
)
from dps.web.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmWithPasswordForm,
    EmailForm,
    RegistrationForm,
    ResetPasswordForm,
    SignInForm,
)
from dps.web.buyer import award_pages
from dps.web.forms import NUL_REFUSED, NulRefused
from dps.web.pool_pages import PoolFilterForm
from dps.web.supplier.documents_forms import DocumentForm, KindForm
from dps.web.supplier.profile import summary_context
from dps.web.supplier.profile_forms import ProfileForm
from dps.web.supplier.team_forms import ConfirmForm, InviteColleagueForm
from tests.conftest import make_app
from tests.fixtures import application_renderings as applying
from tests.fixtures import award_renderings as awarding
from tests.fixtures import calloff_renderings as calling_off
from tests.fixtures import evaluation_renderings as evaluating
from tests.fixtures import followup_renderings as followup
from tests.fixtures import letters_renderings as lettering
from tests.fixtures import questionnaire_renderings as answering
from tests.fixtures import record_renderings as recording
from tests.fixtures import review_renderings as reviewing
from tests.fixtures import sample_files
from tests.fixtures import supplier_calloff_renderings as invited
from tests.fixtures.documents_world import uploaded
from tests.unit.web.test_access_rules import build_world

TEMPLATES_DIR = PROJECT_ROOT / "templates"
SERVICE_NAME = "CCIN Dynamic Purchasing System"
LINK = "http://localhost/link/abc123"


class RecordingUndefined(Undefined):
    """Renders as Jinja's default does, but notes every name used that was never given."""

    used: ClassVar[list[str]] = []

    def _note(self) -> None:
        if self._undefined_obj is missing and self._undefined_name:
            RecordingUndefined.used.append(self._undefined_name)

    def __str__(self) -> str:
        self._note()
        return super().__str__()

    def __iter__(self) -> Iterator[Any]:
        self._note()
        return super().__iter__()

    def __len__(self) -> int:
        self._note()
        return super().__len__()


def _govuk_page_variables(app: Flask) -> set[str]:
    """Names govuk-frontend-jinja's page template reads if a page sets them (most do not)."""
    assert app.jinja_loader is not None
    source = app.jinja_loader.get_source(app.jinja_env, "govuk_frontend_jinja/template.html")[0]
    return meta.find_undeclared_variables(app.jinja_env.parse(source))


# --- the scene: real objects, made the way the service makes them --------------------------


@dataclass
class Scene:
    users: dict[str, User]
    organisations: dict[str, Organisation]
    dps: DPS
    invitation: Invitation
    administrator_invitation: Invitation
    messages: dict[OutboxStatus, OutboxMessage]
    new_administrator: User
    extra: dict[str, Any] = field(default_factory=dict)


def build_scene() -> Scene:
    world = build_world()
    users = {persona: db.session.get(User, uid) for persona, uid in world.user_ids.items()}
    organisations = {
        key: db.session.get(Organisation, oid) for key, oid in world.organisation_ids.items()
    }
    admin = users["administrator"]
    dps = dps_service.current_dps()
    assert dps is not None
    # A notice, made as an administrator makes one.
    dps_service.change_period(
        dps,
        start=date(2020, 4, 1),
        end=date(2028, 3, 31),
        reason="demonstration data: period extended so the journeys can be tried",
        actor=admin,
    )
    administrator_invitation = Invitation(
        organisation=organisations["oldham"],
        email="new.admin@oldham.example.org",
        role=Role.ADMINISTRATOR,
        invited_by=admin,
        expires_at=utcnow() + timedelta(days=7),
    )
    new_administrator = User(email="second.admin@oldham.example.org", name="Sam Admin")
    new_administrator.password_hash = "unused"
    db.session.add_all([administrator_invitation, new_administrator])
    messages = {}
    for status in OutboxStatus:
        message = OutboxMessage(
            kind=OutboxKind.EMAIL,
            payload={
                "to": "buyer@tameside.example.org",
                "subject": f"Your invitation ({status})",
                "body": "Hello,\n\nYou have been invited.\nUse the link below.\n\nCCIN DPS",
            },
            status=status,
            attempts=3 if status == OutboxStatus.FAILED else 1,
            last_error="SMTP server refused the connection" if status != "sent" else None,
            sent_at=utcnow() if status == OutboxStatus.SENT else None,
        )
        db.session.add(message)
        messages[status] = message
    db.session.commit()
    invitation = db.session.get(Invitation, world.invitation_id)
    assert invitation is not None
    return Scene(
        users=users,  # type: ignore[arg-type]
        organisations=organisations,  # type: ignore[arg-type]
        dps=dps,
        invitation=invitation,
        administrator_invitation=administrator_invitation,
        messages=messages,
        new_administrator=new_administrator,
    )


def with_errors(form_class: type, data: dict[str, Any], **kwargs: Any) -> Any:
    """A form as the view has it after a bad submission: what was typed, and the errors."""
    form = form_class(formdata=MultiDict(data), **kwargs)
    if isinstance(form, InvitationForm):
        form.offer_roles([Role.BUYER, Role.VIEWER])
    assert not form.validate()
    return form


# --- how each template is rendered ----------------------------------------------------------

Context = Callable[[Scene], dict[str, Any]]


@dataclass(frozen=True)
class Page:
    """A page, rendered in a request by ``persona`` (or a visitor) with what its view passes."""

    context: Context
    persona: str = "anonymous"
    heading: bool = True  # a whole page has one h1; layouts and includes do not


@dataclass(frozen=True)
class Email:
    """A plain-text email, rendered as the services render them: no request, no page."""

    context: Context


@dataclass(frozen=True)
class Macros:
    """A file of macros: rendered by calling each of them."""

    call: Callable[[Any, Scene], list[str]]
    persona: str = "administrator"


Rendering = Page | Email | Macros


def _admin_organisation(scene: Scene, key: str = "tameside") -> dict[str, Any]:
    organisation = scene.organisations[key]
    return {
        "organisation": organisation,
        "people": organisations_service.people_of(organisation),
        "invitations": invitations.pending_invitations(organisation),
        "runs_the_dps": organisations_service.runs_the_dps(organisation),
    }


def _membership_type(scene: Scene, form: Any = None) -> dict[str, Any]:
    organisation = scene.organisations["tameside"]
    return {
        "form": form or MembershipTypeForm(data={"membership_type": "full"}),
        "organisation": organisation,
        "buyers": organisations_service.recorded_buyers(organisation),
        "items": OrganisationForm.membership_type_items(),
    }


def _invitation_new(scene: Scene, key: str, form: Any = None) -> dict[str, Any]:
    organisation = scene.organisations[key]
    roles = organisations_service.invitable_roles(organisation)
    if form is None:
        form = InvitationForm()
        form.offer_roles(roles)
    return {
        "form": form,
        "organisation": organisation,
        "role_items": InvitationForm.role_items(roles, organisation),
    }


def _period(scene: Scene, form: Any = None) -> dict[str, Any]:
    if form is None:
        form = PeriodForm()
        form.start_date.data, form.end_date.data = scene.dps.period_start, scene.dps.period_end
    return {
        "status": dps_service.public_status(),
        "cap": dps_service.transitional_cap(),
        "form": form,
    }


def _error(error: Exception, reason: str | None = None) -> Context:
    return lambda scene: {"error": error, "reason": reason}


def _home(key: str) -> Context:
    def context(scene: Scene) -> dict[str, Any]:
        membership = scene.users[key].membership
        assert membership is not None
        may_buy = membership.effective_role == Role.BUYER
        return {
            "organisation": membership.organisation,
            "refusal": None if may_buy else organisations_service.buying_refusal(membership),
            "lots": pool_listing.lots() if may_buy else [],
            "call_offs": calling_off.home_call_offs(scene) if key != "buyer_of_affiliate" else [],
        }

    return context


def _pool(query: dict[str, Any], *, admin: bool = False) -> Context:
    """The pool page as pool_pages.pool_page draws it, for the lot with the scene's admission."""

    def context(scene: Scene) -> dict[str, Any]:
        lot = reviewing.pool(scene)["lot"]
        form = PoolFilterForm(formdata=MultiDict(query))
        filters = form.filters()
        rows = pool_listing.admitted_suppliers(lot.id, filters)
        assert rows or filters.any, "the unfiltered pool draws its table"
        base = f"/admin/lots/{lot.id}/admitted" if admin else f"/buyer/lots/{lot.id}/suppliers"
        return {
            "lot": lot,
            "rows": rows,
            "form": form,
            "filters": filters,
            "heading": pool_listing.heading(len(rows), filters),
            "page_href": base,
            "csv_href": base + ".csv",
            "back": {"href": "/buyer/", "text": "Home"},
        }

    return context


def _contracting_authority(scene: Scene, form: Any = None) -> dict[str, Any]:
    organisation = scene.organisations["group"]
    return {
        "form": form or ContractingAuthorityForm(data={"is_contracting_authority": "no"}),
        "organisation": organisation,
        "buyers": organisations_service.recorded_buyers(organisation),
    }


def _email_macros(module: Any, scene: Scene) -> list[str]:
    rendered = [str(module.email_status(message)) for message in scene.messages.values()]
    rendered += [str(module.recording_notice(True)), str(module.recording_notice(False))]
    return rendered


def _next_steps(module: Any, scene: Scene) -> list[str]:
    return [
        str(
            module.next_steps(
                [
                    {"title": "See your account", "href": "/account", "text": "Your details."},
                    {"title": "Apply to join", "text": "Coming to this service soon."},
                ]
            )
        )
    ]


def _supplier_profile(scene: Scene, *, complete: bool) -> dict[str, Any]:
    """The summary of a profile not started, or of a complete one (unsaved: rendering reads)."""
    profile = profiles.profile_for(scene.organisations["supplier"].id)
    if complete:
        profile.legal_form, profile.companies_house_number = LegalForm.CHARITY, None
        profile.charity_number, profile.trading_name = "1234567", ""
        profile.address_line_1, profile.town, profile.postcode = "1 Union St", "Oldham", "OL1 1UT"
        profile.contact_name, profile.contact_email = "Sam Patel", "sam@example.org"
        profile.contact_phone, profile.size = "0161 770 3000", OrganisationSize.SMALL
        profile.employees, profile.is_vcse, profile.is_cooperative_or_mutual = 0, True, False
        profile.regions = ["north_west", "wales"]
    return summary_context(profile)


def _supplier_profile_edit(scene: Scene, *, errors: bool) -> dict[str, Any]:
    profile = profiles.profile_for(scene.organisations["supplier"].id)
    if not errors:
        form = ProfileForm(data=ProfileForm.initial(profile))
        return {"form": form, "next_url": None, "organisation": profile.organisation}
    typed = {"legal_form": "company", "company_number": "123", "postcode": "OL1 XYZ"}
    form = ProfileForm(formdata=MultiDict(typed))
    form.show_problems({"companies_house_number": "Enter the number", "postcode": "Enter it"})
    return {
        "form": form,
        "next_url": "/supplier/applications/1",
        "organisation": profile.organisation,
    }


def _supplier_team(scene: Scene, persona: str) -> dict[str, Any]:
    organisation_id = scene.organisations["supplier"].id
    return {
        "organisation": scene.organisations["supplier"],
        "members": team.members(organisation_id),
        "invitations": team.pending_invitations(organisation_id),
        "is_owner": team.is_owner(scene.users[persona], organisation_id),
    }


def _team_email(scene: Scene) -> dict[str, Any]:
    return {
        "colleague": scene.users["supplier_user"],
        "organisation": scene.organisations["supplier"],
        "owner": scene.users["supplier_owner"],
    }


def _colleague_invitation(scene: Scene) -> dict[str, Any]:
    """A supplier's owner inviting a colleague (the world's invitation to the supplier)."""
    invitation = db.session.scalars(
        db.select(Invitation).where(Invitation.role == Role.SUPPLIER_USER)
    ).one()
    return {
        "invitation": invitation,
        "link": LINK,
        "inviter": scene.users["supplier_owner"],
        "expires_at": invitation.expires_at,
    }


def _supplier_documents(scene: Scene) -> dict[str, Document]:
    """The supplier's documents, uploaded once: a certificate expiring soon, one expired, one
    replaced (so it has a history), and a policy with no expiry."""
    if "documents" not in scene.extra:
        supplier, owner = scene.organisations["supplier"], scene.users["supplier_owner"]
        today = documents.today()

        def upload(kind: DocumentKind, expires: date | None, replaces: int | None = None) -> Any:
            return documents.upload(
                supplier.id,
                kind,
                "",
                uploaded("Certificate 2026.pdf", sample_files.PDF),
                expires,
                owner,
                replaces_id=replaces,
            )

        soon = upload(DocumentKind.PUBLIC_LIABILITY, today + timedelta(days=10))
        expired = upload(DocumentKind.EMPLOYERS_LIABILITY, today + timedelta(days=1))
        expired.expires_on = today - timedelta(days=3)
        old = upload(DocumentKind.PROFESSIONAL_INDEMNITY, today + timedelta(days=200))
        new = upload(DocumentKind.PROFESSIONAL_INDEMNITY, today + timedelta(days=400), old.id)
        policy = upload(DocumentKind.EQUALITY, None)
        db.session.commit()
        scene.extra["documents"] = {
            "soon": soon,
            "expired": expired,
            "old": old,
            "new": new,
            "policy": policy,
        }
    found: dict[str, Document] = scene.extra["documents"]
    return found


def _documents_list(scene: Scene, *, empty: bool) -> dict[str, Any]:
    if not empty:
        _supplier_documents(scene)
    held = [] if empty else documents.current_documents(scene.organisations["supplier"].id)
    kinds = {document.kind for document in held}
    return {
        "documents": held,
        "not_uploaded": [k for k in DocumentKind if k not in kinds and k != DocumentKind.OTHER],
        "next_url": None if empty else "/supplier/applications/1",
        "size_limit": "10MB",
    }


def _documents_upload(
    scene: Scene,
    *,
    errors: bool = False,
    replace: bool = False,
    kind: DocumentKind = DocumentKind.PUBLIC_LIABILITY,
) -> dict[str, Any]:
    replaced = _supplier_documents(scene)["new"] if replace else None
    kind = replaced.kind if replaced else kind
    if errors:
        typed = MultiDict(
            [("title", "x" * 201)] + [("expires_on", part) for part in ("31", "2", "2030")]
        )
        form = DocumentForm(formdata=typed)
        form.ask_expiry(kind.is_insurance)
        assert not form.validate()
        form.file.errors.append("The selected file must be a PDF, DOCX, XLSX, ODT, PNG or JPEG")
    else:
        form = DocumentForm(formdata=None)
        form.ask_expiry(kind.is_insurance)
        form.start_from(replaced, "/supplier/applications/1")
    return {
        "form": form,
        "kind": kind,
        "replaced": replaced,
        "accept": filetypes.ACCEPT_ATTRIBUTE,
        "back_url": "/supplier/documents",
        "change_kind_url": "/supplier/documents/new",
        "size_limit": "10MB",
    }


def _documents_kind(scene: Scene, *, errors: bool) -> dict[str, Any]:
    form = with_errors(KindForm, {}) if errors else KindForm(formdata=None)
    return {"form": form, "kind_items": KindForm.kind_items(), "back_url": "/supplier/documents"}


def _documents_document(scene: Scene, key: str) -> dict[str, Any]:
    document = _supplier_documents(scene)[key]
    return {"document": document, "versions": documents.versions(document), "next_url": None}


def _documents_macros(module: Any, scene: Scene) -> list[str]:
    held = list(_supplier_documents(scene).values())
    expiring = documents.expiring_within(scene.organisations["supplier"].id, 30)
    return [str(module.expiry_tag(d)) + str(module.expiry_text(d)) for d in held] + [
        str(module.expiring_documents(expiring)),
        str(module.expiring_documents(expiring, "/supplier/")),
    ]


TEMPLATES: dict[str, list[Rendering]] = {
    # layouts and includes
    "base.html": [Page(lambda s: {}, heading=False), Page(lambda s: {}, "buyer", heading=False)],
    "errors/_layout.html": [Page(_error(NotFound()), heading=False)],
    "components/timeout_warning.html": [Page(lambda s: {}, "supplier_owner", heading=False)],
    "components/next_steps.html": [Macros(_next_steps, "supplier_owner")],
    "components/check_answers.html": [Macros(applying.check_answers_macros, "rival_owner")],
    "components/task_list.html": [Macros(applying.task_list_macros, "rival_owner")],
    "components/application_tags.html": [Macros(applying.tag_macros, "rival_owner")],
    "components/text.html": [
        Macros(lambda module, scene: [str(module.lines("Unit 4\nMill Street\n<b>Oldham</b>"))])
    ],
    # public
    "public/start.html": [
        Page(lambda s: {"status": dps_service.public_status()}),
        Page(lambda s: {"status": dps_service.public_status(at=utcnow().replace(year=2019))}),
        Page(lambda s: {"status": dps_service.public_status(at=utcnow().replace(year=2030))}),
        Page(lambda s: {"status": dps_service.public_status()}, "administrator"),
    ],
    "public/accessibility.html": [Page(lambda s: {})],
    "public/privacy.html": [Page(lambda s: {})],
    "public/cookies.html": [Page(lambda s: {}), Page(lambda s: {}, "viewer")],
    # errors
    "errors/400.html": [
        Page(_error(InternalServerError())),
        Page(_error(NulRefused(), NUL_REFUSED)),
    ],
    "errors/403.html": [
        Page(_error(Forbidden())),
        Page(_error(Forbidden()), "supplier_user"),
        Page(_error(Forbidden()), "buyer_of_affiliate"),
        Page(
            _error(
                Forbidden(),
                "Opposition Group, Anytown is not a contracting authority, so its people cannot "
                "run call-offs.",
            ),
            "buyer_of_non_authority",
        ),
    ],
    "errors/404.html": [Page(_error(NotFound())), Page(_error(NotFound()), "buyer")],
    "errors/429.html": [Page(_error(TooManyRequests()))],
    "errors/500.html": [Page(_error(InternalServerError())), Page(_error(Exception()), "viewer")],
    "errors/csrf.html": [Page(_error(Exception("The CSRF token is missing.")))],
    # accounts
    "auth/sign_in.html": [
        Page(lambda s: {"form": SignInForm(), "unconfirmed": False}),
        Page(
            lambda s: {
                "form": with_errors(SignInForm, {"email": "ann@example.org"}),
                "unconfirmed": True,
            }
        ),
    ],
    "auth/sign_in_code.html": [
        Page(lambda s: {"form": CodeForm()}),
        Page(lambda s: {"form": with_errors(CodeForm, {"code": "12 34"})}),
    ],
    "auth/set_up_code.html": [
        Page(
            lambda s: {
                "form": CodeForm(),
                "set_up": signing_in.code_set_up(s.new_administrator),
                "user": s.new_administrator,
            }
        ),
    ],
    "auth/register.html": [
        Page(lambda s: {"form": RegistrationForm()}),
        Page(
            lambda s: {
                "form": with_errors(
                    RegistrationForm,
                    {"organisation_name": "Co-op Futures", "email": "not an address"},
                )
            }
        ),
    ],
    "auth/check_email.html": [
        Page(lambda s: {"email": "ann@example.org", "resent": False, "expires_hours": 24}),
        Page(lambda s: {"email": "ann@example.org", "resent": True, "expires_hours": 24}),
    ],
    "auth/resend_confirmation.html": [
        Page(lambda s: {"form": EmailForm()}),
        Page(lambda s: {"form": with_errors(EmailForm, {"email": ""})}),
    ],
    "auth/email_confirmed.html": [Page(lambda s: {})],
    "auth/link_problem.html": [
        Page(lambda s, link=link, expired=expired: {"link": link, "expired": expired})
        for link in ("confirm", "reset")
        for expired in (True, False)
    ],
    "auth/forgotten_password.html": [
        Page(lambda s: {"form": EmailForm()}),
        Page(lambda s: {"form": with_errors(EmailForm, {"email": "ann@"})}),
    ],
    "auth/reset_requested.html": [Page(lambda s: {"email": "ann@example.org", "expires_hours": 1})],
    "auth/reset_password.html": [
        Page(lambda s: {"form": ResetPasswordForm(account_email="ann@example.org")}),
        Page(
            lambda s: {
                "form": with_errors(
                    ResetPasswordForm,
                    {"password": "short", "password_confirm": "other"},
                    account_email="ann@example.org",
                )
            }
        ),
    ],
    "auth/confirm_email_password.html": [
        Page(
            lambda s, days=days: {
                "form": ConfirmWithPasswordForm(account_email="ann@example.org"),
                "closed_after_days": days,
            }
        )
        for days in (1, 7)
    ]
    + [
        Page(
            lambda s: {
                "form": with_errors(
                    ConfirmWithPasswordForm,
                    {"password": "short", "password_confirm": "other"},
                    account_email="ann@example.org",
                ),
                "closed_after_days": 7,
            }
        )
    ],
    "auth/account.html": [
        Page(lambda s, p=p: {"user": s.users[p]}, p)
        for p in ("supplier_owner", "buyer", "buyer_of_affiliate", "administrator")
    ],
    "auth/change_password.html": [
        Page(lambda s: {"form": ChangePasswordForm(account_email="a@example.org")}, "buyer"),
        Page(
            lambda s: {
                "form": with_errors(
                    ChangePasswordForm,
                    {"current_password": "", "password": "password123"},
                    account_email="a@example.org",
                )
            },
            "buyer",
        ),
    ],
    "auth/invitation.html": [
        Page(lambda s: {"form": _accept_form(), "invitation": s.invitation}),
        Page(lambda s: {"form": _accept_form(), "invitation": s.administrator_invitation}),
        Page(lambda s: {"form": _accept_form(errors=True), "invitation": s.invitation}),
    ],
    "auth/invitation_unusable.html": [
        Page(lambda s, r=reason: {"reason": r.value, "invitation": s.invitation})
        for reason in invitations.Unusable
    ]
    + [Page(lambda s: {"reason": "invalid", "invitation": None})],
    # homes
    "supplier/home.html": [
        Page(lambda s: applying.empty_home(s, "supplier_owner"), "supplier_owner"),
        Page(lambda s: applying.empty_home(s, "supplier_user"), "supplier_user"),
        Page(applying.home, "rival_owner"),
    ],
    "buyer/home.html": [
        Page(_home("buyer"), "buyer"),
        Page(_home("viewer"), "viewer"),
        Page(_home("buyer_of_affiliate"), "buyer_of_affiliate"),
        Page(_home("buyer_of_non_authority"), "buyer_of_non_authority"),
    ],
    # call-offs: the buyer's pages (Tameside's buyer; its viewer reads them)
    "buyer/calloff_list.html": [
        Page(lambda s: {"call_offs": calling_off.home_call_offs(s)}, "buyer", heading=False)
    ],
    "buyer/calloff_layout.html": [
        Page(lambda s: calling_off.new(s, errors=True), "buyer", heading=False)
    ],
    "buyer/calloff_section.html": [
        Page(lambda s: calling_off.section("details")(s), "buyer"),
    ],
    "buyer/calloff_summary.html": [Page(lambda s: calling_off.check(s), "buyer", heading=False)],
    "buyer/calloff_new.html": [
        Page(calling_off.new, "buyer"),
        Page(lambda s: calling_off.new(s, errors=True), "buyer"),
    ],
    "buyer/calloff_task_list.html": [
        Page(calling_off.task_list, "buyer"),
        Page(lambda s: calling_off.task_list(s, empty=True), "buyer"),
    ],
    "buyer/calloff_check.html": [
        Page(calling_off.check, "buyer"),
        Page(lambda s: calling_off.check(s, errors=True), "buyer"),
    ],
    "buyer/calloff_view.html": [
        Page(lambda s: calling_off.view(s, "draft"), "viewer"),
        Page(lambda s: calling_off.view(s, "published", may_cancel=True), "buyer"),
        Page(lambda s: calling_off.view(s, "published"), "viewer"),
        Page(lambda s: calling_off.view(s, "cancelled"), "buyer"),
        Page(lambda s: calling_off.view_after(s, "published"), "buyer"),
        Page(lambda s: calling_off.view_after(s, "published", buyer=False), "viewer"),
        Page(lambda s: calling_off.view_after(s, "closed"), "buyer"),
        Page(lambda s: calling_off.view_after(s, "closed", buyer=False), "viewer"),
        Page(awarding.call_off_page("contract"), "buyer"),
    ],
    "buyer/calloff_after_publishing.html": [
        Page(lambda s: calling_off.view_after(s, "published"), "buyer", heading=False),
    ],
    "buyer/calloff_answer.html": [
        Page(calling_off.answer, "buyer"),
        Page(lambda s: calling_off.answer(s, errors=True), "buyer"),
    ],
    "buyer/calloff_addendum.html": [
        Page(calling_off.addendum, "buyer"),
        Page(lambda s: calling_off.addendum(s, errors=True), "buyer"),
    ],
    "buyer/calloff_late.html": [
        Page(calling_off.late, "buyer"),
        Page(lambda s: calling_off.late(s, errors=True), "buyer"),
    ],
    "buyer/calloff_move_deadline.html": [
        Page(calling_off.move_deadline, "buyer"),
        Page(lambda s: calling_off.move_deadline(s, errors=True), "buyer"),
    ],
    "buyer/calloff_tender.html": [
        Page(calling_off.tender, "buyer"),
        Page(lambda s: calling_off.tender(s, schedule=False), "buyer"),
    ],
    "buyer/calloff_published.html": [Page(calling_off.published, "buyer")],
    # the call-off's record: its report, the report's download, its audit trail
    "buyer/calloff_report.html": [
        Page(recording.report, "buyer"),
        Page(lambda s: recording.report(s, decided=False), "viewer"),
    ],
    "buyer/calloff_report_body.html": [Page(recording.report, "viewer", heading=False)],
    "buyer/calloff_report_download.html": [Page(recording.download, "buyer")],
    "buyer/calloff_record.html": [
        Page(recording.record, "viewer"),
        Page(lambda s: recording.record(s, empty=True), "buyer"),
    ],
    # evaluation: the panel's pages (Tameside's buyer, on the panel of its closed call-off)
    "buyer/evaluation_hub.html": [
        Page(evaluating.hub(stage), "buyer")
        for stage in ("undeclared", "conflicted", "scoring", "complete", "submitted")
    ],
    "buyer/evaluation_declaration.html": [
        Page(evaluating.declaration, "buyer"),
        Page(lambda s: evaluating.declaration(s, errors=True), "buyer"),
    ],
    "buyer/evaluation_score.html": [
        Page(evaluating.score, "buyer"),
        Page(lambda s: evaluating.score(s, errors=True), "buyer"),
        Page(lambda s: evaluating.score(s, submitted=True), "buyer"),
    ],
    "buyer/evaluation_submit.html": [
        Page(evaluating.submit, "buyer"),
        Page(lambda s: evaluating.submit(s, errors=True), "buyer"),
        Page(lambda s: evaluating.submit(s, complete=True), "buyer"),
    ],
    "buyer/evaluation_moderate.html": [
        Page(evaluating.moderate, "buyer"),
        Page(lambda s: evaluating.moderate(s, errors=True), "buyer"),
        Page(lambda s: evaluating.moderate(s, fixed=True), "buyer"),
    ],
    "buyer/calloff_cancel.html": [
        Page(calling_off.cancel, "buyer"),
        Page(lambda s: calling_off.cancel(s, errors=True), "buyer"),
    ],
    "buyer/calloff_details.html": [
        Page(calling_off.section("details"), "buyer"),
        Page(calling_off.section("details", empty=True), "buyer"),
        Page(calling_off.section("details", errors=True), "buyer"),
    ],
    "buyer/calloff_value_and_dates.html": [
        Page(calling_off.section("value_and_dates"), "buyer"),
        Page(calling_off.section("value_and_dates", empty=True), "buyer"),
        Page(calling_off.section("value_and_dates", errors=True), "buyer"),
    ],
    "buyer/calloff_questions.html": [
        Page(calling_off.section("questions"), "buyer"),
        Page(calling_off.section("questions", empty=True), "buyer"),
        Page(calling_off.section("questions", errors=True), "buyer"),
    ],
    "buyer/calloff_price.html": [
        Page(calling_off.section("price"), "buyer"),
        Page(calling_off.section("price", empty=True), "buyer"),
        Page(calling_off.section("price", errors=True), "buyer"),
    ],
    "buyer/calloff_criteria.html": [
        Page(calling_off.section("criteria"), "buyer"),
        Page(calling_off.section("criteria", empty=True), "buyer"),
        Page(calling_off.section("criteria", errors=True), "buyer"),
    ],
    "buyer/calloff_panel.html": [
        Page(calling_off.section("panel"), "buyer"),
        Page(calling_off.section("panel", empty=True), "buyer"),
        Page(calling_off.section("panel", errors=True), "buyer"),
    ],
    "buyer/calloff_deadlines.html": [
        Page(calling_off.section("deadlines"), "buyer"),
        Page(calling_off.section("deadlines", empty=True), "buyer"),
        Page(calling_off.section("deadlines", errors=True), "buyer"),
    ],
    "buyer/calloff_documents.html": [
        Page(calling_off.section("documents"), "buyer"),
        Page(calling_off.section("documents", empty=True), "buyer"),
        Page(calling_off.section("documents", errors=True), "buyer"),
    ],
    # call-offs: evaluation, award and contract (Tameside's closed call-off; its lead)
    "buyer/award_prices.html": [
        Page(awarding.prices(), "buyer"),
        Page(awarding.prices(errors=True), "buyer"),
        Page(awarding.prices(decided=True), "buyer"),
        Page(awarding.prices(none=True), "buyer"),
    ],
    "buyer/award_date.html": [
        Page(lambda s, bad=bad: awarding.date_input(bad), "buyer", heading=False)
        for bad in (False, True)
    ],
    "buyer/award_table.html": [Page(awarding.decide(), "buyer", heading=False)],
    "buyer/award_ranking.html": [
        Page(awarding.ranking(), "buyer"),
        Page(awarding.ranking(complete=False), "buyer"),
        Page(awarding.ranking(errors=True), "buyer"),
        Page(awarding.ranking(lead=False), "buyer"),
    ],
    "buyer/award_decide.html": [
        Page(awarding.decide(), "buyer"),
        Page(awarding.decide(errors=True), "buyer"),
        Page(awarding.decide(tied=True), "buyer"),
    ],
    "buyer/award_no_award.html": [
        Page(awarding.no_award(), "buyer"),
        Page(awarding.no_award(errors=True), "buyer"),
    ],
    "buyer/award_contract.html": [
        Page(awarding.contract(), "buyer"),
        Page(awarding.contract(errors=True), "buyer"),
        Page(awarding.contract(waiting=True), "buyer"),
    ],
    "buyer/award_summary.html": [
        Page(awarding.call_off_page(state), "buyer", heading=False)
        for state in ("evaluating", "evaluated", "awarded", "contract", "not_awarded", "stuck")
    ],
    # call-offs: the supplier's pages (the scene's supplier, invited to Tameside's call-off)
    "supplier/calloff_layout.html": [
        Page(invited.decline(errors=True), "supplier_owner", heading=False)
    ],
    "supplier/calloff_list.html": [
        Page(invited.invitations, "supplier_owner"),
        Page(lambda s: {"invitations": []}, "supplier_user"),
    ],
    "supplier/calloff.html": [
        Page(invited.page(), "supplier_owner"),
        Page(invited.page(errors=True), "supplier_user"),
        Page(invited.page("draft_tender"), "supplier_owner"),
        Page(invited.page("tender_sent"), "supplier_owner"),
        Page(invited.page("declined"), "supplier_owner"),
        Page(invited.page("closed", late=True), "supplier_owner"),
        Page(
            lambda s: {
                **invited.page("closed")(s),
                "contract": award_pages.contract_rows(
                    awarding.a_contract(), "Tameside", party="Buyer"
                ),
            },
            "supplier_owner",
        ),
    ],
    "supplier/calloff_tender.html": [
        Page(invited.tender(), "supplier_owner"),
        Page(invited.tender(errors=True), "supplier_user"),
        Page(invited.tender("tender_sent"), "supplier_owner"),
        Page(invited.tender("closed", late=True), "supplier_owner"),
        Page(invited.tender(documents=True), "supplier_owner"),
        Page(invited.tender(document_refused=True), "supplier_user"),
        Page(invited.tender("tender_sent", documents=True, late=True), "supplier_owner"),
    ],
    "supplier/calloff_sent.html": [Page(invited.sent, "supplier_owner")],
    "supplier/calloff_decline.html": [
        Page(invited.decline(), "supplier_owner"),
        Page(invited.decline(errors=True), "supplier_owner"),
        Page(invited.decline(status="declined"), "supplier_owner"),
        Page(invited.decline(late=True), "supplier_owner"),
    ],
    # outcome letters and requests for more reasons
    "components/outcome_letter.html": [
        Page(lettering.letter(None, n=1), "buyer", heading=False),
        Page(lettering.letter(None, n=0, sent=True), "supplier_owner", heading=False),
        Page(lettering.letter(None, n=2, sent=True), "supplier_owner", heading=False),
        Page(lettering.letter(None, n=1, no_award=True), "buyer", heading=False),
        # the winner chosen over a higher-ranked tender, or from a shared highest rank
        Page(lettering.letter(None, n=1, chosen="lower"), "buyer", heading=False),
        Page(lettering.letter(None, n=0, chosen="lower"), "buyer", heading=False),
        Page(lettering.letter(None, n=0, chosen="tied"), "buyer", heading=False),
    ],
    "buyer/letters_list.html": [
        Page(lettering.letters_list, "buyer"),
        Page(lambda s: lettering.letters_list(s, may_send=False), "buyer"),
        Page(lambda s: lettering.letters_list(s, no_award=True), "buyer"),
        Page(lambda s: lettering.letters_list(s, sent=True, errors=True), "buyer"),
        Page(lambda s: lettering.letters_list(s, sent=True, no_award=True), "buyer"),
    ],
    "buyer/letters_letter.html": [
        Page(lettering.letter(None, n=1), "buyer"),
        Page(lettering.letter(None, n=0, sent=True), "buyer"),
        Page(lettering.letter(None, n=2, sent=True), "buyer"),
        Page(lettering.letter(None, n=1, sent=True, no_award=True), "buyer"),
    ],
    "buyer/letters_reasons.html": [
        Page(lettering.buyer_reasons(), "buyer"),
        Page(lettering.buyer_reasons(errors=True), "buyer"),
        Page(lettering.buyer_reasons(may_reply=False), "buyer"),
        Page(lettering.buyer_reasons(replied=True), "buyer"),
    ],
    "buyer/letters_on_calloff.html": [
        Page(lettering.on_call_off(), "buyer", heading=False),
        Page(lettering.on_call_off(sent=True, requests=True), "buyer", heading=False),
    ],
    "supplier/letters_letter.html": [
        Page(lettering.supplier_letter(1), "supplier_owner"),
        Page(lettering.supplier_letter(0), "supplier_owner"),
        Page(lettering.supplier_letter(2, asked=True), "supplier_user"),
        Page(lettering.supplier_letter(1, no_award=True), "supplier_owner"),
    ],
    "supplier/letters_reasons.html": [
        Page(lettering.supplier_reasons(), "supplier_owner"),
        Page(lettering.supplier_reasons(errors=True), "supplier_owner"),
        Page(lettering.supplier_reasons(asked=True, may_ask=False), "supplier_owner"),
        Page(lettering.supplier_reasons(may_ask=False), "supplier_owner"),
    ],
    # the pool of each lot, for buyers and administrators
    "pool/lot.html": [
        Page(_pool({}), "buyer"),
        Page(_pool({"size": ["small", "micro"], "status": "vcse", "region": "wales"}), "buyer"),
        Page(_pool({"size": "large", "status": "cooperative"}), "buyer"),
        Page(_pool({}, admin=True), "administrator"),
    ],
    # administration
    "admin/home.html": [Page(lambda s: {}, "administrator")],
    "admin/award_notices.html": [
        Page(recording.notices, "administrator"),
        Page(lambda s: recording.notices(s, errors=True), "administrator"),
        Page(lambda s: recording.notices(s, empty=True), "administrator"),
    ],
    "admin/organisations.html": [
        Page(
            lambda s: {"summaries": organisations_service.managed_organisations()}, "administrator"
        ),
        Page(lambda s: {"summaries": []}, "administrator"),
    ],
    "admin/organisation.html": [
        Page(lambda s: _admin_organisation(s), "administrator"),
        Page(lambda s: _admin_organisation(s, "oldham"), "administrator"),
        Page(lambda s: _admin_organisation(s, "affiliate"), "administrator"),
        Page(lambda s: _admin_organisation(s, "group"), "administrator"),
    ],
    "admin/contracting_authority.html": [
        Page(lambda s: _contracting_authority(s), "administrator"),
        Page(
            lambda s: _contracting_authority(
                s, with_errors(ContractingAuthorityForm, {"is_contracting_authority": "maybe"})
            ),
            "administrator",
        ),
    ],
    "admin/organisation_new.html": [
        Page(lambda s: {"form": OrganisationForm()}, "administrator"),
        Page(
            lambda s: {"form": with_errors(OrganisationForm, {"name": ""})},
            "administrator",
        ),
        Page(
            lambda s: {
                "form": with_errors(
                    OrganisationForm, {"name": "Opposition Group", "membership_type": "full"}
                )
            },
            "administrator",
        ),
    ],
    "admin/membership_type.html": [
        Page(lambda s: _membership_type(s), "administrator"),
        Page(
            lambda s: _membership_type(s, with_errors(MembershipTypeForm, {})),
            "administrator",
        ),
    ],
    "admin/invitation_new.html": [
        Page(lambda s: _invitation_new(s, "tameside"), "administrator"),
        Page(lambda s: _invitation_new(s, "affiliate"), "administrator"),
        Page(lambda s: _invitation_new(s, "oldham"), "administrator"),
        Page(
            lambda s: _invitation_new(
                s, "tameside", with_errors(InvitationForm, {"email": "x", "role": "owner"})
            ),
            "administrator",
        ),
    ],
    "admin/period.html": [
        Page(lambda s: _period(s), "administrator"),
        Page(
            lambda s: _period(
                s,
                with_errors(
                    PeriodForm,
                    # As a browser sends it: the three boxes of each date, some left empty.
                    {"start_date": ["31", "2", "2020"], "end_date": ["", "", ""], "reason": ""},
                ),
            ),
            "administrator",
        ),
        Page(lambda s: {"status": None, "cap": date(2029, 2, 23), "form": None}, "administrator"),
    ],
    "admin/emails.html": [
        Page(lambda s: {"pagination": outbox.list_emails(1), "recording": True}, "administrator"),
        Page(
            lambda s: {"pagination": outbox.list_emails(1, per_page=1), "recording": False},
            "administrator",
        ),
        Page(lambda s: {"pagination": outbox.list_emails(99), "recording": False}, "administrator"),
    ],
    "admin/emails_message.html": [
        Page(
            lambda s, st=status, hidden=hidden: {
                "message": s.messages[st],
                "body": s.messages[st].payload["body"],
                "links_hidden": hidden,
                "recording": not hidden,
            },
            "administrator",
        )
        for status in OutboxStatus
        for hidden in (False, True)
    ],
    "admin/emails_macros.html": [Macros(_email_macros)],
    # supplier: the organisation profile and the team
    "supplier/profile.html": [
        Page(lambda s: _supplier_profile(s, complete=False), "supplier_owner"),
        Page(lambda s: _supplier_profile(s, complete=True), "supplier_user"),
    ],
    "supplier/profile_edit.html": [
        Page(lambda s: _supplier_profile_edit(s, errors=False), "supplier_owner"),
        Page(lambda s: _supplier_profile_edit(s, errors=True), "supplier_user"),
    ],
    "supplier/team.html": [
        Page(lambda s: _supplier_team(s, "supplier_owner"), "supplier_owner"),
        Page(lambda s: _supplier_team(s, "supplier_user"), "supplier_user"),
    ],
    "supplier/team_invite.html": [
        Page(lambda s: {"form": InviteColleagueForm()}, "supplier_owner"),
        Page(lambda s: {"form": with_errors(InviteColleagueForm, {"email": ""})}, "supplier_owner"),
    ],
    "supplier/team_remove.html": [
        Page(
            lambda s: {"form": ConfirmForm(), "colleague": s.users["supplier_user"]},
            "supplier_owner",
        )
    ],
    "supplier/team_make_owner.html": [
        Page(
            lambda s: {"form": ConfirmForm(), "colleague": s.users["supplier_user"]},
            "supplier_owner",
        )
    ],
    # supplier: documents
    "supplier/documents.html": [
        Page(lambda s: _documents_list(s, empty=True), "supplier_owner"),
        Page(lambda s: _documents_list(s, empty=False), "supplier_user"),
    ],
    "supplier/documents_kind.html": [
        Page(lambda s: _documents_kind(s, errors=False), "supplier_owner"),
        Page(lambda s: _documents_kind(s, errors=True), "supplier_user"),
    ],
    "supplier/documents_upload.html": [
        Page(lambda s: _documents_upload(s), "supplier_owner"),
        Page(lambda s: _documents_upload(s, errors=True), "supplier_owner"),
        Page(lambda s: _documents_upload(s, replace=True), "supplier_user"),
        Page(lambda s: _documents_upload(s, kind=DocumentKind.OTHER), "supplier_owner"),
        Page(
            lambda s: _documents_upload(s, errors=True, kind=DocumentKind.EQUALITY),
            "supplier_owner",
        ),
    ],
    "supplier/documents_document.html": [
        Page(lambda s, key=key: _documents_document(s, key), "supplier_owner")
        for key in ("new", "old", "expired", "policy")
    ],
    "supplier/documents_macros.html": [Macros(_documents_macros, "supplier_owner")],
    "supplier/questionnaire_section.html": [
        Page(lambda s, k=key: answering.section_page(s, k), "supplier_user")
        for key in ("bidding", "economic_standing", "ccin_principles", "lot2_case_studies")
    ]
    + [
        Page(lambda s, k=key: answering.section_page(s, k, errors=True), "supplier_owner")
        for key in answering.TYPED
    ],
    # supplier: applications
    "supplier/applications_lots.html": [
        Page(lambda s: applying.lots(s, draft=False), "supplier_owner"),
        Page(lambda s: applying.lots(s, draft=False, errors=True), "supplier_owner"),
        Page(lambda s: applying.lots(s, draft=True), "rival_owner"),
    ],
    "supplier/applications_task_list.html": [Page(applying.task_list, "rival_owner")],
    "supplier/applications_check.html": [
        Page(lambda s: applying.check_answers(s, with_gaps=False), "rival_owner"),
        Page(lambda s: applying.check_answers(s, with_gaps=True), "rival_owner"),
    ],
    "supplier/applications_declaration.html": [
        Page(lambda s: applying.declaration(s), "rival_owner"),
        Page(lambda s: applying.declaration(s, errors=True), "rival_owner"),
        Page(lambda s: applying.declaration(s, refused=True), "rival_owner"),
    ],
    "supplier/applications_sent.html": [Page(applying.sent, "rival_owner")],
    "supplier/applications_status.html": [
        Page(lambda s, k=key: applying.status(s, k), "rival_owner")
        for key in ("sent", "checking", "review", "clarification", "decided", "withdrawn")
    ],
    "supplier/applications_copy.html": [Page(applying.copy, "rival_owner")],
    "supplier/applications_withdraw.html": [
        Page(lambda s, k=key: applying.withdraw(s, k), "rival_owner") for key in ("draft", "sent")
    ],
    "supplier/applications_macros.html": [Macros(applying.macros, "rival_owner")],
    "emails/application_received.txt": [Email(lambda s: applying.email(s, "sent"))],
    "emails/application_withdrawn.txt": [Email(lambda s: applying.email(s, "withdrawn"))],
    "emails/application_with_reviewers.txt": [Email(lambda s: applying.email(s, "review"))],
    # administration: reviewing applications, deciding, and the lots' pools
    "admin/applications_queue.html": [
        Page(reviewing.queue, "administrator"),
        Page(lambda s: reviewing.queue(s, empty=True), "administrator"),
    ],
    "admin/applications_review.html": [
        Page(lambda s, k=key: reviewing.review_page(s, k), "administrator")
        for key in ("sent", "checking", "review", "clarification", "decided", "withdrawn")
    ],
    "admin/applications_decide.html": [
        Page(reviewing.decide, "administrator"),
        Page(lambda s: reviewing.decide(s, errors=True), "administrator"),
    ],
    "admin/applications_preview.html": [
        Page(lambda s, o=outcome: reviewing.preview(s, o), "administrator")
        for outcome in ("admitted", "rejected")
    ],
    "admin/applications_extend.html": [
        Page(reviewing.extend, "administrator"),
        Page(lambda s: reviewing.extend(s, errors=True), "administrator"),
    ],
    "admin/applications_macros.html": [Macros(reviewing.application_macros)],
    "admin/admissions_lots.html": [Page(reviewing.pools, "administrator")],
    "admin/admissions_pool.html": [
        Page(reviewing.pool, "administrator"),
        Page(lambda s: reviewing.pool(s, empty=True), "administrator"),
    ],
    "admin/admissions_supplier.html": [
        Page(lambda s, k=key: reviewing.supplier(s, k), "administrator")
        for key in ("rival", "supplier")
    ],
    "admin/admissions_change.html": [
        Page(lambda s, a=action: reviewing.change(s, a), "administrator")
        for action in ("suspend", "reinstate", "remove")
    ]
    + [Page(lambda s: reviewing.change(s, "suspend", errors=True), "administrator")],
    "admin/admissions_macros.html": [Macros(reviewing.admission_macros)],
    "emails/decision_admitted.txt": [
        Email(lambda s, last=last: reviewing.decision_email(s, "admitted", last=last))
        for last in (True, False)
    ],
    "emails/decision_rejected.txt": [
        Email(lambda s, last=last: reviewing.decision_email(s, "rejected", last=last))
        for last in (True, False)
    ],
    "emails/decision_clock_extended.txt": [Email(reviewing.clock_email)],
    "emails/admission_suspend.txt": [Email(reviewing.admission_email)],
    "emails/admission_reinstate.txt": [Email(reviewing.admission_email)],
    "emails/admission_remove.txt": [Email(reviewing.admission_email)],
    "emails/team_removed.txt": [Email(_team_email)],
    "emails/outcome_letter_ready.txt": [Email(lettering.email)],
    "emails/reasons_requested.txt": [Email(lettering.email)],
    "emails/reasons_replied.txt": [Email(lettering.email)],
    "emails/call_off_cancelled.txt": [
        Email(
            lambda s: {
                "buyer": "Oldham Council",
                "title": "Testing a new tenancy policy",
                "reference": "CCIN-CO-000001",
                "cancelled_at": "30 November 2026 at 10:30am",
                "reason": "The budget was withdrawn",
                "link": "http://localhost/supplier/",
                "signature": "CCIN Dynamic Purchasing System",
            }
        )
    ],
    "emails/call_off_invitation.txt": [
        Email(
            lambda s: {
                "buyer": "Oldham Council",
                "lot_name": "Lot 1 – Policy Development & Testing",
                "title": "Testing a new tenancy policy",
                "reference": "CCIN-CO-000001",
                "clarification_deadline": "30 November 2026 at 10:30am",
                "tender_deadline": "9 December 2026 at 10:30am",
                "link": "http://localhost/supplier/",
                "signature": "CCIN Dynamic Purchasing System",
            }
        )
    ],
    "emails/tender_received.txt": [
        Email(
            lambda s, r=revision: {
                "person": "Sam Supplier",
                "supplier": "Co-operative Futures Ltd",
                "title": "Testing a new tenancy policy",
                "reference": "CCIN-CO-000001",
                "revision": r,
                "received": "3 December 2026 at 14:05:09",
                "sha256": "0" * 64,
                "tender_deadline": "9 December 2026 at 10:30:00",
            }
        )
        for revision in (1, 2)
    ],
    "emails/call_off_answer.txt": [
        Email(
            lambda s: {
                "title": "Testing a new tenancy policy",
                "reference": "CCIN-CO-000001",
                "buyer": "Oldham Council",
                "tender_deadline": "9 December 2026 at 10:30am",
                "link": "http://localhost/supplier/",
                "question": "Can a supplier subcontract?",
                "answer": "Yes.",
                "published": "1 December 2026 at 9:00am",
            }
        )
    ],
    "emails/call_off_addendum.txt": [
        Email(
            lambda s: {
                "title": "Testing a new tenancy policy",
                "reference": "CCIN-CO-000001",
                "buyer": "Oldham Council",
                "tender_deadline": "9 December 2026 at 10:30am",
                "link": "http://localhost/supplier/",
                "text": "Workshops may be online.",
                "published": "1 December 2026 at 9:00am",
            }
        )
    ],
    "emails/call_off_deadline_moved.txt": [
        Email(
            lambda s: {
                "title": "Testing a new tenancy policy",
                "reference": "CCIN-CO-000001",
                "buyer": "Oldham Council",
                "tender_deadline": "9 December 2026 at 10:30am",
                "link": "http://localhost/supplier/",
            }
        )
    ],
    "emails/team_new_owner.txt": [Email(_team_email)],
    # emails
    "emails/account_confirm.txt": [
        Email(lambda s: {"user": s.users["supplier_owner"], "link": LINK, "expires_in": "24 hours"})
    ],
    "emails/account_already_registered.txt": [
        Email(
            lambda s, confirm_link=confirm_link: {
                "user": s.users["supplier_owner"],
                "sign_in_link": LINK,
                "reset_link": LINK,
                "confirm_link": confirm_link,
            }
        )
        for confirm_link in (LINK, None)
    ],
    "emails/account_password_changed.txt": [Email(lambda s: {"user": s.users["buyer"]})],
    "emails/account_reset_password.txt": [
        Email(lambda s: {"user": s.users["viewer"], "link": LINK, "expires_in": "1 hour"})
    ],
    "emails/invitation.txt": [
        Email(
            lambda s, i=i, inviter=inviter: {
                "invitation": getattr(s, i),
                "link": LINK,
                "inviter": s.users["administrator"] if inviter else None,
                "expires_at": getattr(s, i).expires_at,
            }
        )
        for i in ("invitation", "administrator_invitation")
        for inviter in (True, False)
    ]
    + [Email(lambda s: _colleague_invitation(s))],
    "emails/invitation_has_account.txt": [
        Email(
            lambda s, who=who: {
                "user": s.users[who],
                "invitation": _colleague_invitation(s)["invitation"],
                "sign_in_link": LINK,
            }
        )
        for who in ("buyer", "supplier_owner")
    ],
    # clarifications, renewed declarations and reminders
    "admin/clarifications_new.html": [
        Page(followup.ask_page, "administrator"),
        Page(lambda s: followup.ask_page(s, errors=True), "administrator"),
    ],
    "admin/clarifications_request.html": [
        Page(lambda s, k=key: followup.request_page(s, k), "administrator")
        for key in ("answered", "outstanding")
    ],
    "admin/clarifications_macros.html": [Macros(followup.clarification_macros)],
    "admin/renewals.html": [
        Page(followup.renewals_list, "administrator"),
        Page(lambda s: followup.renewals_list(s, empty=True), "administrator"),
    ],
    "admin/renewals_new.html": [
        Page(followup.new_renewal, "administrator"),
        Page(lambda s: followup.new_renewal(s, errors=True), "administrator"),
        Page(lambda s: followup.new_renewal(s, none=True), "administrator"),
    ],
    "admin/renewals_everyone.html": [
        Page(followup.renew_everyone, "administrator"),
        Page(lambda s: followup.renew_everyone(s, none=True), "administrator"),
    ],
    "admin/renewals_renewal.html": [
        Page(lambda s, k=key: followup.renewal_page(s, k), "administrator")
        for key in ("confirmed", "overdue", "cancelled")
    ],
    "admin/renewals_cancel.html": [
        Page(lambda s: followup.cancel_page(s, "overdue"), "administrator"),
        Page(lambda s: followup.cancel_page(s, "overdue", errors=True), "administrator"),
        Page(lambda s: followup.cancel_page(s, "confirmed"), "administrator"),
    ],
    "admin/renewals_macros.html": [Macros(followup.renewal_macros)],
    "admin/renewals_supplier.html": [
        Page(lambda s, k=key: followup.supplier_summary(s, k), "administrator", heading=False)
        for key in ("rival", "supplier")
    ],
    "supplier/clarifications_answer.html": [
        Page(lambda s: followup.answer_page(s, "outstanding"), "rival_owner"),
        Page(lambda s: followup.answer_page(s, "outstanding", errors=True), "rival_owner"),
        Page(lambda s: followup.answer_page(s, "answered"), "rival_owner"),
    ],
    "supplier/clarifications_list.html": [
        Page(lambda s, k=key: followup.clarifications_list(s, k), "rival_owner", heading=False)
        for key in ("waiting", "reviewed")
    ],
    "supplier/renewals_renewal.html": [
        Page(lambda s, k=key: followup.supplier_renewal(s, k), "rival_owner")
        for key in ("overdue", "confirmed", "cancelled")
    ],
    "supplier/renewals_declaration.html": [
        Page(followup.supplier_declaration, "rival_owner"),
        Page(lambda s: followup.supplier_declaration(s, errors=True), "rival_owner"),
    ],
    "emails/clarification_requested.txt": [Email(lambda s: followup.email(s, "clarification"))],
    "emails/clarification_answered.txt": [Email(lambda s: followup.email(s, "clarification"))],
    "emails/renewal_requested.txt": [Email(lambda s: followup.email(s, "renewal"))],
    "emails/renewal_confirmed.txt": [Email(lambda s: followup.email(s, "renewal"))],
    "emails/renewal_cancelled.txt": [Email(lambda s: followup.email(s, "renewal"))],
    "emails/reminder_decision_due.txt": [
        Email(lambda s, d=days: followup.decision_reminder(s, overdue=False, days=d))
        for days in (0, 1, 2)
    ]
    + [Email(lambda s: followup.decision_reminder(s, overdue=True))],
    "emails/reminder_renewal.txt": [
        Email(lambda s, o=overdue: followup.renewal_reminder(s, overdue=o))
        for overdue in (True, False)
    ],
    "emails/reminder_evidence.txt": [
        Email(lambda s, e=expired: followup.evidence_reminder(s, expired=e))
        for expired in (True, False)
    ],
}


def _accept_form(errors: bool = False) -> Any:
    from dps.web.auth.invitations import AcceptInvitationForm

    if errors:
        return with_errors(AcceptInvitationForm, {"name": "", "password": "short"})
    return AcceptInvitationForm()


def all_templates() -> list[str]:
    return sorted(
        path.relative_to(TEMPLATES_DIR).as_posix()
        for path in TEMPLATES_DIR.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )


# --- the test ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scene_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Scene]]:
    """One app and one scene for every template: rendering reads, it does not change them."""
    app = make_app(tmp_path_factory.mktemp("templates"))
    app.jinja_env.undefined = RecordingUndefined
    with app.app_context():
        db.create_all()
        yield app, build_scene()
        db.session.remove()


def test_every_template_has_an_entry_in_the_table() -> None:
    missing_entries = sorted(set(all_templates()) - set(TEMPLATES))
    assert not missing_entries, (
        "Add these templates to TEMPLATES in tests/unit/web/test_templates_render.py, with the "
        "realistic data their view or service passes: " + ", ".join(missing_entries)
    )
    gone = sorted(set(TEMPLATES) - set(all_templates()))
    assert not gone, "These templates no longer exist; remove them from TEMPLATES: " + str(gone)


def _sign_in(scene: Scene, persona: str) -> None:
    if persona != "anonymous":
        user = scene.users[persona]
        login_user(user)


def _render(app: Flask, scene: Scene, name: str, rendering: Rendering) -> str:
    if isinstance(rendering, Email):
        return app.jinja_env.get_template(name).render(
            service_name=SERVICE_NAME, **rendering.context(scene)
        )
    with app.test_request_context("/"):
        app.preprocess_request()  # the nonce, the request id: what a real request has
        _sign_in(scene, rendering.persona)
        if isinstance(rendering, Macros):
            module = app.jinja_env.get_template(name).make_module(
                app.jinja_env.globals | {"csrf_token": lambda: "token"}
            )
            return "\n".join(rendering.call(module, scene))
        return render_template(name, **rendering.context(scene))


def _check_page(name: str, html: str, rendering: Page) -> None:
    soup = BeautifulSoup(html, "html.parser")
    text = re.sub(r"\s+", " ", soup.get_text(" "))
    if rendering.heading:
        assert len(soup.find_all("h1")) == 1, f"{name}: a page has exactly one h1"
        title = soup.title.get_text(strip=True) if soup.title else ""
        assert title.endswith(f" – {SERVICE_NAME}"), f"{name}: title {title!r}"
        assert not title.startswith("–") and not title.startswith("Error: –"), name
    assert not re.search(r"\bNone\b", text), f"{name}: shows None: {text[:3000]}"


@pytest.mark.parametrize("name", all_templates())
def test_the_template_renders(scene_app: tuple[Flask, Scene], name: str) -> None:
    app, scene = scene_app
    renderings = TEMPLATES.get(name)
    if renderings is None:
        pytest.fail(
            f"{name} has no entry in TEMPLATES (tests/unit/web/test_templates_render.py): add one "
            "with the realistic data its view or service passes"
        )
    allowed_undefined = _govuk_page_variables(app)
    for number, rendering in enumerate(renderings, start=1):
        RecordingUndefined.used = []
        try:
            output = _render(app, scene, name, rendering)
        except Exception as error:
            raise AssertionError(f"{name} (rendering {number}) failed: {error!r}") from error
        undefined = sorted(set(RecordingUndefined.used) - allowed_undefined)
        assert not undefined, f"{name} (rendering {number}) uses names never given: {undefined}"
        assert output.strip(), f"{name} (rendering {number}) rendered nothing"
        assert "{{" not in output and "{%" not in output, name
        if isinstance(rendering, Page):
            _check_page(name, output, rendering)
        else:
            assert not re.search(r"\bNone\b", output), f"{name}: shows None"
