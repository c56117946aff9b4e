"""The administrators' pages for member organisations: what they show, and who may use them."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import AuditEvent, Organisation
from dps.rules.enums import MembershipType, OrganisationKind, Role
from dps.services.accounts import invitations
from tests.conftest import make_app, page_text
from tests.unit.services.accounts.test_organisations import administrator, member, person, sign_in


def organisation_named(name: str) -> Organisation:
    return db.session.scalars(db.select(Organisation).where(Organisation.name == name)).one()


def admin_urls(organisation_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", "/admin/"),
        ("GET", "/admin/organisations"),
        ("GET", "/admin/organisations/new"),
        ("POST", "/admin/organisations/new"),
        ("GET", f"/admin/organisations/{organisation_id}"),
        ("GET", f"/admin/organisations/{organisation_id}/membership-type"),
        ("GET", f"/admin/organisations/{organisation_id}/contracting-authority"),
        ("POST", f"/admin/organisations/{organisation_id}/contracting-authority"),
        ("POST", f"/admin/organisations/{organisation_id}/membership-type"),
        ("GET", f"/admin/organisations/{organisation_id}/invitations/new"),
        ("GET", "/admin/period"),
        ("POST", "/admin/period"),
    ]


def test_the_home_page_links_to_member_organisations_and_the_period(client: FlaskClient) -> None:
    sign_in(client, administrator())
    page = client.get("/admin/")
    links = {a.get_text(strip=True): a["href"] for a in page.soup.select("main a")}
    assert links["Member organisations"] == "/admin/organisations"
    assert links["The DPS period"] == "/admin/period"


def test_the_list_shows_kind_type_people_and_whether_each_may_buy(client: FlaskClient) -> None:
    admin = administrator()
    federation = member("North West Housing Co-operatives Federation", MembershipType.AFFILIATE)
    person("officer@federation.example.org", federation, Role.VIEWER)
    tameside = member("Tameside Metropolitan Borough Council")
    person("buyer@tameside.example.org", tameside, Role.BUYER)
    sign_in(client, admin)

    page = client.get("/admin/organisations")

    rows = {
        row.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in row.find_all("td")]
        for row in page.soup.select("tbody tr")
    }
    assert rows["Tameside Metropolitan Borough Council"] == ["Member", "Full", "1", "0", "Yes"]
    assert rows["North West Housing Co-operatives Federation"] == [
        "Member",
        "Affiliate",
        "0",
        "1",
        "No",
    ]
    assert rows["Oldham Council"][:2] == ["Member", "Full"]


def test_adding_an_organisation(client: FlaskClient) -> None:
    sign_in(client, administrator())
    response = client.post(
        "/admin/organisations/new",
        data={
            "name": "Plymouth City Council",
            "membership_type": "full",
            "is_contracting_authority": "yes",
        },
        follow_redirects=True,
    )
    assert "Plymouth City Council has been added" in page_text(response)
    plymouth = organisation_named("Plymouth City Council")
    assert plymouth.membership_type == MembershipType.FULL
    assert plymouth.kind == OrganisationKind.MEMBER
    assert plymouth.is_contracting_authority and plymouth.may_buy


def test_the_new_organisation_form_asks_whether_it_is_a_contracting_authority(
    client: FlaskClient,
) -> None:
    sign_in(client, administrator())
    page = client.get("/admin/organisations/new")
    [fieldset] = [
        f
        for f in page.soup.select("fieldset")
        if "Is this organisation a contracting authority?" in f.legend.get_text()
    ]
    hint = " ".join(fieldset.select_one(".govuk-hint").get_text().split())
    assert "political group" in hint and "outside the UK" in hint
    assert [i["value"] for i in fieldset.select("input[type=radio]")] == ["yes", "no"]

    response = client.post(
        "/admin/organisations/new",
        data={
            "name": "Opposition Group, Anytown",
            "membership_type": "full",
            "is_contracting_authority": "no",
        },
        follow_redirects=True,
    )
    group = organisation_named("Opposition Group, Anytown")
    assert not group.is_contracting_authority and not group.may_buy
    rows = {
        row.select_one("dt").get_text(strip=True): " ".join(row.select_one("dd").get_text().split())
        for row in response.soup.select(".govuk-summary-list__row")
    }
    assert rows["Contracting authority"] == "No"
    assert rows["May buy from the DPS"].startswith("No")


def test_changing_whether_a_member_is_a_contracting_authority(client: FlaskClient) -> None:
    admin = administrator()
    tameside = member("Tameside")
    person("ann@tameside.example.org", tameside, Role.BUYER)
    sign_in(client, admin)
    url = f"/admin/organisations/{tameside.id}/contracting-authority"
    page = client.get(f"/admin/organisations/{tameside.id}")
    assert page.soup.find("a", href=url) is not None

    form = client.get(url)
    assert form.soup.find("input", {"name": "is_contracting_authority", "value": "yes"}).has_attr(
        "checked"
    )
    refused = client.post(url, data={"is_contracting_authority": "no", "reason": ""})
    assert refused.status_code == 200
    assert (
        "Enter the reason for the change"
        in refused.soup.select_one(".govuk-error-summary").get_text()
    )
    # What was chosen is kept.
    assert refused.soup.find("input", {"value": "no"}).has_attr("checked")
    assert tameside.is_contracting_authority

    done = client.post(
        url,
        data={"is_contracting_authority": "no", "reason": "A political group"},
        follow_redirects=True,
    )
    assert (
        "Tameside is now recorded as not a contracting authority. Its 1 buyer can no longer buy"
        in (page_text(done))
    )
    db.session.refresh(tameside)
    assert not tameside.is_contracting_authority
    events = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.action == "organisation.contracting_authority_changed"
        )
    ).all()
    assert [e.after["reason"] for e in events if e.after] == ["A political group"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"name": "", "membership_type": "full", "is_contracting_authority": "yes"},
            "Enter the organisation’s name",
        ),
        (
            {"name": "Oxford City Council", "is_contracting_authority": "yes"},
            "Select the membership type",
        ),
        ({"name": "Oxford City Council", "membership_type": "gold"}, "Select the membership type"),
        (
            {
                "name": "oldham council",
                "membership_type": "full",
                "is_contracting_authority": "yes",
            },
            "already an organisation",
        ),
        (
            {"name": "Oxford City Council", "membership_type": "full"},
            "Select yes if this organisation is a contracting authority",
        ),
        (
            {"name": "x" * 201, "membership_type": "full", "is_contracting_authority": "yes"},
            "200 characters or fewer",
        ),
    ],
)
def test_adding_an_organisation_with_bad_input_keeps_what_was_typed(
    client: FlaskClient, data: dict[str, str], message: str
) -> None:
    sign_in(client, administrator())
    before = db.session.scalar(db.select(db.func.count()).select_from(Organisation))
    response = client.post("/admin/organisations/new", data=data)
    assert response.status_code == 200
    assert response.soup.title.get_text().startswith("Error:")
    assert message in response.soup.select_one(".govuk-error-summary").get_text()
    assert response.soup.find("input", {"name": "name"}).get("value", "") == data["name"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Organisation)) == before


def test_an_organisation_page_lists_its_people_and_waiting_invitations(
    client: FlaskClient,
) -> None:
    admin = administrator()
    tameside = member("Tameside")
    person("ann@tameside.example.org", tameside, Role.BUYER)
    invitations.invite(tameside, "bob@tameside.example.org", Role.VIEWER, actor=admin)
    sign_in(client, admin)

    page = client.get(f"/admin/organisations/{tameside.id}")

    text = page_text(page)
    assert "ann@tameside.example.org" in text
    assert "bob@tameside.example.org" in text
    [cancel] = [b for b in page.soup.find_all("button") if "Cancel invitation" in b.get_text()]
    # Screen readers hear whose invitation each button cancels.
    assert cancel.select_one(".govuk-visually-hidden").get_text() == " to bob@tameside.example.org"


def test_changing_to_affiliate_explains_and_applies_the_consequence(client: FlaskClient) -> None:
    admin = administrator()
    tameside = member("Tameside")
    buyer = person("ann@tameside.example.org", tameside, Role.BUYER)
    sign_in(client, admin)
    url = f"/admin/organisations/{tameside.id}/membership-type"

    page = client.get(url)
    assert "removes buying at once" in page_text(page)
    assert "with 1 buyer" in page_text(page)
    assert page.soup.find("input", {"name": "membership_type", "value": "full"}).has_attr("checked")

    changed = client.post(url, data={"membership_type": "affiliate"}, follow_redirects=True)

    assert "Its 1 buyer can no longer buy. They keep viewer access." in page_text(changed)
    assert "Invited as buyer" in page_text(changed)
    db.session.refresh(buyer)
    assert buyer.membership is not None
    assert buyer.membership.effective_role == Role.VIEWER
    assert db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "organisation.membership_type_changed")
    ).one()

    # Demoted, the buyer still reaches the member organisations' area, as a viewer.
    sign_in(client, buyer)
    assert client.get("/buyer/").status_code == 200


def test_the_network_has_no_membership_type_to_change_on_the_page(client: FlaskClient) -> None:
    from dps.services.accounts import organisations

    network = organisations.create_network_organisation("CCIN", actor=None)
    sign_in(client, administrator())
    page = client.get(f"/admin/organisations/{network.id}")
    assert "Not applicable: the network itself" in page_text(page)
    refused = client.post(
        f"/admin/organisations/{network.id}/membership-type", data={"membership_type": "full"}
    )
    assert "network itself may always buy" in page_text(refused)


def test_a_supplier_or_unknown_organisation_is_not_found(client: FlaskClient) -> None:
    supplier = Organisation(name="Co-operative Futures Ltd", kind=OrganisationKind.SUPPLIER)
    db.session.add(supplier)
    db.session.commit()
    sign_in(client, administrator())
    assert client.get(f"/admin/organisations/{supplier.id}").status_code == 404
    assert client.get("/admin/organisations/424242").status_code == 404
    assert client.get("/admin/organisations/424242/membership-type").status_code == 404


@pytest.mark.parametrize("role", [Role.BUYER, Role.VIEWER, Role.SUPPLIER_OWNER])
def test_other_roles_are_refused_every_administration_page(client: FlaskClient, role: Role) -> None:
    administrator()
    tameside = member("Tameside")
    organisation = tameside
    if role == Role.SUPPLIER_OWNER:
        organisation = Organisation(name="Capacity Works CIC", kind=OrganisationKind.SUPPLIER)
        db.session.add(organisation)
        db.session.commit()
    sign_in(client, person(f"{role.value}@example.org", organisation, role))
    for method, url in admin_urls(tameside.id):
        response = client.open(url, method=method, data={"membership_type": "affiliate"})
        assert response.status_code == 403, (method, url)
    assert tameside.membership_type == MembershipType.FULL


def test_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    administrator()
    tameside = member("Tameside")
    for method, url in admin_urls(tameside.id):
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert "/sign-in" in response.headers["Location"]


def test_forms_refuse_a_post_without_the_csrf_token(tmp_path: object) -> None:
    from pathlib import Path

    app: Flask = make_app(Path(str(tmp_path)), WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        admin = administrator()
        tameside = member("Tameside")
        client = app.test_client()
        sign_in(client, admin)
        response = client.post(
            f"/admin/organisations/{tameside.id}/membership-type",
            data={"membership_type": "affiliate"},
        )
        assert response.status_code == 400
        db.session.refresh(tameside)
        assert tameside.membership_type == MembershipType.FULL
        db.session.remove()
