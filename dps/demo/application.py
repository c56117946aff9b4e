"""A submitted demo application, so the administrators' work queue has something to review.

Capacity Works CIC (whose answers dps.demo.answers completes) uploads its evidence and applies
for both lots through the services a supplier uses; with tasks in-process the qualification
checks then run and leave the application ready for review. Made only while Capacity Works has
no application at all, so loading twice changes nothing (called by dps.demo).
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from werkzeug.datastructures import FileStorage

from dps.extensions import db
from dps.models.accounts import User
from dps.models.applications import Application
from dps.models.base import utcnow
from dps.models.organisations import Organisation
from dps.rules.enums import DocumentKind
from dps.services.applications import drafting, submission
from dps.services.suppliers import documents

APPLICANT = "Capacity Works CIC"
DECLARATION = submission.Declaration(name="Sam Patel", role="Director", confirmed=True)
EVIDENCE = {
    DocumentKind.EMPLOYERS_LIABILITY: "employers-liability-certificate.pdf",
    DocumentKind.PUBLIC_LIABILITY: "public-liability-certificate.pdf",
    DocumentKind.PROFESSIONAL_INDEMNITY: "professional-indemnity-certificate.pdf",
    DocumentKind.ACCOUNTS: "annual-accounts.pdf",
    DocumentKind.DATA_PROTECTION: "data-protection-policy.pdf",
    DocumentKind.HEALTH_AND_SAFETY: "health-and-safety-policy.pdf",
    DocumentKind.EQUALITY: "equality-policy.pdf",
}


def load_demo_application(organisation: Organisation, owner: User, today: date) -> list[str]:
    """Upload the applicant's evidence and submit its application for both lots, once."""
    if apply_for_both_lots(organisation, owner, today) is None:
        return []
    return [f"documents and submitted application of {APPLICANT}"]


def apply_for_both_lots(organisation: Organisation, owner: User, today: date) -> Application | None:
    """The organisation's evidence uploaded and an application for both lots sent, as a
    supplier does it; None (and nothing done) if it has ever applied."""
    has_applied = db.session.scalar(
        db.select(Application.id).where(Application.organisation_id == organisation.id)
    )
    if has_applied:
        return None
    for kind, filename in EVIDENCE.items():
        upload = FileStorage(
            io.BytesIO(pdf(f"{organisation.name}: {kind.label}")), filename=filename
        )
        expires_on = today + timedelta(days=365) if kind.is_insurance else None
        documents.upload(organisation.id, kind, None, upload, expires_on, actor=owner)
    application = drafting.start_application(organisation.id, [1, 2], actor=owner)
    submission.submit(application, DECLARATION, actor=owner, at=utcnow())
    return application


def pdf(text: str) -> bytes:
    """A one-page PDF showing one line of text, with the cross-reference table viewers expect."""
    # Helvetica's built-in encoding has no curly apostrophe; a straight one reads the same.
    line = text.replace("’", "'").encode("ascii")  # our own titles: no brackets to escape
    stream = b"BT /F1 14 Tf 72 720 Td (" + line + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    xref += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        len(body),
    )
    return body + xref + trailer
