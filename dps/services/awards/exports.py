"""A call-off's record as CSV files for a spreadsheet: the invitations, the responses (tenders
and declines), the scores (every panel member's score and every moderated score) and the award
(the ranking, any exclusions and the decision).

Each is UTF-8 with a header row and one row per item; money is in pounds to two decimal places;
instants are ISO 8601 in London time with their offset. A cell that a spreadsheet would read as
a formula (starting with =, +, -, @, a tab or a carriage return) gets a leading apostrophe, so
a supplier's text can never run as one.

Read from the report (``dps.services.awards.record.report_for``), under the same rule.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from dps.models.accounts import User
from dps.models.calloffs import CallOff
from dps.rules.award_record import Report
from dps.rules.refusals import NotFound
from dps.rules.timefmt import london
from dps.services.awards import record

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One cell as written: instants in London time with the offset, dates as ISO dates, yes
    or no for booleans, and text that starts like a formula made inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return london(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def pounds(pence: int | None) -> str:
    """Integer pence as pounds to two decimal places, without a symbol: 1234500 -> 12345.00."""
    if pence is None:
        return ""
    whole, rem = divmod(abs(pence), 100)
    return f"{'-' if pence < 0 else ''}{whole}.{rem:02d}"


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return out.getvalue()


def invitations(report: Report) -> str:
    return _csv(
        ["Call-off", "Supplier", "Invited at"],
        ([report.reference, i.supplier, i.invited_at] for i in report.invited),
    )


def responses(report: Report) -> str:
    header = [
        "Call-off",
        "Supplier",
        "Response",
        "Received at",
        "Revision",
        "SHA-256",
        "Tender status",
        "Declined at",
        "Reason for declining",
    ]
    rows: list[list[Any]] = [
        [
            report.reference,
            t.supplier,
            "Tendered",
            t.received_at,
            t.revision,
            t.sha256,
            t.status,
            "",
            "",
        ]
        for t in report.tendered
    ]
    rows += [
        [report.reference, d.supplier, "Declined", "", "", "", "", d.declined_at, d.reason]
        for d in report.declined
    ]
    rows += [
        [report.reference, name, "Neither tendered nor declined", "", "", "", "", "", ""]
        for name in report.neither
    ]
    return _csv(header, rows)


def scores(report: Report) -> str:
    header = [
        "Call-off",
        "Supplier",
        "Question",
        "Question kind",
        "Question text",
        "Score",
        "Out of",
        "Scored by",
        "Kind of score",
        "Justification or rationale",
        "Recorded at",
    ]
    rows: list[list[Any]] = []
    for tender in report.scoring:
        for q in tender.questions:
            start = [report.reference, tender.supplier, q.position, q.kind, q.text]
            for s in q.panel:
                rows.append(
                    [*start, s.score, q.max_score, s.member, "Panel member", s.justification, ""]
                )
            if q.moderated is not None:
                rows.append(
                    [
                        *start,
                        q.moderated,
                        q.max_score,
                        q.moderated_by,
                        "Moderated",
                        q.rationale,
                        q.moderated_at,
                    ]
                )
    return _csv(header, rows)


def award(report: Report) -> str:
    header = [
        "Call-off",
        "Line",
        "Rank",
        "Supplier",
        "Price (£)",
        "Quality",
        "Social value",
        "Price marks",
        "Total",
        "Tied",
        "Outcome",
        "Reason",
        "Advantages of the winning tender",
        "Decided by",
        "Decided at",
    ]
    decided = report.award
    if decided is None:
        return _csv(header, [])
    rows: list[list[Any]] = []
    for r in decided.ranking:
        marks = [r.quality, r.social_value, r.price, r.total, r.tied]
        rows.append(
            [report.reference, "Ranking", r.rank, r.supplier, pounds(r.price_pence), *marks]
        )
    for e in decided.excluded:
        rows.append([report.reference, "Excluded", "", e.supplier, *[""] * 7, e.reason])
    if decided.is_award:
        outcome, reason = "Awarded", decided.other_choice_reason
    else:
        outcome, reason = "Not awarded", decided.no_award_reasons
    said = [outcome, reason, decided.advantages, decided.decided_by, decided.decided_at]
    rows.append([report.reference, "Decision", "", decided.winner, *[""] * 6, *said])
    width = len(header)
    return _csv(header, [row + [""] * (width - len(row)) for row in rows])


KINDS: dict[str, Callable[[Report], str]] = {
    "invitations": invitations,
    "responses": responses,
    "scores": scores,
    "award": award,
}


def csv_for(call_off: CallOff, kind: str, actor: User, at: datetime) -> tuple[str, str]:
    """The CSV ``kind`` of the call-off and its file name; NotFound for another kind,
    NotAllowed for someone who may not read the record yet."""
    make = KINDS.get(kind)
    if make is None:
        raise NotFound(kind)
    report = record.report_for(call_off, actor, at)
    name = f"{report.reference or f'call-off-{call_off.id}'}-{kind}.csv"
    return make(report), name
