"""What an uploaded file really is: found from its content, never from its name.

A supplier's evidence may be a PDF, a Word document (DOCX), an Excel workbook (XLSX), an
OpenDocument text (ODT), or a PNG or JPEG picture. The type is read from the first bytes (PDF,
PNG, JPEG) or from inside the ZIP container (DOCX, XLSX, ODT), and the name's extension must
agree with it: an XLSX, or a plain ZIP, renamed ``.docx`` is refused, as is anything else.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

MEGABYTE = 1024 * 1024
DEFAULT_MAX_BYTES = 10 * MEGABYTE

# A real document unpacks to a few megabytes in a few hundred parts. A container declaring far
# more is a ZIP bomb (or not a document), and is refused without unpacking it.
MAX_UNCOMPRESSED_BYTES = 200 * MEGABYTE
MAX_CONTAINER_ENTRIES = 5000
# The parts read to recognise a container are small; never read more than this of one.
MAX_PART_READ_BYTES = MEGABYTE

ZIP_MAGIC = b"PK\x03\x04"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# The main part's content type: a macro-enabled DOCM or XLSM declares a different one.
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

TYPE_MESSAGE = "The selected file must be a PDF, DOCX, XLSX, ODT, PNG or JPEG"
EMPTY_MESSAGE = "The selected file is empty"
CHOOSE_MESSAGE = "Select a file"
PATH_MESSAGE = "The selected file’s name must not include a folder (/, \\ or ..)"
CONTROL_MESSAGE = "The selected file’s name must only include letters, numbers and punctuation"
NAME_LENGTH_MESSAGE = "The selected file’s name must be 255 characters or fewer"
MAX_NAME_LENGTH = 255


class FileRefused(ValueError):
    """The file cannot be accepted; the message says why, for the person who chose it."""


@dataclass(frozen=True)
class FileType:
    name: str  # as people call it: "PDF", "DOCX"
    content_type: str
    extensions: tuple[str, ...]  # lower case, without the dot; the first is the usual one


PDF = FileType("PDF", "application/pdf", ("pdf",))
PNG = FileType("PNG", "image/png", ("png",))
JPEG = FileType("JPEG", "image/jpeg", ("jpg", "jpeg"))
DOCX = FileType(
    "DOCX",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
)
XLSX = FileType(
    "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)
)
ODT = FileType("ODT", "application/vnd.oasis.opendocument.text", ("odt",))
ACCEPTED = (PDF, DOCX, XLSX, ODT, PNG, JPEG)

# For the file input's `accept` attribute: a hint to the browser's picker, never a check.
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for t in ACCEPTED for ext in t.extensions)


def size_limit(max_bytes: int) -> str:
    """The limit as GOV.UK writes it ("10MB"); a test's tiny limit in kilobytes."""
    return f"{max_bytes / MEGABYTE:g}MB" if max_bytes >= MEGABYTE else f"{-(-max_bytes // 1024)}KB"


def too_large_message(max_bytes: int) -> str:
    return f"The selected file must be smaller than {size_limit(max_bytes)}"


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    file_type: FileType


def check(filename: str | None, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> CheckedFile:
    """The file's type if its name and content are acceptable; FileRefused otherwise."""
    name = check_filename(filename)
    if not data:
        raise FileRefused(EMPTY_MESSAGE)
    if len(data) > max_bytes:
        raise FileRefused(too_large_message(max_bytes))
    found = detect(data)
    if found is None or extension_of(name) not in found.extensions:
        raise FileRefused(TYPE_MESSAGE)
    return CheckedFile(filename=name, file_type=found)


def check_filename(filename: str | None) -> str:
    """The name as the person's computer gave it, if it names a file and nothing more."""
    if filename is None or not filename.strip():
        raise FileRefused(CHOOSE_MESSAGE)
    if "/" in filename or "\\" in filename or ".." in filename:
        raise FileRefused(PATH_MESSAGE)
    if any(unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} for char in filename):
        raise FileRefused(CONTROL_MESSAGE)
    if len(filename) > MAX_NAME_LENGTH:
        raise FileRefused(NAME_LENGTH_MESSAGE)
    return filename.strip()


def extension_of(filename: str) -> str:
    _, dot, extension = filename.rpartition(".")
    return extension.lower() if dot else ""


def detect(data: bytes) -> FileType | None:
    """The accepted type the content is, or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(ZIP_MAGIC):
        return _detect_container(data)
    return None


def _detect_container(data: bytes) -> FileType | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if not entries or len(entries) > MAX_CONTAINER_ENTRIES:
                return None
            if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
                return None
            names = {entry.filename for entry in entries}
            if entries[0].filename == "mimetype":
                # OpenDocument: the first entry, stored as it is, names the type.
                return ODT if _read_part(archive, entries[0]).strip() == ODT_MIMETYPE else None
            if "[Content_Types].xml" not in names:
                return None
            content_types = _read_part(archive, archive.getinfo("[Content_Types].xml"))
            text = content_types.decode("utf-8", errors="replace")
            if "word/document.xml" in names and DOCX_MAIN in text:
                return DOCX
            if "xl/workbook.xml" in names and XLSX_MAIN in text:
                return XLSX
            return None
    # A damaged, encrypted or oddly compressed container is not a document we can accept.
    except (
        zipfile.BadZipFile,
        zlib.error,
        RuntimeError,
        NotImplementedError,
        OSError,
        EOFError,
        ValueError,
    ):
        return None


def _read_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    if entry.file_size > MAX_PART_READ_BYTES:
        return b""
    with archive.open(entry) as part:
        return part.read(MAX_PART_READ_BYTES)


SAFE_NAME_CHARACTERS = re.compile(r"[^\w .()-]+")


def download_name(filename: str, file_type: FileType) -> str:
    """A name safe to offer in a Content-Disposition header, ending in the type's extension.

    Letters (any alphabet), digits, spaces, dots, brackets, hyphens and underscores are kept;
    anything else becomes a hyphen.
    """
    extension = extension_of(filename)
    if extension in file_type.extensions:
        stem = filename[: -len(extension) - 1]
    else:
        stem, extension = filename, file_type.extensions[0]
    stem = SAFE_NAME_CHARACTERS.sub("-", stem).strip(" .-") or "document"
    return f"{stem[:150]}.{extension}"


def by_content_type(content_type: str) -> FileType | None:
    return next((t for t in ACCEPTED if t.content_type == content_type), None)


def describe_size(size_bytes: int) -> str:
    """A size as people read it: '820 bytes', '34KB', '2.5MB'."""
    if size_bytes < 1024:
        return f"{size_bytes} bytes"
    if size_bytes < MEGABYTE:
        return f"{round(size_bytes / 1024)}KB"
    return f"{size_bytes / MEGABYTE:.1f}".removesuffix(".0") + "MB"
