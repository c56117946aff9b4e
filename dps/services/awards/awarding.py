"""The end of a call-off's evaluation and the award decision, taken by the panel lead.

- ``finish_evaluation``: once every ranked tender has a moderated score for every question and
  every possibly abnormally low price is decided, the call-off is evaluated (CLOSED ->
  EVALUATED); ranked tenders are scored, tenders rejected for their price unsuccessful.
- ``decide_award``: the portal proposes the highest-ranked tender; choosing another needs a
  recorded reason. When the tie-break leaves the highest rank shared nothing is proposed: the
  lead chooses a tender and records why (``Award.proposed_tender_id`` stays None). The lead
  writes the relative characteristics and advantages of the winning tender (reg. 55(2)(c);
  they go in the unsuccessful bidders' letters) and chooses whether to hold a standstill period
  (optional for a call-off under a DPS, reg. 87(5); at least 10 days).
  The ``Award`` keeps the ranking it was made on, frozen; the call-off is awarded, the winner's
  tender successful and every other unsuccessful.
- ``decide_no_award``: from closed or evaluated, with the reasons (reg. 55(1)); every opened
  tender is unsuccessful. Telling every bidder is the letters' part. Once opened, a call-off is
  never cancelled: this is how it ends without a contract. The lead decides; when nobody on the
  panel can evaluate (all conflicted), any buyer of the organisation with no declared conflict
  does (``panel_roles.require_decider``).

Each takes the call-off's row lock first, so two leads deciding at once cannot both succeed.
A problem the lead can put right comes back as ``Refusal``s naming their questions, all at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.awards import Award, AwardOutcome
from dps.models.calloffs import CallOff
from dps.rules import calloff_values
from dps.rules.award_timing import (
    STANDSTILL_MAXIMUM_DAYS,
    STANDSTILL_MINIMUM_DAYS,
    check_standstill_days,
)
from dps.rules.enums import CallOffStatus, TenderStatus
from dps.rules.lifecycles import CALL_OFF, TENDER
from dps.rules.refusals import NotAllowed, NotFound, Refusal
from dps.services.awards import letters
from dps.services.common.locking import lock_row
from dps.services.common.statemachine import move
from dps.services.evaluation import panel_roles, pricing, ranking
from dps.services.evaluation.panel_roles import require_lead

TEXT_MAX = 10_000
ALREADY_EVALUATED = "The evaluation of this call-off has already finished"
NOT_EVALUATED = "Finish the evaluation before you decide the award"
ALREADY_DECIDED = "The award of this call-off has already been decided"
CHOOSE_TIED = "Choose which of the tenders sharing the highest rank to award the contract to"
TIED_REASON = "Enter why you chose this tender: the highest rank is shared"


class AwardRefused(Refusal):
    """The evaluation cannot finish, or the award cannot be decided, yet."""


def award_for(call_off: CallOff) -> Award | None:
    """The call-off's award decision (to award or not), if one was made."""
    return db.session.scalar(select(Award).where(Award.call_off_id == call_off.id))


def _locked(call_off: CallOff) -> CallOff:
    locked = lock_row(CallOff, call_off.id)
    if locked is None:
        raise NotFound(call_off.id)
    return locked


def proposal(call_off: CallOff, *, actor: User) -> ranking.CallOffRanking:
    """The ranking the award page proposes from: the lead only, once evaluated."""
    require_lead(call_off, actor)
    if call_off.status != CallOffStatus.EVALUATED:
        raise NotAllowed(ALREADY_DECIDED if award_for(call_off) else NOT_EVALUATED)
    return ranking.current(call_off)


def require_may_decide_no_award(call_off: CallOff, *, actor: User) -> None:
    """The lead (or, when nobody on the panel can evaluate, a buyer with no declared conflict),
    before any decision: NotAllowed otherwise."""
    panel_roles.require_decider(call_off, actor)
    if call_off.status not in {CallOffStatus.CLOSED, CallOffStatus.EVALUATED}:
        raise NotAllowed(ALREADY_DECIDED)


