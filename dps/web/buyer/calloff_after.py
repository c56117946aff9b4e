"""What the buyer's pages after publishing show: the suppliers' questions (their text only,
never who asked), the tenders section (sealed until the deadline; read only through
``dps.services.calloffs.sealing``, whose first read after the deadline opens them), one tender
as its snapshot records what was sent, and the few checks a form makes before its service.

No routes here (``dps.web.buyer.calloff_changes`` has them): the render-every-template test
builds the same contexts through these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from werkzeug.datastructures import MultiDict

from dps.extensions import db
from dps.models.accounts import User
from dps.models.calloffs import CallOff
from dps.models.organisations import Organisation
from dps.models.tenders import Tender
from dps.rules import calloff_values
from dps.rules.award_criteria import words_in
from dps.rules.enums import CallOffStatus
from dps.rules.refusals import Refusal
from dps.services.calloffs import clarifications, sealing
from dps.services.calloffs.tendering import receipt_time
from dps.services.evaluation import panel_roles, reading


@dataclass(frozen=True)
class AskedQuestion:
    """A supplier's question as the buyer's organisation sees it: the text, never the asker."""

    id: int
    question: str
    asked_at: datetime
    published_question: str | None
    answer: str | None
    answered_at: datetime | None


@dataclass(frozen=True)
class TenderRow:
    id: int
    supplier: str
    received: str
    revision: int
    sha256: str


def asked_questions(call_off: CallOff) -> list[AskedQuestion]:
    """Every question asked, unanswered first, with nothing that says who asked."""
    return [
        AskedQuestion(c.id, c.question, c.asked_at, c.published_question, c.answer, c.answered_at)
        for c in clarifications.questions_for_buyer(call_off)
    ]


def open_for_changes(call_off: CallOff, at: datetime) -> bool:
    """Whether answers, addenda and a later deadline may be published now."""
    return call_off.status == CallOffStatus.PUBLISHED and not sealing.deadline_passed(call_off, at)


# Why someone may not read the opened tenders, as the call-off page puts it.
WHY_NOT = {
    panel_roles.NOT_ON_PANEL: (
        "Only the call-off’s evaluation panel can read the tenders, once each member has "
        "declared they have no conflict of interest with any bidder."
    ),
    panel_roles.NOT_DECLARED: (
        "You are on the evaluation panel: declare whether you have a conflict of interest with "
        "any bidder before you read the tenders."
    ),
    panel_roles.CONFLICTED: (
        "You declared a conflict of interest, so you are not on this call-off’s panel and "
        "cannot read the tenders."
    ),
}


def after_publishing(call_off: CallOff, at: datetime, *, actor: User) -> dict[str, Any]:
    """The published call-off page's questions, published answers and tenders section.

    Everyone learns whether tenders are sealed or opened and how many; only a panel member who
    has declared no conflict of interest (``reading.access_for``), once they are opened, each
    tender's supplier, receipt, revision and checksum, and the declines with their reasons.
    Anyone else is told why; a panel member who has not declared is linked to the declaration.
    """
    if call_off.is_draft:
        return {"after": None}
    summary = sealing.summary_for_buyer(call_off, at, actor=actor)
    access = reading.access_for(call_off, actor)
    may_read_tenders = access.may_read
    tenders: list[TenderRow] = []
    declines: list[Any] = []
    if summary.opened and may_read_tenders:
        tenders = [tender_row(t) for t in sealing.tenders_for_buyer(call_off, at, actor=actor)]
        declines = [
            {"supplier": d.organisation_id, "reason": d.reason, "declined_at": d.declined_at}
            for d in sealing.declines_for_buyer(call_off, at, actor=actor)
        ]
        names = _names({int(d["supplier"]) for d in declines})
        for decline in declines:
            decline["supplier"] = names.get(int(decline["supplier"]), "")
    return {
        "after": {
            "summary": summary,
            "questions": asked_questions(call_off),
            "published": clarifications.published_for(call_off.id),
            "open_for_changes": open_for_changes(call_off, at),
            "tenders": tenders,
            "declines": declines,
            "may_read_tenders": may_read_tenders,
            "why_not": WHY_NOT.get(access.reason or "", access.reason or ""),
            "must_declare": access.must_declare,
            "on_panel": summary.opened and panel_roles.member_for(call_off, actor) is not None,
        }
    }


def _names(organisation_ids: set[int]) -> dict[int, str]:
    if not organisation_ids:
        return {}
    rows = db.session.execute(
        db.select(Organisation.id, Organisation.name).where(Organisation.id.in_(organisation_ids))
    ).tuples()
    return dict(rows.all())


def tender_row(tender: Tender) -> TenderRow:
    snapshot = tender.snapshot or {}
    supplier = (snapshot.get("supplier") or {}).get("name") or tender.organisation.name
    received = tender.submitted_at
    return TenderRow(
        tender.id,
        supplier,
        receipt_time(received) if received else "",
        int(snapshot.get("revision") or tender.revision),
        tender.snapshot_sha256 or "",
    )


def tender_context(call_off: CallOff, tender: Tender) -> dict[str, Any]:
    """A tender as its snapshot records what was sent (never the supplier's live draft)."""
    snapshot = tender.snapshot or {}
    questions = {q.id: q for q in call_off.questions}
    answers = []
    for answer in snapshot.get("answers") or []:
        question = questions.get(int(answer.get("question_id") or 0))
        answers.append(
            {
                "position": answer.get("position"),
                "question": question.text if question else "",
                "word_limit": question.word_limit if question else None,
                "text": answer.get("text") or "",
                "words": words_in(answer.get("text") or ""),
            }
        )
    return {
        "call_off": call_off,
        "tender": tender_row(tender),
        "answers": answers,
        "prices": snapshot.get("prices") or [],
        "total_pence": snapshot.get("total_pence"),
        "documents": snapshot.get("documents") or [],
    }


# --- the forms' own checks ------------------------------------------------------------------


def text_problems(form: MultiDict[str, str], names: dict[str, str]) -> list[Refusal]:
    """Every text box of ``names`` (field -> what it is called) that is empty or too long, all
    at once, in the order given; the same limits as the clarification service."""
    found = []
    for field, name in names.items():
        typed = calloff_values.text(form.get(field, ""))
        if not typed:
            found.append(Refusal(f"Enter {name}", field=field))
        elif len(typed) > clarifications.TEXT_MAX:
            found.append(
                Refusal(
                    f"{name[0].upper()}{name[1:]} must be {clarifications.TEXT_MAX} "
                    "characters or fewer",
                    field=field,
                )
            )
    return found
