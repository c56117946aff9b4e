"""A call-off's record as regulation 84 asks for it: what was bought and for how much, who was
invited, who tendered and who declined, the panel's declarations of interest, every score with
its justification and every moderated score with its rationale, the low prices reviewed, the
ranking and the award with its reasons, the letters and the requests for more reasons, and the
contract.

``report_for`` gathers it as a tree of dataclasses, read by the report page and its download
alike. It says plainly what has not happened yet (empty lists, ``None``); it never guesses.

Who may read it (``require_reader``): the buyers and viewers of the call-off's organisation once
it is decided (awarded, not awarded or cancelled); before that only the panel lead, and only once
every member who may score has submitted their scores (the point moderation may begin,
``dps.services.evaluation.moderation.waiting_for``), so no score is seen by anyone, the lead
included, while it can still lead their own. Only submitted scores are in the report: a member's
draft never is. The caller has already loaded the call-off within the reader's organisation
(another organisation's is "not found").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.awards import Award, AwardOutcome, Contract, OutcomeLetter, ReasonsRequest
from dps.models.calloffs import CallOff, CallOffInvitation, PanelMember
from dps.models.evaluation import ModeratedScore, PanelScore, PriceReview
from dps.models.organisations import Organisation
from dps.models.tenders import Tender
from dps.rules.award_criteria import QuestionKind
from dps.rules.award_record import (
    AwardDecision,
    ContractLine,
    Declaration,
    Declined,
    Exclusion,
    Invited,
    LetterLine,
    MemberScore,
    PriceReviewLine,
    QuestionScores,
    ReasonsLine,
    Report,
    Tendered,
    TenderScoring,
    ranking_rows,
)
from dps.rules.enums import CallOffStatus
from dps.rules.refusals import NotAllowed
from dps.services.calloffs import publishing, sealing
from dps.services.evaluation import moderation, panel_roles

DECIDED = frozenset({CallOffStatus.AWARDED, CallOffStatus.NOT_AWARDED, CallOffStatus.CANCELLED})
NOT_YET = (
    "Until the call-off is decided only the panel lead can read its record, so that no score "
    "is seen during the evaluation"
)
WAITING = (
    "You can read the record once every panel member has submitted their scores, so that no "
    "score is seen before all are in: "
)
KIND_LABELS = {QuestionKind.QUALITY: "Quality", QuestionKind.SOCIAL_VALUE: "Social value"}
LETTER_LABELS = {
    "successful": "Successful",
    "unsuccessful": "Unsuccessful",
    "no_award": "No award",
}


def require_reader(call_off: CallOff, actor: User) -> None:
    """NotAllowed unless ``actor`` may read the record and the report now."""
    if call_off.status in DECIDED:
        return
    try:
        panel_roles.require_lead(call_off, actor)
    except NotAllowed as refused:
        raise NotAllowed(NOT_YET) from refused
    waiting = moderation.waiting_for(call_off)
    if waiting:
        raise NotAllowed(WAITING + "; ".join(waiting))


def may_read(call_off: CallOff, actor: User) -> bool:
    try:
        require_reader(call_off, actor)
    except NotAllowed:
        return False
    return True


# --- gathering it --------------------------------------------------------------------------


def report_for(call_off: CallOff, actor: User, at: datetime) -> Report:
    """The report of ``call_off`` as ``actor`` may read it at ``at`` (NotAllowed otherwise)."""
    require_reader(call_off, actor)
    invitations = publishing.invitations(call_off)
    tenders = sealing.tenders_for_buyer(call_off, at, actor=actor)
    declines = sealing.declines_for_buyer(call_off, at, actor=actor)
    names = _organisation_names(
        {i.organisation_id for i in invitations} | {d.organisation_id for d in declines}
    )
    answered = {t.organisation_id for t in tenders} | {d.organisation_id for d in declines}
    people = _People()
    return Report(
        call_off_id=call_off.id,
        authority=call_off.organisation.name,
        reference=call_off.reference or "",
        title=call_off.title,
        description=call_off.description,
        lot=call_off.lot.name,
        status=call_off.status.value.replace("_", " ").capitalize(),
        delivery_location=call_off.delivery_location,
        estimated_value_pence=call_off.estimated_value_pence,
        contract_start=call_off.contract_start,
        contract_end=call_off.contract_end,
        published_at=call_off.published_at,
        published_by=people.name(call_off.published_by_id),
        clarification_deadline=call_off.clarification_deadline,
        tender_deadline=call_off.tender_deadline,
        opened_at=call_off.opened_at,
        cancelled_at=call_off.cancelled_at,
        cancel_reason=call_off.cancel_reason or "",
        invited=[_invited(i, names) for i in invitations],
        tendered=[_tendered(t) for t in tenders],
        declined=[
            Declined(names.get(d.organisation_id, ""), d.declined_at, d.reason) for d in declines
        ],
        neither=[
            names.get(i.organisation_id, "")
            for i in invitations
            if sealing.is_opened(call_off) and i.organisation_id not in answered
        ],
        panel=[_declaration(m) for m in call_off.panel],
        scoring=_scoring(call_off, tenders, people) if sealing.is_opened(call_off) else [],
        price_reviews=_price_reviews(call_off, people),
        award=_award(call_off, people),
        letters=_letters(call_off),
        reasons=_reasons(call_off),
        contract=_contract(call_off, people),
        produced_at=at,
    )


class _People:
    """Users' names by id, each looked up once."""

    def __init__(self) -> None:
        self.known: dict[int, str] = {}

    def name(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        if user_id not in self.known:
            user = db.session.get(User, user_id)
            self.known[user_id] = user.name if user is not None else ""
        return self.known[user_id]


def _organisation_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    ).tuples()
    return dict(rows.all())


