"""What the call-off pages show: reading the posted forms into what the services take, and the
problems a service returns turned into an error summary whose links reach each question.

No routes here (``dps.web.buyer.calloffs`` has them): the render-every-template test builds
the same contexts through these functions.
"""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from flask import url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from dps.models.base import utcnow
from dps.models.calloffs import CallOff, PriceFormat
from dps.rules import pcr2015
from dps.rules.award_criteria import CCIN_PRINCIPLES, QuestionKind
from dps.rules.calloff_values import FIELDS_BY_NAME
from dps.rules.digits import is_digits, whole
from dps.rules.evaluation import PriceFormula, TieBreak
from dps.rules.refusals import Refusal
from dps.rules.timefmt import format_date, format_datetime, format_pence, london
from dps.services.calloffs import documents, drafting, panel, questions, task_list
from dps.services.calloffs.publishing import invitable_count
from dps.web.refusals import Shown

SECTION_TITLES = {section.key: section.title for section in task_list.SECTIONS}
DATE_FIELDS = frozenset({"contract_start", "contract_end"})
# How price is scored and judged, asked on the price section's page.
SCORING_FIELDS = ("price_formula", "abnormally_low_percent", "tie_break")
DEADLINE_FIELDS = frozenset({"clarification_deadline", "tender_deadline"})
# Problems about the criteria as a whole, and where on the criteria page they point.
CRITERIA_WHOLE = {"price": "price_weight", "weights": "weight-1", "social_value": "weight-1"}


def anchor(name: str | None) -> str:
    """The id of the element the error summary links to for a service's field name."""
    if not name:
        return ""
    if name in DATE_FIELDS or name in DEADLINE_FIELDS:
        return f"{name}-day"
    return CRITERIA_WHOLE.get(name, name)


def section_of(name: str | None) -> str | None:
    """The task-list section whose page asks the question ``name``."""
    if not name:
        return None
    if name in FIELDS_BY_NAME:
        return FIELDS_BY_NAME[name].section
    if name.startswith("question-") or name == "questions":
        return "questions"
    if name.startswith("line-") or name in {"lines", "price_format", *SCORING_FIELDS}:
        return "price"
    if name.startswith("weight-") or name in CRITERIA_WHOLE:
        return "criteria"
    if name in {"members", "lead"}:
        return "panel"
    return None


def shown(problems: list[Refusal], call_off: CallOff | None = None) -> Shown:
    """The problems of one page, or (with ``call_off``) of the check page, where each links to
    the section's own page."""
    result = Shown()
    for problem in problems:
        name = problem.field or ""
        target = anchor(name)
        href = f"#{target}" if target else ""
        if call_off is not None:
            section = section_of(name)
            href = (
                url_for("buyer.calloff_section", call_off_id=call_off.id, section_id=section)
                + (f"#{target}" if target else "")
                if section
                else ""
            )
        result.summary.append(
            {"text": problem.message, "href": href} if href else {"text": problem.message}
        )
        if name and name not in result.by_field:
            result.by_field[name] = problem.message
    return result


# --- reading what was posted ----------------------------------------------------------------


def typed_date(form: MultiDict[str, str], name: str) -> str:
    """The three boxes of a GOV.UK date input as the service reads them ("" when all empty)."""
    parts = [form.get(f"{name}-{box}", "").strip() for box in ("day", "month", "year")]
    return "/".join(parts) if any(parts) else ""


def date_boxes(value: Any) -> dict[str, str]:
    """What the three boxes show for a kept date or a kept typing."""
    if isinstance(value, datetime):
        value = london(value).date()
    if isinstance(value, date):
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
    typed = str(value or "")
    if "/" in typed:
        parts = typed.split("/")
    elif typed.count("-") == 2:
        parts = list(reversed(typed.split("-")))
    else:
        parts = typed.split()
    parts = [*parts, "", "", ""][:3]
    return {"day": parts[0], "month": parts[1], "year": parts[2]}


def deadline_parts(value: Any) -> dict[str, Any]:
    """A kept deadline (a UTC instant, or typing kept as {"date", "time"}) as its boxes."""
    if isinstance(value, datetime):
        local = london(value)
        return {"date": date_boxes(local.date()), "time": f"{local:%H:%M}"}
    if isinstance(value, dict):
        return {"date": date_boxes(value.get("date")), "time": str(value.get("time") or "")}
    return {"date": date_boxes(""), "time": ""}


