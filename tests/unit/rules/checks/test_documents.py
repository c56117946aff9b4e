"""The documents verdict on the documents sent, whether each is intact, and today's date."""

from __future__ import annotations

from datetime import date
from typing import Any

from dps.rules.checks.documents import documents
from dps.rules.enums import CheckOutcome, DocumentKind

TODAY = date(2026, 6, 1)


def sent(document_id: int, kind: DocumentKind, **more: Any) -> dict[str, Any]:
    return {
        "id": document_id,
        "kind": kind.value,
        "title": kind.label,
        "filename": f"{kind.value}.pdf",
        "sha256": "0" * 64,
        **more,
    }


def test_everything_sent_in_date_and_intact_passes() -> None:
    docs = [sent(1, DocumentKind.ACCOUNTS)]
    verdict = documents([DocumentKind.ACCOUNTS], docs, {1: True}, TODAY)
    assert verdict.outcome == CheckOutcome.PASS
    assert verdict.evidence["documents"][0]["matches"] is True


def test_missing_expired_changed_and_gone_are_each_named() -> None:
    docs = [
        sent(1, DocumentKind.PUBLIC_LIABILITY, expires_on="2026-05-31"),
        sent(2, DocumentKind.EQUALITY),
        sent(3, DocumentKind.HEALTH_AND_SAFETY),
    ]
    required = [DocumentKind.ACCOUNTS, DocumentKind.PUBLIC_LIABILITY]
    verdict = documents(required, docs, {1: True, 2: False, 3: None}, TODAY)
    assert verdict.outcome == CheckOutcome.FAIL
    assert verdict.evidence["missing"] == ["accounts"]
    assert verdict.evidence["expired"] == [1]
    assert "no longer matches its SHA-256 checksum" in verdict.reason
    assert "is no longer on record" in verdict.reason
