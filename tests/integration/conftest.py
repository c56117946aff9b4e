"""Integration fixtures: a Redis server of the test's own, a local SMTP sink, Celery processes.

Each Redis here is a ``redis-server`` started on a free port for the test alone, so a test can
stop it (the broker going down) without touching the machine's Redis that other tests share.
Worker and beat processes are started in a session of their own and always killed at teardown.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from dps.celery_app import ALL_QUEUES
from dps.extensions import db
from tests.conftest import _truncate_all, make_app
from tests.fixtures import services
from tests.fixtures.smtp_sink import Sink, free_port, smtp_sink

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).parent / "celery"


def _wait_for_port(port: int, *, open_: bool, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if services._port_open("127.0.0.1", port) == open_:
            return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} did not {'open' if open_ else 'close'} in {timeout}s")


def _stop(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Stop a process we started, and everything it started; kill it if it will not go."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


class RedisServer:
    """A redis-server of the test's own, on a fixed free port, that can be stopped and restarted."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_for_port(self.port, open_=True)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None
        _wait_for_port(self.port, open_=False)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    services.need_redis()
    if shutil.which("redis-server") is None:
        services.missing("redis-server")
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    with smtp_sink() as running:
        yield running


@pytest.fixture
def broker_app(
    migrated_postgres: dict[str, str], redis_server: RedisServer, tmp_path: Path
) -> Iterator[Flask]:
    """The web side as in production: PostgreSQL as the app role, tasks handed to Redis."""
    _truncate_all(migrated_postgres["owner_url"])
    app = make_app(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=migrated_postgres["app_url"],
        TASKS_IN_PROCESS=False,
        CELERY_BROKER_URL=redis_server.url,
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


class CeleryProcesses:
    """Starts `celery -A workers worker` and `celery -A workers beat` as separate processes."""

    def __init__(self, env: dict[str, str], logdir: Path) -> None:
        self.env = env
        self.logdir = logdir
        self.started: list[tuple[subprocess.Popen[bytes], Path]] = []

    def _start(self, name: str, args: list[str]) -> Path:
        log = self.logdir / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(CELERY), "-A", "workers", *args],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append((process, log))
        return log

    def worker(self, name: str = "worker", concurrency: int = 1) -> Path:
        """Start a worker; give each of several workers its own ``name`` (its log's name)."""
        return self._start(
            name,
            [
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "-Q",
                ",".join(ALL_QUEUES),
                "-n",
                f"test-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
        )

    def beat(self) -> Path:
        schedule = self.logdir / "beat-schedule"
        return self._start("beat", ["beat", "--schedule", str(schedule), "--loglevel=INFO"])

    def wait_for_log(self, log: Path, text: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in log.read_text(errors="replace"):
                return
            if any(p.poll() is not None for p, _log in self.started):
                break
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not seen in {log.name}:\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name} ---\n{log.read_text(errors='replace')[-4000:]}"
            for _p, log in self.started
        )

    def stop_all(self) -> None:
        for process, _log in self.started:
            _stop(process)


@pytest.fixture
def celery_processes(
    migrated_postgres: dict[str, str], redis_server: RedisServer, tmp_path: Path
) -> Iterator[CeleryProcesses]:
    """Worker and beat processes configured as production, against the test's services.

    The caller sets SMTP_PORT (and anything else) in ``.env`` before starting them.
    """
    env = {
        **os.environ,
        "DPS_ENV": "production",
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "DPS_INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "DATABASE_URL": migrated_postgres["app_url"],
        "CELERY_BROKER_URL": redis_server.url,
        "REDIS_URL": redis_server.url,
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_TIMEOUT_SECONDS": "5",
        "BASE_URL": "https://dps.example.org",
    }
    for name in ("TASKS_IN_PROCESS", "SCHEDULER_IN_PROCESS", "OUTBOX_SWEEP_SECONDS"):
        env.pop(name, None)
    processes = CeleryProcesses(env, tmp_path)
    try:
        yield processes
    finally:
        processes.stop_all()