def posted_deadline(form: MultiDict[str, str], name: str) -> dict[str, str] | str:
    day = typed_date(form, name)
    time = form.get(f"{name}-time", "").strip()
    return {"date": day, "time": time} if day or time else ""


def posted_questions(form: MultiDict[str, str]) -> list[dict[str, str]]:
    count = _count(form, "question_count")
    parts = ("kind", "text", "guidance", "max_score", "scoring_scale", "word_limit", "theme")
    return [
        {part: form.get(f"question-{n}-{part}", "") for part in parts} for n in range(1, count + 1)
    ]


def posted_lines(form: MultiDict[str, str]) -> list[dict[str, str]]:
    count = _count(form, "line_count")
    return [
        {part: form.get(f"line-{n}-{part}", "") for part in ("description", "unit", "quantity")}
        for n in range(1, count + 1)
    ]


def removed_position(action: str, prefix: str) -> int | None:
    """The position in "remove-question-3" (1-based), or None."""
    if not action.startswith(prefix):
        return None
    tail = action[len(prefix) :]
    return whole(tail) if is_digits(tail, most=4) else None


def _count(form: MultiDict[str, str], name: str) -> int:
    raw = form.get(name, "0")
    number = whole(raw)
    return min(number, 200) if number is not None else 0


# --- what each page is given ----------------------------------------------------------------


def task_groups(call_off: CallOff, at: datetime) -> list[Any]:
    """The task list as ``components/task_list.html`` draws it."""
    rows = [
        SimpleNamespace(
            title=task.section.title,
            hint=None if task.section.required else "Optional",
            status=task.status,
            target=SimpleNamespace(value="section"),
            section_id=task.section.key,
        )
        for task in task_list.tasks(call_off, at)
    ]
    check = SimpleNamespace(
        title="Check and publish",
        hint=None,
        status=SimpleNamespace(value="not_started"),
        target=SimpleNamespace(value="check"),
        section_id=None,
    )
    return [
        SimpleNamespace(title="Prepare the call-off", tasks=rows),
        SimpleNamespace(title="Publish", tasks=[check]),
    ]


def section_context(call_off: CallOff, section: str, problems: list[Refusal]) -> dict[str, Any]:
    """Everything a section's page shows: what was typed, and its problems."""
    values = drafting.typed_values(call_off)
    context: dict[str, Any] = {
        "call_off": call_off,
        "section": section,
        "heading": SECTION_TITLES[section],
        "values": values,
        "problems": shown(problems),
    }
    if section == "value_and_dates":
        context["dates"] = {name: date_boxes(values[name]) for name in DATE_FIELDS}
    elif section == "deadlines":
        context["deadlines"] = {name: deadline_parts(values[name]) for name in DEADLINE_FIELDS}
        context["earliest"] = pcr2015.earliest_tender_deadline(utcnow())
    elif section in {"questions", "criteria"}:
        context["questions"] = questions.typed_questions(call_off)
        context["themes"] = CCIN_PRINCIPLES
        context["kinds"] = list(QuestionKind)
    elif section == "price":
        pending = (call_off.pending_input or {}).get("price") or {}
        context["price_format"] = pending.get("price_format") or (
            call_off.price_format.value if call_off.price_format else ""
        )
        context["formats"] = list(PriceFormat)
        context["formulas"] = list(PriceFormula)
        context["tie_breaks"] = list(TieBreak)
        context["scoring"] = {
            "price_formula": pending.get("price_formula") or call_off.price_formula.value,
            "abnormally_low_percent": pending.get("abnormally_low_percent")
            or str(call_off.abnormally_low_percent),
            "tie_break": pending.get("tie_break") or call_off.tie_break.value,
        }
        context["lines"] = [
            {
                "description": line.description,
                "unit": line.unit,
                "quantity": pending.get(f"line-{line.position}-quantity")
                or ("" if line.quantity is None else str(line.quantity)),
            }
            for line in call_off.price_lines
        ]
    elif section == "panel":
        pending = (call_off.pending_input or {}).get("panel") or {}
        context["candidates"] = panel.candidates(call_off.organisation_id)
        context["chosen"] = pending.get("members") or [str(m.user_id) for m in call_off.panel]
        lead = call_off.panel_lead
        context["lead"] = pending.get("lead") or (str(lead.user_id) if lead else "")
    elif section == "documents":
        context["documents"] = documents.current(call_off)
        context["typed_title"] = ""
    return context


