"""Member organisations: the councils that buy or read, the network itself, and their people.

Whether an organisation may buy follows from its membership type (Organisation.may_buy), and a
buyer's effective role follows from that (Membership.effective_role). So changing a membership
type destroys nothing: buyers of an Affiliate or Supporter keep viewer access, and changing back
restores buying.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func

from dps.extensions import db
from dps.models.accounts import Membership, User
from dps.models.organisations import BUYING_MEMBERSHIP_TYPES, Organisation
from dps.rules.enums import MembershipType, OrganisationKind, Role
from dps.rules.refusals import Refusal
from dps.services.common import audit
from dps.services.dps import period as dps_service

# Organisations an administrator manages here; suppliers register themselves.
MANAGED_KINDS = (OrganisationKind.MEMBER, OrganisationKind.NETWORK)
NAME_MAX_LENGTH = 200
REASON_MAX_LENGTH = 2000


class OrganisationRefused(Refusal):
    """A change to an organisation the rules do not allow; the message says why.

    ``field`` names the form field the message belongs to, when there is one.
    """


@dataclass(frozen=True)
class OrganisationSummary:
    organisation: Organisation
    buyers: int
    viewers: int
    administrators: int

    @property
    def may_buy(self) -> bool:
        return self.organisation.may_buy


@dataclass(frozen=True)
class MembershipTypeChange:
    organisation: Organisation
    before: MembershipType | None
    after: MembershipType
    # People recorded as buyers, whose buying access the change removes or restores.
    buyers_affected: int

    @property
    def message(self) -> str:
        name = self.organisation.name
        label = self.after.label
        if self.before == self.after:
            return f"{name} is already a {label} member."
        was_buying = _buys(self.organisation, self.before)
        now_buying = _buys(self.organisation, self.after)
        text = f"{name} is now a {label} member."
        people = _people(self.buyers_affected, "buyer")
        if was_buying and not now_buying and self.buyers_affected:
            text += f" Its {people} can no longer buy. They keep viewer access."
        elif now_buying and not was_buying and self.buyers_affected:
            text += f" Its {people} can buy again."
        return text


def _people(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def managed_organisations() -> list[OrganisationSummary]:
    """Member organisations and the network, by name, with how many people hold each role."""
    organisations = db.session.scalars(
        db.select(Organisation)
        .where(Organisation.kind.in_(MANAGED_KINDS))
        .order_by(func.lower(Organisation.name))
    ).all()
    counts: dict[int, Counter[Role]] = {org.id: Counter() for org in organisations}
    rows = db.session.execute(
        db.select(Membership.organisation_id, Membership.role, func.count())
        .where(Membership.organisation_id.in_(counts))
        .group_by(Membership.organisation_id, Membership.role)
    )
    for organisation_id, role, number in rows:
        counts[organisation_id][role] += number
    return [_summary(org, counts[org.id]) for org in organisations]


def _summary(organisation: Organisation, counts: Counter[Role]) -> OrganisationSummary:
    buyers = counts[Role.BUYER] if organisation.may_buy else 0
    demoted = 0 if organisation.may_buy else counts[Role.BUYER]
    return OrganisationSummary(
        organisation=organisation,
        buyers=buyers,
        viewers=counts[Role.VIEWER] + demoted,
        administrators=counts[Role.ADMINISTRATOR],
    )


def get_managed(organisation_id: int) -> Organisation | None:
    """A member organisation or the network by id; None for a supplier or an unknown id."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind not in MANAGED_KINDS:
        return None
    return organisation


def people_of(organisation: Organisation) -> list[Membership]:
    return list(
        db.session.scalars(
            db.select(Membership)
            .join(User)
            .where(Membership.organisation_id == organisation.id)
            .order_by(func.lower(User.name))
        )
    )


def runs_the_dps(organisation: Organisation) -> bool:
    """Administrators belong to the organisation that runs the DPS (DESIGN §4)."""
    dps = dps_service.current_dps()
    return dps is not None and dps.owner_organisation_id == organisation.id


def roles_in(organisation: Organisation) -> list[Role]:
    """The roles people of this organisation can hold (DESIGN §4), whether or not it buys now."""
    roles = [Role.BUYER, Role.VIEWER]
    if runs_the_dps(organisation):
        roles.append(Role.ADMINISTRATOR)
    return roles


