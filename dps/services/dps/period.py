"""The DPS and its lots: what is open, and changing the period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app

from dps.extensions import db
from dps.models.accounts import User
from dps.models.base import utcnow
from dps.models.dps import DPS, Notice
from dps.rules import pcr2015
from dps.rules.timefmt import format_date
from dps.services.common import audit


def current_dps() -> DPS | None:
    """The DPS this portal runs. One deployment runs one DPS; the first one is it."""
    return db.session.scalars(db.select(DPS).order_by(DPS.id).limit(1)).first()


def period_of(dps: DPS) -> pcr2015.Period:
    return pcr2015.Period(dps.period_start, dps.period_end)


def is_open(dps: DPS, at: datetime | None = None) -> bool:
    return period_of(dps).is_open(at or utcnow())


def latest_notices(dps: DPS, limit: int = 3) -> list[Notice]:
    return list(
        db.session.scalars(
            db.select(Notice)
            .where(Notice.dps_id == dps.id)
            .order_by(Notice.published_at.desc(), Notice.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class PublicStatus:
    dps: DPS | None
    open_now: bool
    opens_at: datetime | None
    closes_at: datetime | None
    notices: list[Notice] = field(default_factory=list)
    # True before the period has started; False when it is open or over.
    not_yet_open: bool = False

    @property
    def last_open_moment(self) -> datetime | None:
        """One second before the period closes: 23:59:59 London on the end date."""
        return self.closes_at - timedelta(seconds=1) if self.closes_at else None


def public_status(at: datetime | None = None) -> PublicStatus:
    dps = current_dps()
    if dps is None:
        return PublicStatus(None, False, None, None)
    at = at or utcnow()
    period = period_of(dps)
    return PublicStatus(
        dps,
        period.is_open(at),
        period.opens_at,
        period.closes_at,
        latest_notices(dps),
        not_yet_open=at < period.opens_at,
    )


def transitional_cap() -> date:
    """The last day a 2015 DPS may run to (configured; DESIGN §3)."""
    cap: date = current_app.config["DPS_TRANSITIONAL_CAP"]
    return cap


def change_period(dps: DPS, *, start: date, end: date, reason: str, actor: User | None) -> Notice:
    """Change the DPS period: checked against the rules, announced as a notice, audited."""
    reason = reason.strip()
    if not reason:
        raise pcr2015.PeriodRefused("Give a reason for changing the period.", field="reason")
    if (start, end) == (dps.period_start, dps.period_end):
        raise pcr2015.PeriodRefused(
            "The dates are the same as the current period. Change one of them.", field="start"
        )
    proposed = pcr2015.Period(start, end)
    pcr2015.check_period(proposed, transitional_cap=transitional_cap())
    before = {
        "period_start": dps.period_start.isoformat(),
        "period_end": dps.period_end.isoformat(),
    }
    after = {"period_start": start.isoformat(), "period_end": end.isoformat(), "reason": reason}
    dps.period_start, dps.period_end = start, end
    notice = Notice(
        dps=dps,
        kind="period_changed",
        title="The period of the dynamic purchasing system has changed",
        body=(
            f"The DPS now runs from {format_date(start)} to {format_date(end)} inclusive. "
            f"Reason: {reason}"
        ),
        published_at=utcnow(),
        published_by_id=actor.id if actor else None,
    )
    db.session.add(notice)
    audit.record("dps.period_changed", dps, actor=actor, before=before, after=after)
    db.session.commit()
    return notice