def check_context(call_off: CallOff, problems: list[Refusal]) -> dict[str, Any]:
    return {
        "call_off": call_off,
        "documents": documents.current(call_off),
        "invitable": invitable_count(call_off.lot_id),
        "problems": shown(problems, call_off),
        "summary": summary(call_off, change=call_off.is_draft),
    }


def summary(call_off: CallOff, *, change: bool) -> list[tuple[str, list[dict[str, Any]]]]:
    """The whole call-off as GOV.UK summary lists, by heading; with ``change``, each row links
    to the page of its section."""

    def row(key: str, value: Any, section: str) -> dict[str, Any]:
        shown_value = (
            {"html": value} if isinstance(value, Markup) else {"text": str(value or "Not given")}
        )
        out: dict[str, Any] = {"key": {"text": key}, "value": shown_value}
        if change:
            href = url_for("buyer.calloff_section", call_off_id=call_off.id, section_id=section)
            out["actions"] = {
                "items": [{"href": href, "text": "Change", "visuallyHiddenText": key.lower()}]
            }
        return out

    def deadline(value: datetime | None) -> str:
        return f"{format_datetime(value)} (London time)" if value else ""

    requirement = [
        row("Title", call_off.title, "details"),
        row("Description", call_off.description, "details"),
        row("Where it is delivered", call_off.delivery_location, "details"),
        row(
            "Estimated value, excluding VAT",
            format_pence(call_off.estimated_value_pence),
            "value_and_dates",
        ),
        row("Contract starts", format_date(call_off.contract_start), "value_and_dates"),
        row("Contract ends", format_date(call_off.contract_end), "value_and_dates"),
    ]
    criteria = []
    for q in call_off.questions:
        about = (
            f"Social value: {CCIN_PRINCIPLES.get(q.theme or '', 'no principle chosen')}"
            if q.kind == QuestionKind.SOCIAL_VALUE
            else "Quality"
        )
        numbers = (
            f"{about}. Weighting {_or_not_given(q.weight_percent, '%')}, scored out of "
            f"{_or_not_given(q.max_score)}"
            + (f", {q.word_limit:,} words at most" if q.word_limit else "")
            + "."
        )
        criteria.append(
            row(
                f"Question {q.position}",
                Markup('{}<br><span class="govuk-hint">{}</span>').format(
                    q.text or "No question written", numbers
                ),
                "questions",
            )
        )
    criteria.append(
        row("Price", call_off.price_format.label if call_off.price_format else "", "price")
    )
    for line in call_off.price_lines:
        quantity = _or_not_given(line.quantity)
        criteria.append(
            row(f"Line {line.position}", f"{line.description}: {quantity} {line.unit}", "price")
        )
    criteria.append(
        row("Price weighting", _or_not_given(call_off.price_weight_percent, "%"), "criteria")
    )
    criteria += [
        row("How price is scored", call_off.price_formula.label, "price"),
        row(
            "Possibly abnormally low price",
            f"More than {call_off.abnormally_low_percent}% below the average of the other prices",
            "price",
        ),
        row("Tie-break", call_off.tie_break.label, "price"),
    ]
    names = ", ".join(m.user.name + (" (lead)" if m.is_lead else "") for m in call_off.panel)
    titles = ", ".join(d.title for d in documents.current(call_off)) or "None"
    rest = [
        row("Evaluation panel", names, "panel"),
        row("Deadline for questions", deadline(call_off.clarification_deadline), "deadlines"),
        row("Tender deadline", deadline(call_off.tender_deadline), "deadlines"),
        row("Documents", titles, "documents"),
    ]
    return [
        ("The requirement", requirement),
        ("Questions and award criteria", criteria),
        ("Evaluation panel, deadlines and documents", rest),
    ]


def _or_not_given(value: int | None, unit: str = "") -> str:
    return "not given" if value is None else f"{value:,}{unit}"
