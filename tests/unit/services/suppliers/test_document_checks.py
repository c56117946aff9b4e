"""What an upload must pass: a certificate's expiry date, a title for other documents, the file's
type and size, and the virus-scan hook; a refused file stores nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import Document
from dps.rules.enums import DocumentKind
from dps.services.suppliers import documents
from dps.services.suppliers.document_checks import DocumentRefused
from tests.fixtures import sample_files
from tests.fixtures.documents_world import World, build_world, upload_pdf, uploaded

K = DocumentKind


@pytest.fixture
def world(app: Flask) -> World:
    return build_world()


def test_insurance_certificates_need_an_expiry_date_in_the_future(app: Flask, world: World) -> None:
    with pytest.raises(DocumentRefused, match="Enter the date the certificate expires") as missing:
        upload_pdf(world, K.EMPLOYERS_LIABILITY, expires_on=None)
    assert missing.value.field == "expires_on"
    with pytest.raises(DocumentRefused, match="must be in the future"):
        upload_pdf(world, K.EMPLOYERS_LIABILITY, expires_on=documents.today())
    tomorrow = documents.today() + timedelta(days=1)
    assert upload_pdf(world, K.EMPLOYERS_LIABILITY, expires_on=tomorrow).expires_on == tomorrow
    # Only certificates lapse: a date given for a policy is not kept.
    policy = documents.upload(
        world.supplier.id,
        K.EQUALITY,
        "Equality policy 2026",
        uploaded("policy.pdf", sample_files.PDF),
        tomorrow,
        world.owner,
    )
    assert policy.expires_on is None
    assert policy.title == "Equality policy 2026"


def test_other_documents_need_a_title(app: Flask, world: World) -> None:
    with pytest.raises(DocumentRefused, match="Enter a title") as refused:
        upload_pdf(world, K.OTHER)
    assert refused.value.field == "title"


def test_a_refused_file_stores_nothing(app: Flask, world: World) -> None:
    with pytest.raises(DocumentRefused, match="must be a PDF, DOCX, XLSX, ODT, PNG or JPEG"):
        documents.upload(
            world.supplier.id,
            K.ACCOUNTS,
            "",
            uploaded("accounts.docx", sample_files.xlsx()),
            None,
            world.owner,
        )
    with pytest.raises(DocumentRefused, match="is empty"):
        documents.upload(
            world.supplier.id, K.ACCOUNTS, "", uploaded("accounts.pdf", b""), None, world.owner
        )
    assert db.session.scalars(db.select(Document)).all() == []
    folder = Path(app.config["DOCUMENT_STORAGE_PATH"])
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


def test_a_file_over_the_configured_limit_is_refused(app: Flask, world: World) -> None:
    app.config["DOCUMENT_MAX_BYTES"] = 2 * 1024 * 1024
    big = sample_files.PDF + b"0" * (2 * 1024 * 1024)
    with pytest.raises(DocumentRefused, match="must be smaller than 2MB"):
        upload_pdf(world, data=big)


# --- the virus-scan hook ---------------------------------------------------------------------

SCANNED: list[str] = []


def scanner_finding_a_virus(data: bytes, filename: str) -> str:
    SCANNED.append(filename)
    return "infected" if b"PRETEND-VIRUS" in data else "clean"


def broken_scanner(data: bytes, filename: str) -> str:
    raise ConnectionError("the scanning daemon is not answering")


def unsure_scanner(data: bytes, filename: str) -> str:
    return "suspicious"


def test_the_scanner_hook_refuses_an_infected_file_and_records_a_clean_one(
    app: Flask, world: World
) -> None:
    app.config["DOCUMENT_SCANNER"] = f"{__name__}:scanner_finding_a_virus"
    # Not the real EICAR test string: that would set off scanners on developers' machines.
    infected = sample_files.PDF + b"% PRETEND-VIRUS\n"
    with pytest.raises(DocumentRefused, match=r"^The selected file contains a virus$"):
        upload_pdf(world, data=infected)
    assert db.session.scalars(db.select(Document)).all() == []

    clean = upload_pdf(world)
    assert clean.scan_result == "clean"
    assert SCANNED == ["certificate.pdf", "certificate.pdf"]


@pytest.mark.parametrize("scanner", ["broken_scanner", "unsure_scanner", "no_scanner_here"])
def test_a_scanner_that_fails_lets_nothing_through(app: Flask, world: World, scanner: str) -> None:
    app.config["DOCUMENT_SCANNER"] = f"{__name__}:{scanner}"
    with pytest.raises(DocumentRefused, match="could not be checked for viruses"):
        upload_pdf(world)
    assert db.session.scalars(db.select(Document)).all() == []
