"""A file's type is found from its content; the name must agree; anything else is refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from dps.outside import filetypes
from dps.outside.filetypes import FileRefused, check, download_name
from tests.fixtures import sample_files

TYPE_MESSAGE = "The selected file must be a PDF, DOCX, XLSX, ODT, PNG or JPEG"


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        ("insurance.pdf", sample_files.PDF, "application/pdf"),
        ("logo.png", sample_files.png(), "image/png"),
        ("scan.jpg", sample_files.JPEG, "image/jpeg"),
        ("scan.jpeg", sample_files.JPEG, "image/jpeg"),
        (
            "policy.docx",
            sample_files.docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "accounts.xlsx",
            sample_files.xlsx(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("policy.odt", sample_files.odt(), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_each_accepted_type_is_recognised_from_its_content(
    filename: str, data: bytes, expected: str
) -> None:
    checked = check(filename, data)
    assert checked.file_type.content_type == expected
    assert checked.filename == filename


@pytest.mark.parametrize("filename", ["INSURANCE.PDF", "Policy.Docx", "scan.JPG", "Scan.JpEg"])
def test_extensions_are_matched_whatever_their_case(filename: str) -> None:
    data = {
        "pdf": sample_files.PDF,
        "docx": sample_files.docx(),
        "jpg": sample_files.JPEG,
        "jpeg": sample_files.JPEG,
    }[filename.rsplit(".", 1)[1].lower()]
    assert check(filename, data).filename == filename


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("policy.docx", sample_files.xlsx()),  # an XLSX renamed .docx
        ("policy.docx", sample_files.plain_zip()),  # a plain ZIP renamed .docx
        ("policy.docx", sample_files.odt()),  # an ODT renamed .docx
        ("accounts.xlsx", sample_files.docx()),
        ("policy.odt", sample_files.docx()),
        ("insurance.pdf", sample_files.png()),
        ("logo.png", sample_files.JPEG),
        ("accounts.zip", sample_files.plain_zip()),  # a ZIP is not an accepted type at all
        ("policy.docm", sample_files.docx()),
        ("insurance", sample_files.PDF),  # no extension to agree with
    ],
)
def test_a_name_that_disagrees_with_the_content_is_refused(filename: str, data: bytes) -> None:
    with pytest.raises(FileRefused, match=TYPE_MESSAGE):
        check(filename, data)


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("notes.txt", b"Just some words"),
        ("fake.pdf", b"Not really a PDF, though the name says so"),
        ("page.pdf", b"<html><script>alert(1)</script></html>"),
        ("broken.docx", b"PK\x03\x04 but the rest of the archive is missing"),
        ("macros.docx", sample_files.docx(sample_files.WORD_MACRO_MAIN)),  # a DOCM renamed
        ("other.odt", sample_files.odt(b"application/vnd.oasis.opendocument.spreadsheet")),
        ("policy.docx", sample_files.PDF[:4] + sample_files.docx()),  # ZIP magic not at start
    ],
)
def test_content_that_is_not_an_accepted_type_is_refused(filename: str, data: bytes) -> None:
    with pytest.raises(FileRefused, match=TYPE_MESSAGE):
        check(filename, data)


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(FileRefused, match=r"^The selected file is empty$"):
        check("insurance.pdf", b"")


def test_a_file_over_the_limit_is_refused_and_one_at_it_accepted() -> None:
    at_limit = sample_files.PDF + b" " * (1000 - len(sample_files.PDF))
    assert check("insurance.pdf", at_limit, max_bytes=1000)
    with pytest.raises(FileRefused, match=r"^The selected file must be smaller than 1KB$"):
        check("insurance.pdf", at_limit + b" ", max_bytes=1000)
    ten_megabytes = 10 * 1024 * 1024
    big = sample_files.PDF + b"0" * (ten_megabytes + 1 - len(sample_files.PDF))
    with pytest.raises(FileRefused, match=r"^The selected file must be smaller than 10MB$"):
        check("insurance.pdf", big)


@pytest.mark.parametrize(
    "filename",
    [
        "../insurance.pdf",
        "..\\insurance.pdf",
        "/etc/insurance.pdf",
        "C:\\Users\\sam\\insurance.pdf",
        "documents/insurance.pdf",
        "insurance..pdf",
    ],
)
def test_names_carrying_a_path_are_refused(filename: str) -> None:
    with pytest.raises(FileRefused, match="must not include a folder"):
        check(filename, sample_files.PDF)


@pytest.mark.parametrize(
    "filename", ["insurance\n.pdf", "insurance\x00.pdf", "in\u202esurance.pdf", "a\tb.pdf"]
)
def test_names_with_control_characters_are_refused(filename: str) -> None:
    with pytest.raises(FileRefused, match="must only include letters, numbers and punctuation"):
        check(filename, sample_files.PDF)


@pytest.mark.parametrize("filename", [None, "", "   "])
def test_no_file_chosen(filename: str | None) -> None:
    with pytest.raises(FileRefused, match=r"^Select a file$"):
        check(filename, sample_files.PDF)


def test_a_zip_bomb_is_refused_without_unpacking_it() -> None:
    bomb = sample_files.zip_bomb()
    assert len(bomb) < 1024 * 1024  # small on the wire...
    with pytest.raises(FileRefused, match=TYPE_MESSAGE):
        check("policy.docx", bomb)  # ...but it declares 210MB inside


def test_a_container_with_too_many_parts_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in zipfile.ZipFile(io.BytesIO(sample_files.docx())).namelist():
            archive.writestr(name, b"")
        for n in range(filetypes.MAX_CONTAINER_ENTRIES):
            archive.writestr(f"word/media/part{n}.xml", b"")
    with pytest.raises(FileRefused, match=TYPE_MESSAGE):
        check("policy.docx", buffer.getvalue())


@pytest.mark.parametrize(
    ("filename", "content_type", "expected"),
    [
        ("Public liability 2026.pdf", "application/pdf", "Public liability 2026.pdf"),
        ('Cover "final"; v2.PDF', "application/pdf", "Cover -final- v2.pdf"),
        ("Équipe.jpeg", "image/jpeg", "Équipe.jpeg"),
        ("scan", "image/png", "scan.png"),
        ("%%%.pdf", "application/pdf", "document.pdf"),
    ],
)
def test_download_names_are_safe_for_a_header(
    filename: str, content_type: str, expected: str
) -> None:
    file_type = filetypes.by_content_type(content_type)
    assert file_type is not None
    assert download_name(filename, file_type) == expected
