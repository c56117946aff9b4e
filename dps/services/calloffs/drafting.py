"""Drafting a call-off: who may start one, reading one (always within an organisation), and
saving the sections of its task list that are plain values (details, value and dates,
deadlines). The questions, price and criteria are ``dps.services.calloffs.questions``; the
panel ``dps.services.calloffs.panel``; documents ``dps.services.calloffs.documents``.

Only a buyer of an organisation that may buy (a Full or Associate member that is a contracting
authority, or the network) may start or change a call-off. Every save keeps what was typed,
valid or not (a value that cannot be read is kept in ``pending_input`` and its column left
empty), writes its audit event, commits, and returns every problem of the section at once as
``Refusal``s naming their fields (an empty list when the section is complete). A published
call-off is locked: its criteria, weights and panel never change again.

What the saves take, as a page would pass it:
- dates: a ``date``, or text "2027-03-01", "1 3 2027" or "1/3/2027";
- money: pounds as typed ("£12,500.50"), kept in pence;
- deadlines: an aware ``datetime``, or {"date": <a date as above>, "time": "17:00"} in London
  time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.base import utcnow
from dps.models.calloffs import CallOff
from dps.models.dps import Lot
from dps.models.organisations import BUYING_MEMBERSHIP_TYPES, Organisation
from dps.rules.calloff_values import FIELDS_BY_NAME, ValueRefused, fields_of
from dps.rules.enums import CallOffStatus, OrganisationKind, Role
from dps.rules.refusals import NotAllowed, NotFound, Refusal
from dps.services.calloffs import task_list
from dps.services.common import audit
from dps.services.dps.period import current_dps

REFERENCE_FORMAT = "CCIN-CO-{id:06d}"
LOCKED_MESSAGE = (
    "This call-off has been published: its questions, criteria, weightings and panel can no "
    "longer be changed"
)


class CallOffRefused(Refusal):
    """Something about a call-off the rules do not allow, and why."""


class CallOffLocked(CallOffRefused):
    """The call-off is no longer a draft, so this part of it is fixed."""


class CallOffNotFound(NotFound):
    """No such call-off in this organisation (another organisation's is not found either)."""


# --- who may buy -------------------------------------------------------------------------------


def buying_refusal(actor: User, organisation: Organisation) -> str | None:
    """Why ``actor`` may not run call-offs for ``organisation``; None when they may."""
    membership = actor.membership
    if membership is None or membership.organisation_id != organisation.id:
        return "You can only run call-offs for your own organisation"
    if organisation.kind == OrganisationKind.MEMBER and not organisation.may_buy:
        if organisation.membership_type not in BUYING_MEMBERSHIP_TYPES:
            return (
                f"{organisation.name} cannot run call-offs: only Full and Associate members of "
                "the network may buy through the DPS"
            )
        return (
            f"{organisation.name} cannot run call-offs: it is not a contracting authority, and "
            "only contracting authorities may buy through the DPS"
        )
    if not organisation.may_buy:
        return f"{organisation.name} cannot run call-offs"
    if membership.effective_role != Role.BUYER:
        return "Only buyers can run call-offs. Ask a buyer in your organisation"
    return None


def require_buyer(call_off: CallOff, actor: User) -> None:
    """Raise NotAllowed unless ``actor`` may change ``call_off`` (a viewer reads only)."""
    if buying_refusal(actor, call_off.organisation) is not None:
        raise NotAllowed("only a buyer of the call-off's organisation may change it")


def require_draft(call_off: CallOff) -> None:
    if call_off.status != CallOffStatus.DRAFT:
        raise CallOffLocked(LOCKED_MESSAGE)


def require_editable(call_off: CallOff, actor: User) -> None:
    require_buyer(call_off, actor)
    require_draft(call_off)


# --- starting and reading ------------------------------------------------------------------


def start_draft(
    organisation_id: int, lot_id: int, *, actor: User, at: datetime | None = None
) -> CallOff:
    """A new draft call-off in a lot of the DPS, for a buyer of an organisation that may buy."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(organisation_id)
    reason = buying_refusal(actor, organisation)
    if reason is not None:
        raise CallOffRefused(reason)
    dps = current_dps()
    lot = db.session.get(Lot, lot_id)
    if dps is None or lot is None or lot.dps_id != dps.id:
        raise CallOffRefused("Select a lot", field="lot")
    now = at or utcnow()
    call_off = CallOff(
        organisation_id=organisation.id,
        lot_id=lot.id,
        status=CallOffStatus.DRAFT,
        title="",
        description="",
        delivery_location="",
        sections_saved=[],
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(call_off)
    db.session.flush()
    call_off.reference = REFERENCE_FORMAT.format(id=call_off.id)
    audit.record(
        "call_off.started",
        call_off,
        actor=actor,
        after={"reference": call_off.reference, "lot": lot.number},
    )
    db.session.commit()
    return call_off


def get_for_organisation(call_off_id: int, organisation_id: int) -> CallOff:
    """The call-off if it is the organisation's; CallOffNotFound otherwise."""
    call_off = db.session.scalar(
        select(CallOff).where(CallOff.id == call_off_id, CallOff.organisation_id == organisation_id)
    )
    if call_off is None:
        raise CallOffNotFound(call_off_id)
    return call_off


def call_offs_for(organisation_id: int) -> list[CallOff]:
    """The organisation's call-offs, newest first."""
    return list(
        db.session.scalars(
            select(CallOff)
            .where(CallOff.organisation_id == organisation_id)
            .order_by(CallOff.created_at.desc(), CallOff.id.desc())
        )
    )


def typed_values(call_off: CallOff) -> dict[str, Any]:
    """Each plain value as the form should show it: what was typed where it is not valid."""
    values: dict[str, Any] = {}
    for name, field in FIELDS_BY_NAME.items():
        value = getattr(call_off, field.column)
        values[name] = "" if value is None else value
    if call_off.estimated_value_pence is not None:
        pence = call_off.estimated_value_pence
        values["estimated_value"] = f"{pence // 100}" + (
            f".{pence % 100:02d}" if pence % 100 else ""
        )
    for section in (call_off.pending_input or {}).values():
        if isinstance(section, dict):
            values.update({k: v for k, v in section.items() if k in FIELDS_BY_NAME})
    return values


# --- saving the plain sections -------------------------------------------------------------


def save_details(
    call_off: CallOff, data: Mapping[str, Any], *, actor: User, at: datetime | None = None
) -> list[Refusal]:
    """Title, description of the requirement, and where it is delivered."""
    return _save_fields(call_off, "details", data, actor=actor, at=at)


def save_value_and_dates(
    call_off: CallOff, data: Mapping[str, Any], *, actor: User, at: datetime | None = None
) -> list[Refusal]:
    """The estimated value excluding VAT (pounds as typed) and the contract's start and end."""
    return _save_fields(call_off, "value_and_dates", data, actor=actor, at=at)


def save_deadlines(
    call_off: CallOff, data: Mapping[str, Any], *, actor: User, at: datetime | None = None
) -> list[Refusal]:
    """The deadline for questions and the tender deadline; the problems returned are judged
    for invitations sent at ``at`` (now), as publishing will judge them when it happens."""
    return _save_fields(call_off, "deadlines", data, actor=actor, at=at)


def _save_fields(
    call_off: CallOff,
    section: str,
    data: Mapping[str, Any],
    *,
    actor: User,
    at: datetime | None,
) -> list[Refusal]:
    require_editable(call_off, actor)
    now = at or utcnow()
    pending_all = dict(call_off.pending_input or {})
    pending = dict(pending_all.get(section) or {})
    before = section_snapshot(call_off, section)
    for field in fields_of(section):
        if field.name not in data:
            continue
        raw = data[field.name]
        value: Any
        try:
            value = None if _blank(raw) else field.read(raw)
        except ValueRefused:
            pending[field.name] = _as_stored(raw)
            value = None
        else:
            pending.pop(field.name, None)
        if value is None and field.column in {"title", "description", "delivery_location"}:
            value = ""
        setattr(call_off, field.column, value)
    if pending:
        pending_all[section] = pending
    else:
        pending_all.pop(section, None)
    call_off.pending_input = pending_all or None
    return finish_saving(call_off, section, before, actor=actor, at=now)


def finish_saving(
    call_off: CallOff, section: str, before: dict[str, Any], *, actor: User, at: datetime
) -> list[Refusal]:
    """Mark the section saved, audit what changed, commit, and return the section's problems."""
    after = section_snapshot(call_off, section)
    saved = list(call_off.sections_saved or [])
    if section not in saved:
        call_off.sections_saved = [*saved, section]
    changed = sorted(key for key in after if before.get(key) != after[key])
    if changed or section not in saved:
        call_off.updated_at = at
        audit.record(
            f"call_off.{section}_saved",
            call_off,
            actor=actor,
            before={key: before.get(key) for key in changed},
            after={key: after[key] for key in changed},
        )
    db.session.commit()
    return task_list.section_problems(call_off, section, at)


def section_snapshot(call_off: CallOff, section: str) -> dict[str, Any]:
    """The section's values as plain data, for the audit trail."""
    values: dict[str, Any] = {
        field.column: _plain(getattr(call_off, field.column)) for field in fields_of(section)
    }
    pending = (call_off.pending_input or {}).get(section)
    if pending:
        values["typed_but_not_valid"] = pending
    if section == "questions":
        values["questions"] = [
            {
                "kind": str(q.kind),
                "text": q.text,
                "guidance": q.guidance,
                "max_score": q.max_score,
                "scoring_scale": q.scoring_scale,
                "word_limit": q.word_limit,
                "theme": q.theme,
            }
            for q in call_off.questions
        ]
    elif section == "criteria":
        values["weights"] = [q.weight_percent for q in call_off.questions]
    elif section == "price":
        values["price_format"] = _plain(call_off.price_format)
        values["price_formula"] = _plain(call_off.price_formula)
        values["abnormally_low_percent"] = call_off.abnormally_low_percent
        values["tie_break"] = _plain(call_off.tie_break)
        values["lines"] = [[p.description, p.unit, p.quantity] for p in call_off.price_lines]
    elif section == "panel":
        values["panel"] = [[m.user_id, m.is_lead] for m in call_off.panel]
    return values


def _blank(raw: Any) -> bool:
    if isinstance(raw, dict):
        return all(_blank(part) for part in raw.values())
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _as_stored(raw: Any) -> Any:
    if isinstance(raw, dict):
        return {key: _as_stored(value) for key, value in raw.items()}
    return raw if isinstance(raw, str | int) else str(raw)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is not None and hasattr(value, "value"):
        return value.value
    return value