def _invited(invitation: CallOffInvitation, names: dict[int, str]) -> Invited:
    return Invited(names.get(invitation.organisation_id, ""), invitation.invited_at)


def _tendered(tender: Tender) -> Tendered:
    snapshot = tender.snapshot or {}
    return Tendered(
        tender.id,
        tender.organisation.name,
        tender.submitted_at,
        int(snapshot.get("revision") or tender.revision),
        tender.snapshot_sha256 or "",
        tender.status.value.replace("_", " ").capitalize(),
    )


def _declaration(member: PanelMember) -> Declaration:
    return Declaration(
        member.user.name,
        member.user.email,
        member.is_lead,
        member.declared_at,
        member.has_conflict,
        member.conflict_reason or "",
        member.scores_submitted_at,
    )


def _scoring(call_off: CallOff, tenders: list[Tender], people: _People) -> list[TenderScoring]:
    # Submitted scores only: a draft is the member's own working, never the record.
    panel_scores = list(
        db.session.scalars(
            select(PanelScore)
            .join(PanelMember, PanelMember.id == PanelScore.panel_member_id)
            .where(
                PanelScore.call_off_id == call_off.id,
                PanelMember.scores_submitted_at.is_not(None),
            )
            .order_by(PanelScore.panel_member_id, PanelScore.id)
        )
    )
    moderated = {
        (m.tender_id, m.question_id): m
        for m in db.session.scalars(
            select(ModeratedScore).where(ModeratedScore.call_off_id == call_off.id)
        )
    }
    by_answer: dict[tuple[int, int], list[PanelScore]] = {}
    for score in panel_scores:
        by_answer.setdefault((score.tender_id, score.question_id), []).append(score)
    result = []
    for tender in tenders:
        questions = []
        for question in call_off.questions:
            agreed = moderated.get((tender.id, question.id))
            questions.append(
                QuestionScores(
                    position=question.position,
                    text=question.text,
                    kind=KIND_LABELS.get(question.kind, str(question.kind)),
                    max_score=question.max_score,
                    weight_percent=question.weight_percent,
                    panel=[
                        MemberScore(s.panel_member.user.name, s.score, s.justification)
                        for s in by_answer.get((tender.id, question.id), [])
                    ],
                    moderated=agreed.score if agreed else None,
                    rationale=agreed.rationale if agreed else "",
                    moderated_by=people.name(agreed.recorded_by_id) if agreed else "",
                    moderated_at=agreed.recorded_at if agreed else None,
                )
            )
        result.append(TenderScoring(tender.organisation.name, questions))
    return result


