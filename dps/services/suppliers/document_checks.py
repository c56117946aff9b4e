"""What an upload must pass before it is kept: its kind, title and expiry date, its file's type
by content and size (``dps.outside.filetypes``), and the virus scan (``dps.outside.storage``).

Each check returns the value to keep, or raises ``DocumentRefused`` with the message and the
part of the form it is for. A ``FileRefused`` from the file-type check stays an outside error
there and is turned into a ``DocumentRefused`` here.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import IO, Protocol

from flask import current_app

from dps.outside import filetypes, storage
from dps.rules.enums import DocumentKind
from dps.rules.refusals import Refusal

log = logging.getLogger(__name__)

TITLE_MAX_LENGTH = 200

SCAN_FAILED_MESSAGE = "The selected file could not be checked for viruses – try again"
INFECTED_MESSAGE = "The selected file contains a virus"


class DocumentRefused(Refusal):
    """An upload cannot be accepted. ``field`` names the part of the form the message is for:
    ``file``, ``kind``, ``title`` or ``expires_on``."""

    field: str

    def __init__(self, message: str, field: str = "file") -> None:
        super().__init__(message, field=field)


class UploadedFile(Protocol):
    """What an upload needs of a file: Werkzeug's FileStorage is one."""

    filename: str | None
    stream: IO[bytes]


def kind_of(kind: DocumentKind | str) -> DocumentKind:
    """The kind chosen, from its value."""
    try:
        return DocumentKind(kind)
    except ValueError:
        raise DocumentRefused("Select what the document is", field="kind") from None


def title_for(title: str | None, kind: DocumentKind) -> str:
    """The title typed, tidied; the kind's name when none is typed (an "other" needs one)."""
    title = " ".join((title or "").split())
    if len(title) > TITLE_MAX_LENGTH:
        raise DocumentRefused(
            f"The title must be {TITLE_MAX_LENGTH} characters or fewer", field="title"
        )
    if not title and kind == DocumentKind.OTHER:
        raise DocumentRefused("Enter a title for the document", field="title")
    return title or kind.label


def expiry_for(kind: DocumentKind, expires_on: date | None, today: date) -> date | None:
    """A certificate's expiry date, which must be after ``today``; None for other kinds."""
    if not kind.is_insurance:
        return None  # only certificates lapse; anything typed for another kind is ignored
    if expires_on is None:
        raise DocumentRefused("Enter the date the certificate expires", field="expires_on")
    if expires_on <= today:
        raise DocumentRefused(
            "The date the certificate expires must be in the future", field="expires_on"
        )
    return expires_on


def read_and_check(file_storage: UploadedFile | None) -> tuple[filetypes.CheckedFile, bytes]:
    """The file's type and bytes, if its name, content and size are acceptable."""
    max_bytes = int(current_app.config["DOCUMENT_MAX_BYTES"])
    if file_storage is None or not file_storage.filename:
        raise DocumentRefused(filetypes.CHOOSE_MESSAGE)
    # One byte more than allowed is enough to know the file is too large.
    data = file_storage.stream.read(max_bytes + 1)
    try:
        return filetypes.check(file_storage.filename, data, max_bytes), data
    except filetypes.FileRefused as refused:
        raise DocumentRefused(str(refused)) from None


def scan(data: bytes, filename: str) -> str:
    """The virus scanner's answer for a clean file; a file not known clean is refused."""
    try:
        result = storage.get_scanner()(data, filename)
    except Exception:
        # Whatever went wrong, an unchecked file is not let through.
        log.exception("The virus scanner failed on an upload")
        raise DocumentRefused(SCAN_FAILED_MESSAGE) from None
    if result == storage.INFECTED:
        log.warning("The virus scanner refused an upload: %s", filename)
        raise DocumentRefused(INFECTED_MESSAGE)
    if result not in storage.SCAN_RESULTS:
        log.error("The virus scanner answered %r", result)
        raise DocumentRefused(SCAN_FAILED_MESSAGE)
    return str(result)
