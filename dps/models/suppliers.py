"""A supplier organisation's profile: who it is, as the selection questionnaire's Part 1 asks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.base import UTCDateTime, str_enum, utcnow
from dps.models.organisations import Organisation
from dps.rules.enums import LegalForm, OrganisationSize


class SupplierProfile(db.Model):  # type: ignore[name-defined]
    __tablename__ = "supplier_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    legal_name: Mapped[str] = mapped_column(String(200), default="")
    trading_name: Mapped[str] = mapped_column(String(200), default="")
    legal_form: Mapped[LegalForm | None] = mapped_column(
        str_enum(LegalForm, "legal_form"), nullable=True
    )
    companies_house_number: Mapped[str | None] = mapped_column(String(8), nullable=True)
    charity_number: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # The FCA mutuals public register number of a co-operative or community benefit society.
    fca_number: Mapped[str | None] = mapped_column(String(20), nullable=True)
    address_line_1: Mapped[str] = mapped_column(String(200), default="")
    address_line_2: Mapped[str] = mapped_column(String(200), default="")
    town: Mapped[str] = mapped_column(String(100), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    size: Mapped[OrganisationSize | None] = mapped_column(
        str_enum(OrganisationSize, "organisation_size"), nullable=True
    )
    employees: Mapped[int | None] = mapped_column(nullable=True)
    is_vcse: Mapped[bool | None] = mapped_column(nullable=True)
    is_cooperative_or_mutual: Mapped[bool | None] = mapped_column(nullable=True)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    # What was typed but is not valid yet (field -> text), kept on "Save and come back later"
    # so nothing typed is lost; the form shows it again with its error.
    pending_input: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    organisation: Mapped[Organisation] = relationship()
