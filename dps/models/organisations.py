"""Organisations: suppliers, member councils and the network itself."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.base import UTCDateTime, str_enum, utcnow
from dps.rules.enums import MembershipType, OrganisationKind

if TYPE_CHECKING:
    from dps.models.accounts import Membership

# Only these may run call-offs (DESIGN §1): Full and Associate members that are contracting
# authorities, and the network itself through its accountable body.
BUYING_MEMBERSHIP_TYPES = frozenset({MembershipType.FULL, MembershipType.ASSOCIATE})


class Organisation(db.Model):  # type: ignore[name-defined]
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "organisation_kind"))
    membership_type: Mapped[MembershipType | None] = mapped_column(
        str_enum(MembershipType, "membership_type"), nullable=True
    )
    companies_house_number: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # Consulted for member organisations only: a council is one; a political group (a minority
    # administration, an opposition group) or a body outside the UK may be a member but is not,
    # so it may never buy (PCR 2015: only contracting authorities named in the notice call off).
    is_contracting_authority: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation")

    @property
    def may_buy(self) -> bool:
        if self.kind == OrganisationKind.NETWORK:
            return True
        return (
            self.kind == OrganisationKind.MEMBER
            and self.membership_type in BUYING_MEMBERSHIP_TYPES
            and self.is_contracting_authority
        )

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"