def finish_problems(call_off: CallOff) -> list[str]:
    """Why the evaluation cannot finish yet (nothing when it can)."""
    found: list[str] = []
    undecided = pricing.undecided(call_off)
    if undecided:
        found.append(
            f"Decide on every possibly abnormally low price: {len(undecided)} "
            + ("is" if len(undecided) == 1 else "are")
            + " not decided yet"
        )
    current = ranking.current(call_off)
    if current.missing:
        count = sum(current.missing.values())
        found.append(
            f"Moderate every tender’s score for every question: {count} "
            + ("score is" if count == 1 else "scores are")
            + " not moderated yet"
        )
    if current.tenders and len(current.excluded) == len(current.tenders):
        found.append("Every tender was rejected, so none can be ranked: decide not to award")
    if not current.tenders:
        found.append("There are no opened tenders to rank: decide not to award")
    return found


def finish_evaluation(call_off: CallOff, *, actor: User, at: datetime) -> None:
    """The lead finishes the evaluation: the call-off is evaluated on the ranking as it stands."""
    require_lead(call_off, actor)
    call_off = _locked(call_off)
    if call_off.status != CallOffStatus.CLOSED:
        raise AwardRefused(ALREADY_EVALUATED)
    problems = finish_problems(call_off)
    if problems:
        raise AwardRefused(". ".join(problems))
    current = ranking.current(call_off)
    assert current.ranking is not None
    move(
        CALL_OFF,
        call_off,
        CallOffStatus.EVALUATED,
        actor=actor,
        event="call_off.evaluated",
        proposed_tender_id=current.proposed_tender_id,
        ranked=[[row.key, row.rank] for row in current.ranking.rows],
        excluded=[[row.tender_id, row.reason] for row in current.excluded],
    )
    for row in current.ranking.rows:
        move(TENDER, current.tenders[row.key], TenderStatus.SCORED, actor=actor, rank=row.rank)
    for left_out in current.excluded:
        move(
            TENDER,
            current.tenders[left_out.tender_id],
            TenderStatus.UNSUCCESSFUL,
            actor=actor,
            reason=left_out.reason,
        )
    call_off.updated_at = at
    db.session.commit()


def _text_problems(typed: dict[str, str], required: dict[str, str]) -> list[Refusal]:
    found = []
    for field, value in typed.items():
        if not value and field in required:
            found.append(Refusal(required[field], field=field))
        elif len(value) > TEXT_MAX:
            found.append(Refusal(f"Keep this to {TEXT_MAX:,} characters or fewer", field=field))
    return found


def read_standstill(standstill: object, days: object) -> tuple[int | None, list[Refusal]]:
    """The standstill chosen ("yes" or "no") and its days (10 when left empty): the days, or
    None for no standstill, and the problems."""
    chosen = calloff_values.text(standstill)
    if chosen == "no":
        return None, []
    if chosen != "yes":
        return None, [Refusal("Select whether to hold a standstill period", field="standstill")]
    if calloff_values.is_blank(days):
        return STANDSTILL_MINIMUM_DAYS, []
    try:
        number = calloff_values.whole_number(
            days,
            field="standstill_days",
            name="The standstill period",
            low=0,
            high=STANDSTILL_MAXIMUM_DAYS * 10,
        )
        check_standstill_days(number)
    except Refusal as refused:
        return None, [refused]
    return number, []


