"""Finding the services a test needs. Under CI=true a missing one fails the test, never skips."""

from __future__ import annotations

import os
import shutil
import socket

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CHROMIUM = os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def missing(what: str) -> None:
    """A needed service is missing: fail under CI, skip on a laptop."""
    message = f"{what} is not available"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: a missing service fails the run)")
    pytest.skip(message)


def need_postgres() -> None:
    if not _port_open("127.0.0.1", 5432):
        missing("PostgreSQL on 127.0.0.1:5432")


def need_redis() -> None:
    if not _port_open("127.0.0.1", 6379):
        missing("Redis on 127.0.0.1:6379")


def need_chromium() -> None:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        missing(f"Chromium at {CHROMIUM}")
