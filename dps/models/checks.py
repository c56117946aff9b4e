"""Qualification check runs and their results, kept per application (or renewal), check,
lot and run. A re-run adds a new run; earlier runs stay."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.base import UTCDateTime, str_enum, utcnow
from dps.models.dps import Lot
from dps.rules.enums import CheckOutcome, CheckState


class CheckRun(db.Model):  # type: ignore[name-defined]
    """One set of checks started together: on submission, on a re-run, or on a renewal."""

    __tablename__ = "check_runs"
    __table_args__ = (
        UniqueConstraint("application_id", "number"),
        Index("ix_check_runs_renewal_id", "renewal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id"), index=True, nullable=True
    )
    renewal_id: Mapped[int | None] = mapped_column(
        ForeignKey("declaration_renewals.id"), nullable=True
    )
    # 1, 2, 3... per application (or per renewal).
    number: Mapped[int]
    reason: Mapped[str] = mapped_column(String(40))  # submission, rerun, renewal
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # lot id (as text) -> admit / reject / refer, set when the last check of the run finishes.
    recommendation: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)

    results: Mapped[list[CheckResult]] = relationship(
        back_populates="run", order_by="CheckResult.id"
    )


class CheckResult(db.Model):  # type: ignore[name-defined]
    """One check's result in a run, for one lot or for the whole application.

    ``scope`` is "all" or "lot-<id>": part of the unique key, so a re-delivered task can never
    write a second result for the same check, lot and run.
    """

    __tablename__ = "check_results"
    __table_args__ = (UniqueConstraint("run_id", "check", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("check_runs.id"), index=True)
    check: Mapped[str] = mapped_column(String(60))
    scope: Mapped[str] = mapped_column(String(20), default="all")
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"), nullable=True)
    state: Mapped[CheckState] = mapped_column(
        str_enum(CheckState, "check_state"), default=CheckState.PENDING
    )
    outcome: Mapped[CheckOutcome | None] = mapped_column(
        str_enum(CheckOutcome, "check_outcome"), nullable=True
    )
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    attempts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    run: Mapped[CheckRun] = relationship(back_populates="results")
    lot: Mapped[Lot | None] = relationship()
