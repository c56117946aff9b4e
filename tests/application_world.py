"""A world for the application tests: the DPS and its lots, two rival suppliers, and helpers
that fill in everything an application needs (profile, questionnaire, documents) through the
same services the pages use."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from dps.extensions import db
from dps.models import Admission, Application, ApplicationLot, Organisation, User
from dps.models.enums import AdmissionStatus, ApplicationStatus, LotOutcome
from dps.services import applications, documents, profiles, questionnaire
from tests.documents_world import uploaded
from tests.questionnaire_world import TWELVE_EMPLOYEES, World, answer_everything, make_world
from tests.sample_files import PDF

__all__ = ["World", "make_world"]

# The profile as a person types it: a company with twelve employees (the questionnaire
# world's answers were given for such an organisation).
PROFILE_INPUT: dict[str, Any] = {
    "legal_name": "Co-operative Futures Ltd",
    "trading_name": "Co-op Futures",
    "legal_form": TWELVE_EMPLOYEES["legal_form"],
    "companies_house_number": "09345678",
    "address_line_1": "Civic Centre",
    "address_line_2": "West Street",
    "town": "Oldham",
    "postcode": "OL1 1UT",
    "contact_name": "Ada Lovelace",
    "contact_email": "ada@coop-futures.example.org",
    "contact_phone": "0161 770 3000",
    "size": "small",
    "employees": str(TWELVE_EMPLOYEES["employees"]),
    "is_vcse": "no",
    "is_cooperative_or_mutual": "yes",
    "regions": ["north_west", "yorkshire_and_the_humber"],
}
DECLARATION = applications.Declaration(name="Ada Lovelace", role="Director", confirmed=True)
INSURANCE_EXPIRY = date.today() + timedelta(days=300)
# An instant well inside the test DPS's period (1 April 2020 – 23 February 2029).
DURING_THE_PERIOD = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)


def complete_profile(organisation: Organisation, actor: User) -> None:
    errors = profiles.update_profile(organisation.id, PROFILE_INPUT, actor)
    assert errors == {}, errors


def upload_documents(organisation: Organisation, lot_numbers: list[int], actor: User) -> None:
    """A small real PDF for every kind of document the lots ask for."""
    answers = questionnaire.answers_for(organisation.id).answers or {}
    context = profiles.questionnaire_context(profiles.profile_for(organisation.id))
    for kind in documents.required_kinds(answers, lot_numbers, context):
        documents.upload(
            organisation.id,
            kind,
            None,
            uploaded(f"{kind.value}.pdf", PDF),
            INSURANCE_EXPIRY if kind.is_insurance else None,
            actor,
        )


def complete_everything(organisation: Organisation, actor: User, lot_numbers: list[int]) -> None:
    complete_profile(organisation, actor)
    answer_everything(organisation, actor)
    upload_documents(organisation, lot_numbers, actor)


def ready_to_send(world: World, lot_numbers: list[int]) -> Application:
    """The supplier's draft for these lots, with nothing missing."""
    complete_everything(world.supplier, world.owner, [1, 2])
    return applications.start_application(world.supplier.id, lot_numbers, actor=world.owner)


def earlier_application(
    world: World,
    lot_numbers: list[int],
    status: ApplicationStatus,
    outcome: LotOutcome = LotOutcome.PENDING,
) -> Application:
    """An application sent before, standing at ``status`` (as the review issue will leave it)."""
    application = Application(
        organisation_id=world.supplier.id,
        dps=world.dps,
        status=status,
        questionnaire_version=questionnaire.current_version(),
        submitted_at=DURING_THE_PERIOD - timedelta(days=40),
        decided_at=DURING_THE_PERIOD - timedelta(days=30)
        if status == ApplicationStatus.DECIDED
        else None,
        lots=[ApplicationLot(lot=world.lots[n], outcome=outcome) for n in lot_numbers],
    )
    db.session.add(application)
    db.session.flush()
    application.reference = applications.REFERENCE_FORMAT.format(id=application.id)
    db.session.commit()
    return application


def admit(
    world: World, lot_number: int, status: AdmissionStatus = AdmissionStatus.ADMITTED
) -> Admission:
    decided = earlier_application(
        world, [lot_number], ApplicationStatus.DECIDED, LotOutcome.ADMITTED
    )
    admission = Admission(
        organisation_id=world.supplier.id,
        lot_id=world.lots[lot_number].id,
        application_id=decided.id,
        status=status,
    )
    db.session.add(admission)
    db.session.commit()
    return admission
