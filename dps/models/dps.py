"""The Dynamic Purchasing System itself, its lots, and the notices it publishes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.base import UTCDateTime, utcnow
from dps.models.organisations import Organisation


class DPS(db.Model):  # type: ignore[name-defined]
    __tablename__ = "dps"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(50), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    # Dates, not instants: the period runs from 00:00 London on the start date to 00:00 London
    # on the day after the end date (DESIGN §3; dps.rules.pcr2015 turns them into instants).
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    rule_set: Mapped[str] = mapped_column(String(50), default="PCR 2015 reg. 34")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    owner: Mapped[Organisation] = relationship()
    lots: Mapped[list[Lot]] = relationship(back_populates="dps", order_by="Lot.number")
    notices: Mapped[list[Notice]] = relationship(
        back_populates="dps", order_by="Notice.published_at.desc()"
    )


class Lot(db.Model):  # type: ignore[name-defined]
    __tablename__ = "lots"
    __table_args__ = (UniqueConstraint("dps_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dps_id: Mapped[int] = mapped_column(ForeignKey("dps.id"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # Money is integer pence.
    min_annual_turnover_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    min_employers_liability_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    min_public_liability_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    min_professional_indemnity_pence: Mapped[int] = mapped_column(BigInteger, default=0)

    dps: Mapped[DPS] = relationship(back_populates="lots")

    @property
    def name(self) -> str:
        return f"Lot {self.number} – {self.title}"


class Notice(db.Model):  # type: ignore[name-defined]
    """A public announcement about the DPS, such as a change to its period."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    dps_id: Mapped[int] = mapped_column(ForeignKey("dps.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    dps: Mapped[DPS] = relationship(back_populates="notices")
