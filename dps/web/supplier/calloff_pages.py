"""What a supplier's call-off pages show: the requirement as summary lists, the tender form's
fields with what was typed, and problems as an error summary linked to each question.

No routes here (``dps.web.supplier.calloffs`` has them): the render-every-template test builds
the same contexts through these functions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from markupsafe import Markup

from dps.models.calloffs import CallOff, PriceFormat
from dps.outside import filetypes
from dps.rules.award_criteria import CCIN_PRINCIPLES, QuestionKind
from dps.rules.enums import CallOffStatus
from dps.rules.refusals import Refusal
from dps.rules.timefmt import format_date, format_datetime, format_pence
from dps.services.calloffs import (
    clarifications,
    documents,
    supplier_view,
    tender_documents,
    tendering,
)
from dps.services.calloffs.sealing import deadline_passed
from dps.web.refusals import Shown

# A tender document's refusal ("title" or "file") as the tender page's field it is shown on.
DOCUMENT_FIELDS = {"title": "document-title", "file": "document-file"}


def shown(problems: list[Refusal]) -> Shown:
    result = Shown()
    for problem in problems:
        name = problem.field or ""
        result.summary.append(
            {"text": problem.message, "href": f"#{name}"} if name else {"text": problem.message}
        )
        if name and name not in result.by_field:
            result.by_field[name] = problem.message
    return result


def london_deadline(value: datetime | None) -> str:
    return f"{format_datetime(value)} (London time)" if value else "Not given"


def is_open(call_off: CallOff, at: datetime) -> bool:
    """Whether tenders may be sent or changed at ``at`` (the server's clock decides)."""
    return call_off.status == CallOffStatus.PUBLISHED and not deadline_passed(call_off, at)


def may_ask(call_off: CallOff, at: datetime) -> bool:
    deadline = call_off.clarification_deadline
    return is_open(call_off, at) and deadline is not None and at < deadline


def requirement(call_off: CallOff) -> list[dict[str, Any]]:
    def row(key: str, value: str) -> dict[str, Any]:
        return {"key": {"text": key}, "value": {"text": value or "Not given"}}

    return [
        row("Title", call_off.title),
        row("Description", call_off.description),
        row("Where it is delivered", call_off.delivery_location),
        row("Estimated value, excluding VAT", format_pence(call_off.estimated_value_pence)),
        row("Contract starts", format_date(call_off.contract_start)),
        row("Contract ends", format_date(call_off.contract_end)),
        row("Deadline for questions", london_deadline(call_off.clarification_deadline)),
        row("Tender deadline", london_deadline(call_off.tender_deadline)),
    ]


def question_about(question: Any) -> str:
    """'Social value: …. Weighting 20%, scored out of 5, 300 words at most.'"""
    about = (
        f"Social value: {CCIN_PRINCIPLES.get(question.theme or '', 'no principle chosen')}"
        if question.kind == QuestionKind.SOCIAL_VALUE
        else "Quality"
    )
    parts = [f"{about}. Weighting {question.weight_percent or 0}%"]
    parts.append(f"scored out of {question.max_score or 0}")
    if question.word_limit:
        parts.append(f"{question.word_limit:,} words at most")
    return ", ".join(parts) + "."


def criteria(call_off: CallOff) -> list[dict[str, Any]]:
    """The award criteria: each question's weighting and the price's."""
    rows: list[dict[str, Any]] = [
        {
            "key": {"text": f"Question {q.position}"},
            "value": {
                "html": Markup('{}<br><span class="govuk-hint">{}</span>').format(
                    q.text, question_about(q)
                )
                + (
                    Markup('<p class="govuk-body-s">Scoring: {}</p>').format(q.scoring_scale)
                    if q.scoring_scale
                    else ""
                )
            },
        }
        for q in call_off.questions
    ]
    rows.append(
        {
            "key": {"text": "Price"},
            "value": {
                "text": f"{call_off.price_format.label if call_off.price_format else 'Price'}: "
                f"weighting {call_off.price_weight_percent or 0}%"
            },
        }
    )
    return rows


def price_rows(call_off: CallOff) -> list[list[dict[str, str]]]:
    return [
        [
            {"text": str(line.position)},
            {"text": line.description},
            {"text": "" if line.quantity is None else f"{line.quantity:,}"},
            {"text": line.unit},
        ]
        for line in call_off.price_lines
    ]


def price_fields(call_off: CallOff) -> list[dict[str, str]]:
    """Each price asked for: the field name and its label."""
    if call_off.price_format == PriceFormat.SCHEDULE:
        return [
            {
                "name": tendering.price_field(str(line.id)),
                "label": f"Line {line.position}: {line.description} "
                f"({'' if line.quantity is None else f'{line.quantity:,} '}{line.unit})",
            }
            for line in call_off.price_lines
        ]
    return [{"name": tendering.price_field("total"), "label": "Total price, excluding VAT"}]


def call_off_context(
    invitation: supplier_view.SupplierInvitation,
    published: list[clarifications.PublishedItem],
    asked: list[Any],
    at: datetime,
    problems: list[Refusal],
) -> dict[str, Any]:
    """Everything the call-off page shows to an invited supplier (the view has found the
    invitation, the published answers and the supplier's own questions within its
    organisation)."""
    call_off = invitation.call_off
    return {
        "call_off": call_off,
        "invitation": invitation,
        "requirement": requirement(call_off),
        "criteria": criteria(call_off),
        "price_rows": price_rows(call_off),
        "documents": documents.current(call_off),
        "published": published,
        "asked": asked,
        "is_open": is_open(call_off, at),
        "may_ask": may_ask(call_off, at),
        "problems": shown(problems),
        "question": "",
        "contract": [],  # the winner's contract, once confirmed (the view fills it in)
    }


def tender_context(
    invitation: supplier_view.SupplierInvitation,
    at: datetime,
    problems: list[Refusal],
    typed: dict[str, str] | None = None,
    *,
    document_title: str = "",
) -> dict[str, Any]:
    """The tender form: every answer and price as last typed (``typed`` over what is kept),
    and the tender's documents with the form to upload another (its fields are
    ``DOCUMENT_FIELDS``' names, so a refusal links to them from the error summary)."""
    call_off = invitation.call_off
    values = tendering.typed_values(invitation.tender)
    values.update(typed or {})
    return {
        "call_off": call_off,
        "invitation": invitation,
        "questions": call_off.questions,
        "answer_field": tendering.answer_field,
        "prices": price_fields(call_off),
        "values": values,
        "is_open": is_open(call_off, at),
        "problems": shown(problems),
        "documents": tender_documents.current(invitation.tender),
        "document_title": document_title,
        "accept": filetypes.ACCEPT_ATTRIBUTE,
        "size_limit": filetypes.size_limit(int(current_app.config["DOCUMENT_MAX_BYTES"])),
    }


def receipt(invitation: supplier_view.SupplierInvitation) -> dict[str, Any]:
    tender = invitation.tender
    assert tender is not None and tender.submitted_at is not None
    return {
        "call_off": invitation.call_off,
        "tender": tender,
        "received": tendering.receipt_time(tender.submitted_at),
        "sha256": tender.snapshot_sha256,
    }
