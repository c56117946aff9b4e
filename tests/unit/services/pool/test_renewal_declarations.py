"""The supplier's renewed self-declaration (reg. 34(22)-(23)): it looks over its answers for
the lots it is admitted to and declares again, which keeps a new snapshot and runs the checks on
it for its admissions; a declaration with gaps is refused and changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import Admission, CheckRun, DeclarationRenewal
from dps.models.base import utcnow
from dps.rules.enums import RenewalStatus
from dps.services.applications import snapshot as application_snapshot
from dps.services.applications.submission import Declaration
from dps.services.pool import renewal_declarations, renewals
from dps.services.qualification import registry
from tests.fixtures.application_world import complete_everything
from tests.fixtures.helpers import sign_in
from tests.fixtures.reminders_world import Office, admitted, emails, make_office

R = RenewalStatus
DECLARATION = Declaration(name="Ada Lovelace", role="Director", confirmed=True)


@pytest.fixture
def office(app: Flask) -> Office:
    return make_office()


@pytest.fixture
def admission(office: Office) -> Admission:
    return admitted(office.world, office.world.supplier, 1)


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.soup.main.get_text(" ")).strip()


def ask(office: Office) -> DeclarationRenewal:
    return renewals.request_renewal(office.world.supplier.id, actor=office.officer, at=utcnow())


# --- the supplier renews -----------------------------------------------------------------------


def test_the_supplier_sees_the_request_waiting_and_its_task_list(
    client: FlaskClient, office: Office, admission: Admission
) -> None:
    renewal = ask(office)
    sign_in(client, office.world.owner)

    home = client.get("/supplier/")
    assert "Renew your declaration" in text_of(home)
    assert home.soup.find("a", href=f"/supplier/renewals/{renewal.id}")

    page = client.get(f"/supplier/renewals/{renewal.id}")
    assert page.status_code == 200
    links = {a["href"] for a in page.soup.select("main a")}
    assert f"/supplier/renewals/{renewal.id}/sections/mandatory_exclusions" in links
    assert f"/supplier/renewals/{renewal.id}/declaration" in links
    # Only the lots it is admitted to: Lot 2's sections are not asked.
    assert f"/supplier/renewals/{renewal.id}/sections/lot2_questions" not in links


def test_declaring_with_gaps_is_refused_with_each_gap_and_changes_nothing(
    office: Office, admission: Admission
) -> None:
    renewal = ask(office)
    with pytest.raises(renewal_declarations.RenewalRefused) as refused:
        renewal_declarations.confirm(renewal, DECLARATION, actor=office.world.owner, at=utcnow())
    assert refused.value.gaps
    db.session.refresh(renewal)
    assert renewal.status == R.REQUESTED and renewal.snapshot is None
    assert db.session.scalars(db.select(CheckRun)).all() == []


def test_declaring_keeps_a_new_snapshot_and_runs_the_checks_for_the_admissions(
    client: FlaskClient, office: Office, admission: Admission
) -> None:
    world = office.world
    complete_everything(world.supplier, world.owner, [1, 2])
    renewal = ask(office)
    sign_in(client, world.owner)

    missing = client.post(
        f"/supplier/renewals/{renewal.id}/declaration",
        data={"declaration_name": "Ada Lovelace", "declaration_role": "Director"},
    )
    assert "Confirm that the information you have given is true and complete" in text_of(missing)
    made = client.post(
        f"/supplier/renewals/{renewal.id}/declaration",
        data={"declaration_name": "Ada Lovelace", "declaration_role": "Director", "confirm": "y"},
    )

    assert made.status_code == 302
    db.session.refresh(renewal)
    assert renewal.status == R.CONFIRMED
    assert renewal.confirmed_by_id == world.owner.id
    snapshot = renewal.snapshot
    assert snapshot is not None
    assert renewal.snapshot_checksum == application_snapshot.checksum(snapshot)
    assert [lot["number"] for lot in snapshot["lots"]] == [1]  # the lot it is admitted to
    assert snapshot["declaration"]["name"] == "Ada Lovelace"
    assert snapshot["profile"]["legal_name"] == "Co-operative Futures Ltd"
    # The checks run on it, and their results follow the supplier's admission.
    [run] = db.session.scalars(db.select(CheckRun).where(CheckRun.renewal_id == renewal.id))
    assert run.reason == "renewal" and run.application_id is None
    expected = {
        (check.name, None if not check.per_lot else admission.lot_id)
        for check in registry.registered()
    }
    assert {(r.check, r.lot_id) for r in run.results} == expected
    following = renewal_declarations.latest_checks(world.supplier.id)
    assert following is not None and following.run.id == run.id
    assert {r.id for r in following.for_lot(admission.lot_id)} == {r.id for r in run.results}
    assert renewals.waiting_for(world.supplier.id) is None
    [receipt] = [m for m in emails(world.owner.email) if "You have renewed" in m.payload["subject"]]
    assert receipt

    # The administrator sees the declaration and its checks.
    sign_in(client, office.officer)
    page = text_of(client.get(f"/admin/renewals/{renewal.id}"))
    assert "Renewed" in page and renewal.snapshot_checksum in page and "(intact)" in page
    supplier_page = text_of(client.get(f"/admin/suppliers/{world.supplier.id}"))
    assert "Checks on the declaration renewed" in supplier_page
    assert "Mandatory exclusion grounds" in supplier_page


def test_a_section_changed_during_the_renewal_is_saved_to_the_organisations_answers(
    client: FlaskClient, office: Office, admission: Admission
) -> None:
    world = office.world
    complete_everything(world.supplier, world.owner, [1, 2])
    renewal = ask(office)
    sign_in(client, world.owner)
    url = f"/supplier/renewals/{renewal.id}/sections/lot1_questions"

    page = client.get(url)
    assert page.status_code == 200
    assert page.soup.select_one(".govuk-back-link").get_text(strip=True) == (
        "Back to your renewed declaration"
    )
    saved = client.post(
        url,
        data={
            "lot1_policy_experience": "Twelve years of policy labs with councils.",
            "lot1_service_redesign": "Redesigned youth services with young people.",
            "action": "continue",
        },
    )

    assert saved.status_code == 302 and saved.headers["Location"].endswith(
        f"/supplier/renewals/{renewal.id}"
    )
    from dps.services.suppliers import questionnaire

    answers = questionnaire.answers_for(world.supplier.id).answers or {}
    assert answers["lot1_policy_experience"] == "Twelve years of policy labs with councils."
    # A lot it is not admitted to is not one of the renewal's sections.
    assert client.get(f"/supplier/renewals/{renewal.id}/sections/lot2_questions").status_code == 404
