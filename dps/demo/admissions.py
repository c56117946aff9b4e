"""Demo suppliers admitted to both lots, so a buyer finds a pool to run call-offs with.

Each applies as a supplier does (dps.demo.application), the checks run in-process, and the
demo administrator admits it to each lot through the decision service (the supplier gets its
letters). Made only for a supplier that has never applied, so loading twice changes nothing;
where the checks do not run in this process (tasks on workers), the applications wait in the
administrators' queue instead.
"""

from __future__ import annotations

from datetime import date

from dps.demo.application import apply_for_both_lots
from dps.demo.data import ADMITTED_SUPPLIERS, DEMO_ACCOUNTS
from dps.extensions import db
from dps.models.accounts import User
from dps.models.organisations import Organisation
from dps.rules.enums import ApplicationStatus, LotOutcome
from dps.services.accounts import users
from dps.services.qualification import decisions


def load_demo_admissions(
    organisations: dict[str, Organisation], administrator: User, today: date
) -> list[str]:
    made: list[str] = []
    owners = {account.organisation: account.email for account in DEMO_ACCOUNTS}
    for name in ADMITTED_SUPPLIERS:
        owner = users.find_by_email(owners[name])
        assert owner is not None  # loaded with the other demo accounts
        application = apply_for_both_lots(organisations[name], owner, today)
        if application is None:
            continue
        db.session.refresh(application)
        if application.status == ApplicationStatus.READY_FOR_REVIEW:
            for lot in application.lots:
                decisions.decide_lot(
                    application.id, lot.lot_id, LotOutcome.ADMITTED, None, [], administrator
                )
            made.append(f"{name} admitted to both lots")
        else:
            made.append(f"application of {name} sent")
    return made
