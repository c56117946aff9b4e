"""Questionnaire completeness, per lot: every question asked of that lot answered, and valid,
in the snapshot — read against the questionnaire version it was answered in, on the day sent."""

from __future__ import annotations

from sqlalchemy import select

from dps.extensions import db
from dps.models.questionnaire import QuestionnaireVersion
from dps.rules.enums import CheckOutcome
from dps.services.qualification.checks import CheckContext, CheckVerdict, register
from dps.services.suppliers import questionnaire


@register("completeness", label="Questionnaire complete", per_lot=True)
def completeness(context: CheckContext) -> CheckVerdict:
    assert context.lot is not None
    lot = context.lot
    kept = context.snapshot.get("questionnaire") or {}
    version = db.session.scalar(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.key == kept.get("key"),
            QuestionnaireVersion.checksum == kept.get("checksum"),
        )
    )
    answered_in = f"{kept.get('key')} version {kept.get('version')}"
    if version is None:
        return CheckVerdict(
            CheckOutcome.ERROR,
            f"The questionnaire the answers were given in ({answered_in}) is not on record.",
            {"questionnaire": kept},
        )
    gaps = questionnaire.gaps(
        version, context.answers, [lot.number], context.facts, today=context.sent_on
    )
    evidence = {
        "lot": lot.number,
        "questionnaire": answered_in,
        "gaps": [
            {"section": gap.section_title, "question": gap.question_id, "message": gap.message}
            for gap in gaps
        ],
    }
    if not gaps:
        return CheckVerdict(
            CheckOutcome.PASS,
            f"Every question asked for Lot {lot.number} was answered.",
            evidence,
        )
    count = "1 answer is" if len(gaps) == 1 else f"{len(gaps)} answers are"
    listing = "; ".join(f"{gap.section_title}: {gap.message}" for gap in gaps)
    return CheckVerdict(
        CheckOutcome.FAIL,
        f"{count} missing or not valid for Lot {lot.number}. {listing}.",
        evidence,
    )
