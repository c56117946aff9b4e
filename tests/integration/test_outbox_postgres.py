"""On PostgreSQL, relays racing over the same rows send each message exactly once."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from dps.extensions import db
from dps.models.outbox import OutboxMessage
from dps.rules.enums import OutboxKind, OutboxStatus
from dps.services.common import outbox
from tests.fixtures.smtp_sink import Sink, smtp_sink

pytestmark = [pytest.mark.postgres]

MESSAGES = 30
RELAYS = 4


class SlowSink(Sink):
    """Takes a moment over each message, so racing relays overlap for certain."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.timeout(120)
def test_concurrent_relays_send_each_message_exactly_once(pg_app: Flask) -> None:
    # Rows written as a commit would leave them, before any relay has run.
    db.session.add_all(
        OutboxMessage(
            kind=OutboxKind.EMAIL,
            payload={"to": f"s{n}@example.org", "subject": f"Message {n}", "body": "Body"},
        )
        for n in range(MESSAGES)
    )
    db.session.commit()

    sink = SlowSink()
    with smtp_sink(sink=sink) as (_sink, port):
        pg_app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        start = threading.Barrier(RELAYS)
        delivered: list[int] = []
        errors: list[BaseException] = []

        def relay() -> None:
            try:
                with pg_app.app_context():  # a session (and connection) of its own
                    start.wait()
                    delivered.append(outbox.relay_pending())
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=relay) for _ in range(RELAYS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
        assert not errors
        received = sink.wait_for(MESSAGES, timeout=10)

    assert sum(delivered) == MESSAGES
    assert len(received) == MESSAGES
    assert len({m["Message-ID"] for m in received}) == MESSAGES
    assert sorted(m["Subject"] for m in received) == sorted(f"Message {n}" for n in range(MESSAGES))
    db.session.expire_all()
    statuses = db.session.scalars(sa.select(OutboxMessage.status)).all()
    assert statuses == [OutboxStatus.SENT] * MESSAGES
