"""The evaluation hub of a call-off, as one panel member sees it: their declaration, their
scoring progress tender by tender, the others' submitted scores once they have submitted all
theirs, and for the lead, how far moderation has gone. Anyone not on the panel is refused
(``panel_roles``), with the reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dps.extensions import db
from dps.models.accounts import User
from dps.models.calloffs import CallOff, PanelMember
from dps.services.calloffs import sealing
from dps.services.evaluation import conflicts, moderation, panel_roles, scoring


@dataclass(frozen=True)
class OtherScore:
    """Another member's submitted score, for the hub once the reader has submitted."""

    tender_id: int
    question_position: int
    name: str
    score: int | None
    justification: str


@dataclass(frozen=True)
class Hub:
    member: PanelMember
    declarations: list[conflicts.Declaration]
    nobody_can_evaluate: bool
    progress: list[scoring.Progress] = field(default_factory=list)
    others: list[OtherScore] = field(default_factory=list)
    waiting_for: list[str] = field(default_factory=list)  # before the lead may moderate
    moderation: list[moderation.TenderModeration] = field(default_factory=list)

    @property
    def declared(self) -> bool:
        return self.member.declared_at is not None

    @property
    def may_score(self) -> bool:
        return self.member.may_score

    @property
    def submitted(self) -> bool:
        return self.member.scores_submitted_at is not None

    @property
    def all_scored(self) -> bool:
        return bool(self.progress) and all(p.complete for p in self.progress)

    @property
    def is_lead(self) -> bool:
        return self.member.is_lead and self.may_score


def hub(call_off: CallOff, *, actor: User, at: datetime) -> Hub:
    """The hub for ``actor``: NotAllowed for anyone off the panel, or before the opening (the
    first read at or after the deadline opens the tenders, as everywhere)."""
    if sealing.open_tenders(call_off.id, at, actor=actor):
        db.session.refresh(call_off)
    panel_roles.require_opened(call_off)
    member = panel_roles.require_member(call_off, actor)
    found = Hub(member, conflicts.declarations(call_off), conflicts.nobody_can_evaluate(call_off))
    if not member.may_score:
        return found
    progress = scoring.progress(call_off, member, at)
    bidders = {p.tender_id: p.bidder for p in progress}
    positions = {q.id: q.position for q in call_off.questions}
    others = []
    if member.scores_submitted_at is not None:
        others = sorted(
            (
                OtherScore(
                    s.tender_id,
                    positions.get(s.question_id, 0),
                    s.panel_member.user.name,
                    s.score,
                    s.justification,
                )
                for s in scoring.others_scores(call_off, actor)
                if s.tender_id in bidders
            ),
            key=lambda o: (bidders[o.tender_id].casefold(), o.question_position, o.name),
        )
    waiting: list[str] = []
    moderated: list[moderation.TenderModeration] = []
    if member.is_lead:
        waiting = moderation.waiting_for(call_off)
        moderated = moderation.status(call_off, at, actor=actor)
    return Hub(
        member,
        found.declarations,
        found.nobody_can_evaluate,
        progress,
        others,
        waiting,
        moderated,
    )
