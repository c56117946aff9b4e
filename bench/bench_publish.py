"""Publishing a call-off to a lot of 5,000 admitted suppliers on PostgreSQL.

Prints the seconds the publish request's service call takes (checks, the invitation list as one
INSERT ... SELECT, the audited move and the outbox hand-over, committed) and the seconds the
workers' fan-out takes to put every invitation email in the outbox, next to a plain bulk INSERT
of the same number of rows in the same database in the same run: the machines are shared and
noisy, so read the ratios. Tasks are handed to an in-memory broker, as to Redis, so the publish
call does not run the fan-out itself; the fan-out is then called as a worker would.

    .venv/bin/python bench/bench_publish.py [--suppliers N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dps import create_app  # noqa: E402
from dps.extensions import db  # noqa: E402
from dps.models import OutboxMessage  # noqa: E402
from dps.rules.enums import OutboxKind  # noqa: E402
from dps.services.calloffs import invitations, publishing  # noqa: E402
from tests.fixtures.calloffs_world import (  # noqa: E402
    SENT_AT,
    admit_suppliers,
    make_calloff_world,
    ready_draft,
)

ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suppliers", type=int, default=5000)
    count = parser.parse_args().suppliers

    name = f"dps_bench_publish_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app(
                {
                    "TESTING": True,
                    "SQLALCHEMY_DATABASE_URI": url,
                    "SERVER_NAME": "localhost",
                    "BASE_URL": "http://localhost",
                    "TASKS_IN_PROCESS": False,
                    "CELERY_BROKER_URL": "memory://",
                },
                env={"DPS_ENV": "test", "DPS_INSTANCE_PATH": str(Path(tmp) / "instance")},
            )
            with app.app_context():
                db.create_all()
                report(count)
                db.session.remove()
                db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                ),
                {"n": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def report(count: int) -> None:
    cw = make_calloff_world()
    admit_suppliers(cw, 1, count)
    call_off = ready_draft(cw)

    # Baseline: a plain bulk INSERT of as many rows, committed.
    db.session.execute(sa.text("CREATE TABLE bench_rows (id serial PRIMARY KEY, n integer)"))
    db.session.commit()
    started = time.perf_counter()
    db.session.execute(
        sa.text("INSERT INTO bench_rows (n) VALUES (:n)"), [{"n": n} for n in range(count)]
    )
    db.session.commit()
    baseline = time.perf_counter() - started

    started = time.perf_counter()
    invited = publishing.publish(call_off, cw.buyer, SENT_AT)
    publish_seconds = time.perf_counter() - started

    started = time.perf_counter()
    invitations.email_invited_suppliers(call_off.id)
    db.session.commit()
    fan_out_seconds = time.perf_counter() - started
    emails = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.kind == OutboxKind.EMAIL, OutboxMessage.dedupe_key.like("call-off-%"))
    )

    print(f"Publishing a call-off to {invited:,} admitted suppliers on PostgreSQL")
    print(f"{'what':<58} {'seconds':>8} {'x baseline':>10}")
    rows = [
        (f"plain bulk INSERT of {count:,} rows (baseline)", baseline),
        ("publish: the web request's service call, committed", publish_seconds),
        (f"fan-out: every invitation email in the outbox ({emails:,})", fan_out_seconds),
        ("publish and fan-out together", publish_seconds + fan_out_seconds),
    ]
    for label, seconds in rows:
        print(f"{label:<58} {seconds:>8.3f} {seconds / baseline:>10.1f}")


if __name__ == "__main__":
    main()
