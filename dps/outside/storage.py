"""Where uploaded documents are kept, and the virus-scan hook they pass through first.

Storage
-------
The service layer only sees ``DocumentStorage``: ``put``, ``open``, ``exists`` and ``discard``.
There is no ``delete`` of evidence: uploads are evidence in a procurement, and a replaced
document is kept beside its successor. ``discard`` is only for a file whose database transaction
never committed, so that no row names it (dps/services/common/stored_files.py calls it, and
nothing else may). Keys are made by ``new_key()`` and never come from the supplier's file name.

The default, ``LocalFolderStorage``, writes under ``DOCUMENT_STORAGE_PATH`` (by default
``instance/documents``). Each file is written to a temporary name in the same folder, flushed
to disk and then linked into place, so a reader never sees half a file and an existing key is
never overwritten.

An S3-compatible store (AWS S3, MinIO, Ceph, a council's own object store) can sit behind the
same interface. Write a class with the three methods and point ``DOCUMENT_STORAGE`` at a
factory that builds it from the Flask configuration, for example with boto3 (not a dependency
of this project; install it where you deploy)::

    # mycouncil/storage.py
    import io, boto3, botocore.exceptions

    class S3Storage:
        def __init__(self, config):
            self.bucket = config["DOCUMENT_S3_BUCKET"]
            self.client = boto3.client("s3", endpoint_url=config.get("DOCUMENT_S3_ENDPOINT"))

        def put(self, key, data):
            body = data if isinstance(data, bytes) else data.read()
            # IfNoneMatch="*": never overwrite evidence already stored under this key.
            self.client.put_object(Bucket=self.bucket, Key=key, Body=body, IfNoneMatch="*")

        def open(self, key):
            try:
                got = self.client.get_object(Bucket=self.bucket, Key=key)
            except self.client.exceptions.NoSuchKey:
                raise StoredFileMissing(key) from None
            return got["Body"]

        def exists(self, key):
            try:
                self.client.head_object(Bucket=self.bucket, Key=key)
            except botocore.exceptions.ClientError:
                return False
            return True

        def discard(self, key):
            # Only for a file whose transaction failed: no row names it.
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def s3_storage(config):
        return S3Storage(config)

and run with ``DOCUMENT_STORAGE=mycouncil.storage:s3_storage``. Turn on object versioning on
the bucket so that nothing can delete the evidence behind the service's back.

Virus scanning
--------------
Every upload is handed to the callable named by ``DOCUMENT_SCANNER`` (``module:function`` or
``module.function``) before it is stored: ``scanner(data: bytes, filename: str) -> str``. It
returns ``"clean"``, ``"infected"`` or ``"not_scanned"``; the default, ``no_scan``, scans nothing
and says so, and the result is kept with the document. An ``"infected"`` file is refused. A
scanner that fails (raises, or answers anything else) refuses the file too, asking the
supplier to try again, rather than letting an unchecked file through. A ClamAV daemon, for
example, can be reached with the ``clamd`` package in a few lines.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from flask import current_app

DEFAULT_STORAGE = "dps.outside.storage:local_folder_storage"
DEFAULT_SCANNER = "dps.outside.storage:no_scan"

CLEAN = "clean"
INFECTED = "infected"
NOT_SCANNED = "not_scanned"
SCAN_RESULTS = frozenset({CLEAN, INFECTED, NOT_SCANNED})

# What new_key() makes: two hex characters of fan-out, then 32 random hex characters.
KEY_PATTERN = re.compile(r"[0-9a-f]{2}/[0-9a-f]{32}")
CHUNK_BYTES = 64 * 1024


class StoredFileMissing(LookupError):
    """No file is stored under the key."""


class DocumentStorage(Protocol):
    """Where document bytes live. No delete of evidence: ``discard`` is for uncommitted files."""

    def put(self, key: str, data: bytes | BinaryIO) -> None:
        """Store ``data`` under ``key``; refuse (FileExistsError) if the key is taken."""

    def open(self, key: str) -> BinaryIO:
        """The stored bytes, to read; StoredFileMissing if there are none."""

    def exists(self, key: str) -> bool:
        """Whether anything is stored under ``key``."""

    def discard(self, key: str) -> None:
        """Remove a file no committed row names (its transaction failed); nothing if absent."""


Scanner = Callable[[bytes, str], str]


def new_key() -> str:
    """A fresh, unguessable key that says nothing about the file or its owner."""
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}"


class LocalFolderStorage:
    """Documents as files under one folder, each written whole before it appears."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        # Keys are ours, never a person's: anything else is a bug or an attack on the folder.
        if not KEY_PATTERN.fullmatch(key):
            raise ValueError(f"not a document storage key: {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes | BinaryIO) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as tmp:
                if isinstance(data, bytes):
                    tmp.write(data)
                else:
                    while chunk := data.read(CHUNK_BYTES):
                        tmp.write(chunk)
                tmp.flush()
                os.fsync(tmp.fileno())
            # A hard link appears whole, and fails rather than overwrite an existing file.
            os.link(tmp_name, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise StoredFileMissing(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def discard(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()


def local_folder_storage(config: Mapping[str, Any]) -> DocumentStorage:
    return LocalFolderStorage(Path(config["DOCUMENT_STORAGE_PATH"]))


def no_scan(data: bytes, filename: str) -> str:
    """The default scanner: nothing is scanned, and the document records that."""
    return NOT_SCANNED


def load_callable(dotted: str) -> Callable[..., Any]:
    """``package.module:name`` or ``package.module.name`` -> the object it names."""
    module_name, _, attribute = dotted.partition(":") if ":" in dotted else dotted.rpartition(".")
    found = getattr(importlib.import_module(module_name), attribute)
    if not callable(found):
        raise TypeError(f"{dotted} is not callable")
    return found


def get_storage() -> DocumentStorage:
    """The configured storage, built once per application."""
    storage = current_app.extensions.get("dps_document_storage")
    if storage is None:
        factory = load_callable(current_app.config.get("DOCUMENT_STORAGE") or DEFAULT_STORAGE)
        storage = factory(current_app.config)
        current_app.extensions["dps_document_storage"] = storage
    return storage


def get_scanner() -> Scanner:
    return load_callable(current_app.config.get("DOCUMENT_SCANNER") or DEFAULT_SCANNER)


def has_checksum(key: str, sha256: str) -> bool:
    """Whether the bytes kept under ``key`` still have this SHA-256 (False if they are gone)."""
    digest = hashlib.sha256()
    try:
        with get_storage().open(key) as stored:
            while chunk := stored.read(CHUNK_BYTES):
                digest.update(chunk)
    except StoredFileMissing:
        return False
    return digest.hexdigest() == sha256