def decide_award(
    call_off: CallOff,
    *,
    tender_id: int | None,
    other_reason: str = "",
    advantages: str,
    standstill: object,
    standstill_days: object = None,
    actor: User,
    at: datetime,
) -> list[Refusal]:
    """Award the call-off to ``tender_id`` (the proposed tender when None). Nothing is kept
    unless every answer is right; the problems come back all at once."""
    require_lead(call_off, actor)
    call_off = _locked(call_off)
    if call_off.status != CallOffStatus.EVALUATED:
        raise NotAllowed(ALREADY_DECIDED if award_for(call_off) else NOT_EVALUATED)
    current = ranking.current(call_off)
    proposed = current.proposed_tender_id
    chosen = proposed if tender_id is None else tender_id
    problems: list[Refusal] = []
    if chosen is None:
        problems.append(Refusal(CHOOSE_TIED, field="tender_id"))
    elif chosen not in current.tenders:
        raise NotFound(chosen)
    elif current.ranking is None or current.ranking.row_for(chosen) is None:
        problems.append(Refusal("Choose a tender that was ranked", field="tender_id"))
    typed = {
        "other_reason": calloff_values.text(other_reason),
        "advantages": calloff_values.text(advantages),
    }
    required = {"advantages": "Enter the characteristics and advantages of the winning tender"}
    if proposed is None:
        required["other_reason"] = TIED_REASON
    elif chosen != proposed:
        required["other_reason"] = "Enter why you chose a tender other than the highest ranked"
    problems += _text_problems(typed, required)
    days, standstill_problems = read_standstill(standstill, standstill_days)
    problems += standstill_problems
    if problems:
        return problems
    assert chosen is not None
    award = Award(
        call_off_id=call_off.id,
        outcome=AwardOutcome.AWARD,
        proposed_tender_id=proposed,
        tender_id=chosen,
        other_choice_reason=typed["other_reason"] if chosen != proposed else None,
        advantages=typed["advantages"],
        ranking=ranking.frozen(current),
        standstill_days=days,
        decided_at=at,
        decided_by_id=actor.id,
    )
    db.session.add(award)
    db.session.flush()
    move(
        CALL_OFF,
        call_off,
        CallOffStatus.AWARDED,
        actor=actor,
        event="call_off.awarded",
        award_id=award.id,
        tender_id=chosen,
        proposed_tender_id=proposed,
        other_choice_reason=award.other_choice_reason,
        advantages=award.advantages,
        standstill_days=days,
    )
    for tender_id_, tender in current.tenders.items():
        if tender.status == TenderStatus.SCORED:
            target = TenderStatus.SUCCESSFUL if tender_id_ == chosen else TenderStatus.UNSUCCESSFUL
            move(TENDER, tender, target, actor=actor, award_id=award.id)
    call_off.updated_at = at
    # The letters are frozen with the decision, so the preview shows exactly what will go.
    letters.prepare(call_off)
    db.session.commit()
    return []


def decide_no_award(call_off: CallOff, *, reasons: str, actor: User, at: datetime) -> list[Refusal]:
    """Decide not to award the call-off, with the reasons every bidder will be told."""
    require_may_decide_no_award(call_off, actor=actor)
    call_off = _locked(call_off)
    require_may_decide_no_award(call_off, actor=actor)
    typed = {"reasons": calloff_values.text(reasons)}
    problems = _text_problems(typed, {"reasons": "Enter the reasons for not awarding a contract"})
    if problems:
        return problems
    current = ranking.current(call_off)
    award = Award(
        call_off_id=call_off.id,
        outcome=AwardOutcome.NO_AWARD,
        no_award_reasons=typed["reasons"],
        advantages="",
        ranking=ranking.frozen(current),
        decided_at=at,
        decided_by_id=actor.id,
    )
    db.session.add(award)
    db.session.flush()
    move(
        CALL_OFF,
        call_off,
        CallOffStatus.NOT_AWARDED,
        actor=actor,
        event="call_off.not_awarded",
        award_id=award.id,
        reasons=typed["reasons"],
    )
    for tender in current.tenders.values():
        if tender.status in {TenderStatus.OPENED, TenderStatus.SCORED}:
            move(TENDER, tender, TenderStatus.UNSUCCESSFUL, actor=actor, award_id=award.id)
    call_off.updated_at = at
    letters.prepare(call_off)
    db.session.commit()
    return []


def may_decide_no_award(call_off: CallOff, actor: User) -> bool:
    try:
        require_may_decide_no_award(call_off, actor=actor)
    except NotAllowed:
        return False
    return True
