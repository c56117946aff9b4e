"""A local SMTP server for tests (aiosmtpd): it keeps every message it is given."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Sink:
    """The messages received, parsed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Message]:
        """Wait until ``count`` messages have arrived (or the timeout passes); return them all."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.messages)


@contextmanager
def smtp_sink(port: int | None = None, sink: Sink | None = None) -> Iterator[tuple[Sink, int]]:
    """Run a sink on ``port`` (a free one if not given) until the block ends."""
    port = port or free_port()
    sink = sink or Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()