def invitable_roles(organisation: Organisation) -> list[Role]:
    """The roles a person may be invited to now: buyer only where the organisation may buy.

    A supplier's owner invites colleagues as users: a supplier has one owner (DESIGN §4).
    """
    if organisation.kind == OrganisationKind.SUPPLIER:
        return [Role.SUPPLIER_USER]
    return [role for role in roles_in(organisation) if role != Role.BUYER or organisation.may_buy]


def _find_by_name(name: str) -> Organisation | None:
    return db.session.scalars(
        db.select(Organisation).where(func.lower(Organisation.name) == name.lower())
    ).first()


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise OrganisationRefused("Enter the organisation’s name", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise OrganisationRefused(
            f"The organisation’s name must be {NAME_MAX_LENGTH} characters or fewer", field="name"
        )
    return name


def create_member_organisation(
    name: str,
    membership_type: MembershipType,
    *,
    actor: User | None,
    is_contracting_authority: bool = True,
) -> Organisation:
    """Add a member organisation of the network; names are unique, ignoring case.

    A political group or a body outside the UK is a member but not a contracting authority.
    """
    name = _clean_name(name)
    if _find_by_name(name) is not None:
        raise OrganisationRefused(
            f"There is already an organisation called {name}. Check the list of organisations",
            field="name",
        )
    organisation = Organisation(
        name=name,
        kind=OrganisationKind.MEMBER,
        membership_type=membership_type,
        is_contracting_authority=is_contracting_authority,
    )
    audit.record_new(
        organisation,
        "organisation.created",
        actor=actor,
        after={
            "name": name,
            "kind": str(organisation.kind),
            "membership_type": str(membership_type),
            "is_contracting_authority": is_contracting_authority,
        },
    )
    db.session.commit()
    return organisation


def create_network_organisation(name: str, *, actor: User | None) -> Organisation:
    """The network itself: it has no membership type and may buy."""
    name = _clean_name(name)
    if _find_by_name(name) is not None:
        raise OrganisationRefused(f"There is already an organisation called {name}", field="name")
    organisation = Organisation(name=name, kind=OrganisationKind.NETWORK)
    audit.record_new(
        organisation,
        "organisation.created",
        actor=actor,
        after={"name": name, "kind": str(organisation.kind)},
    )
    db.session.commit()
    return organisation


def create_supplier_organisation(
    name: str, *, companies_house_number: str | None, actor: User | None
) -> Organisation:
    """A supplier organisation with no account yet (its people are added or invited after)."""
    name = _clean_name(name)
    if _find_by_name(name) is not None:
        raise OrganisationRefused(f"There is already an organisation called {name}", field="name")
    organisation = Organisation(
        name=name, kind=OrganisationKind.SUPPLIER, companies_house_number=companies_house_number
    )
    audit.record_new(
        organisation,
        "organisation.created",
        actor=actor,
        after={
            "name": name,
            "kind": str(organisation.kind),
            "companies_house_number": companies_house_number,
        },
    )
    db.session.commit()
    return organisation


def recorded_buyers(organisation: Organisation) -> int:
    """People who joined as buyers, whether or not the organisation may buy today."""
    return int(
        db.session.scalar(
            db.select(func.count())
            .select_from(Membership)
            .where(Membership.organisation_id == organisation.id, Membership.role == Role.BUYER)
        )
        or 0
    )


def change_membership_type(
    organisation: Organisation, membership_type: MembershipType, *, actor: User | None
) -> MembershipTypeChange:
    """Change a member's type. Buying access follows at once; no membership is touched."""
    if organisation.kind != OrganisationKind.MEMBER:
        raise OrganisationRefused(
            "Only member organisations have a membership type. The network itself may always buy",
            field="membership_type",
        )
    before = organisation.membership_type
    change = MembershipTypeChange(
        organisation, before, membership_type, recorded_buyers(organisation)
    )
    if before == membership_type:
        return change
    organisation.membership_type = membership_type
    audit.record(
        "organisation.membership_type_changed",
        organisation,
        actor=actor,
        before={
            "membership_type": str(before) if before else None,
            "may_buy": _buys(organisation, before),
        },
        after={
            "membership_type": str(membership_type),
            "may_buy": _buys(organisation, membership_type),
            "buyers_affected": change.buyers_affected,
        },
    )
    db.session.commit()
    return change


def _buys(organisation: Organisation, membership_type: MembershipType | None) -> bool:
    """Whether the member would buy with this type (it must be a contracting authority too)."""
    return membership_type in BUYING_MEMBERSHIP_TYPES and organisation.is_contracting_authority


def consequence_of(membership_type: MembershipType) -> str:
    """What a membership type means for buying, in words for the administrator."""
    if membership_type in BUYING_MEMBERSHIP_TYPES:
        return f"{membership_type.label} members may buy from the DPS."
    return (
        f"{membership_type.label} members may not buy from the DPS. Their buyers keep viewer "
        "access, and can buy again if the organisation becomes a Full or Associate member."
    )


# --- Contracting authority ----------------------------------------------------------------


def set_contracting_authority(
    organisation: Organisation, is_contracting_authority: bool, reason: str, *, actor: User | None
) -> str:
    """Record whether a member is a contracting authority; buying follows at once.

    The administrator gives the reason, kept in the audit trail with the before and after; a
    "change" to what is already recorded records nothing. Returns the message to show.
    """
    if organisation.kind != OrganisationKind.MEMBER:
        raise OrganisationRefused(
            "Only member organisations are recorded as contracting authorities or not. "
            "The network itself may always buy",
            field="is_contracting_authority",
        )
    name = organisation.name
    if organisation.is_contracting_authority == is_contracting_authority:
        return f"{name} is already recorded as {_authority_words(is_contracting_authority)}."
    reason = " ".join(reason.split())
    if not reason:
        raise OrganisationRefused("Enter the reason for the change", field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise OrganisationRefused(
            f"The reason must be {REASON_MAX_LENGTH} characters or fewer", field="reason"
        )
    before = {
        "is_contracting_authority": not is_contracting_authority,
        "may_buy": organisation.may_buy,
    }
    organisation.is_contracting_authority = is_contracting_authority
    buyers = recorded_buyers(organisation)
    audit.record(
        "organisation.contracting_authority_changed",
        organisation,
        actor=actor,
        before=before,
        after={
            "is_contracting_authority": is_contracting_authority,
            "may_buy": organisation.may_buy,
            "buyers_affected": buyers,
            "reason": reason,
        },
    )
    db.session.commit()
    text = f"{name} is now recorded as {_authority_words(is_contracting_authority)}."
    if buyers and before["may_buy"] != organisation.may_buy:
        people = _people(buyers, "buyer")
        text += (
            f" Its {people} can buy again."
            if organisation.may_buy
            else f" Its {people} can no longer buy. They keep viewer access."
        )
    return text


def _authority_words(is_contracting_authority: bool) -> str:
    return "a contracting authority" if is_contracting_authority else "not a contracting authority"


def why_cannot_buy(organisation: Organisation) -> str | None:
    """Why the organisation's people cannot run call-offs, in words for them; None if they can."""
    if organisation.may_buy:
        return None
    name = organisation.name
    cannot = "so its people cannot run call-offs"
    membership_type = organisation.membership_type
    if organisation.kind != OrganisationKind.MEMBER or membership_type is None:
        return f"{name} is not a member of the CCIN, {cannot}."
    if membership_type not in BUYING_MEMBERSHIP_TYPES:
        article = "an" if membership_type.label[0] in "AEIOU" else "a"
        return f"{name} is {article} {membership_type.label} member, {cannot}."
    return f"{name} is not a contracting authority, {cannot}."


def buying_refusal(membership: Membership) -> str:
    """Why this member of an organisation may not run call-offs, and who to ask."""
    reason = why_cannot_buy(membership.organisation)
    if reason is None:
        return (
            "You were invited as a viewer, so you can read about call-offs but cannot run one. "
            "If you need to buy, ask Oldham Council procurement to invite you as a buyer."
        )
    return (
        f"{reason} Only Full and Associate members that are contracting authorities, and the "
        "network itself, can buy through the dynamic purchasing system. If you think this is "
        "wrong, ask Oldham Council procurement to check your organisation’s record."
    )