def _price_reviews(call_off: CallOff, people: _People) -> list[PriceReviewLine]:
    reviews = db.session.scalars(
        select(PriceReview)
        .where(PriceReview.call_off_id == call_off.id)
        .order_by(PriceReview.flagged_at, PriceReview.id)
    )
    return [
        PriceReviewLine(
            supplier=r.tender.organisation.name,
            price_pence=r.price_pence,
            average_of_others_pence=r.average_of_others_pence,
            threshold_percent=r.threshold_percent,
            flagged_at=r.flagged_at,
            explanation_requested_at=r.explanation_requested_at,
            explanation=r.explanation or "",
            decision=r.decision.label if r.decision else "",
            reason=r.decision_reason or "",
            decided_by=people.name(r.decided_by_id),
            decided_at=r.decided_at,
        )
        for r in reviews
    ]


def award_of(call_off: CallOff) -> Award | None:
    return db.session.scalars(select(Award).where(Award.call_off_id == call_off.id)).first()


def _award(call_off: CallOff, people: _People) -> AwardDecision | None:
    award = award_of(call_off)
    if award is None:
        return None
    ranking = award.ranking or {}
    return AwardDecision(
        is_award=award.outcome == AwardOutcome.AWARD,
        winner=award.tender.organisation.name if award.tender else "",
        proposed=award.proposed_tender.organisation.name if award.proposed_tender else "",
        other_choice_reason=award.other_choice_reason or "",
        advantages=award.advantages or "",
        no_award_reasons=award.no_award_reasons or "",
        standstill_days=award.standstill_days,
        standstill_ends_at=award.standstill_ends_at,
        decided_by=people.name(award.decided_by_id),
        decided_at=award.decided_at,
        letters_sent_at=award.letters_sent_at,
        ranking=ranking_rows(ranking),
        excluded=[
            Exclusion(str(e.get("supplier") or ""), str(e.get("reason") or ""))
            for e in ranking.get("excluded") or []
        ],
    )


def _letters(call_off: CallOff) -> list[LetterLine]:
    letters = db.session.scalars(
        select(OutcomeLetter)
        .where(OutcomeLetter.call_off_id == call_off.id)
        .order_by(OutcomeLetter.id)
    )
    return [
        LetterLine(
            letter.organisation.name,
            LETTER_LABELS.get(letter.kind.value, letter.kind.value),
            letter.created_at,
            letter.sent_at,
            letter.first_read_at,
        )
        for letter in letters
    ]


def _reasons(call_off: CallOff) -> list[ReasonsLine]:
    requests = db.session.scalars(
        select(ReasonsRequest)
        .where(ReasonsRequest.call_off_id == call_off.id)
        .order_by(ReasonsRequest.asked_at, ReasonsRequest.id)
    )
    return [
        ReasonsLine(
            r.letter.organisation.name,
            r.request,
            r.asked_at,
            r.reply_due,
            r.reply or "",
            r.replied_at,
        )
        for r in requests
    ]


def contract_of(call_off: CallOff) -> Contract | None:
    return db.session.scalars(select(Contract).where(Contract.call_off_id == call_off.id)).first()


def _contract(call_off: CallOff, people: _People) -> ContractLine | None:
    contract = contract_of(call_off)
    if contract is None:
        return None
    tender = db.session.get(Tender, contract.tender_id)
    return ContractLine(
        contract.reference,
        tender.organisation.name if tender is not None else "",
        contract.value_pence,
        contract.start_date,
        contract.end_date,
        contract.confirmed_at,
        people.name(contract.confirmed_by_id),
    )
