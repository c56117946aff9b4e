"""A local stand-in for the Companies House public data API, for tests.

It answers ``GET /company/{number}`` as the real service does (JSON company profile, 404 with the
service's error body, 401 without the right key given as the basic-auth user name), and records
the arrival time of every look-up so a test can prove a rate limit held.

Companies it knows (numbers in ``COMPANIES``; a test can add more with ``add_company`` or
``POST /_stub/companies``), each named by a constant here:

=================  ==========  ===============================================================
constant           number      answer
=================  ==========  ===============================================================
ACTIVE             09345678    200, active, "CO-OPERATIVE FUTURES LIMITED" (the demo supplier
                               and tests/application_world.py's profile: the check passes)
ACTIVE_CIC         12456789    200, active, "CAPACITY WORKS CIC" (the other demo supplier)
DISSOLVED          01000002    200, dissolved
LIQUIDATION        01000003    200, liquidation
NOT_FOUND          01000404    404 (so is any number it does not know)
RATE_LIMITED       01000429    429 with ``Retry-After: 7``
SERVER_ERROR       01000500    500
SLOW               01000555    holds the request (see below), then answers as ACTIVE
=================  ==========  ===============================================================

In-process (unit tests)::

    with CompaniesHouseStub(api_key="test-key") as stub:
        app.config.update(COMPANIES_HOUSE_API_URL=stub.url, COMPANIES_HOUSE_API_KEY="test-key")
        ...
        stub.requests()          # [{"at": epoch seconds, "number": ..., "status": ...}, ...]

As a subprocess (worker tests; the worker processes call it over HTTP)::

    python -m tests.ch_stub --port 8123 [--api-key test-key] [--slow-seconds 60]

then point the workers at it with ``COMPANIES_HOUSE_API_URL=http://127.0.0.1:8123`` and
``COMPANIES_HOUSE_API_KEY=test-key``. ``run_stub_process(port)`` starts it and waits until it
answers; ``StubClient(url)`` drives it from the test.

Holding a request (engineer E's kill tests): a look-up of ``SLOW`` (01000555) is recorded the
moment it arrives and then held, without answering, until it is released or ``slow_seconds``
have passed (30 by default; ``--slow-seconds`` or ``POST /_stub/config {"slow_seconds": N}``).
So, to kill a worker while Companies House is holding its request:

1. give the application's profile the number ``SLOW`` and submit it;
2. wait until ``GET /_stub/held`` says ``{"held": 1}`` (``StubClient.wait_until_held(1)``):
   the worker is now inside the HTTP request;
3. SIGKILL the worker, start a new one;
4. ``POST /_stub/release`` (``StubClient.release()``) lets the held request, and every later
   look-up of SLOW, answer at once (as ACTIVE) — or leave it held and let the new worker's
   request hit the client's timeout, whichever the test needs. ``POST /_stub/hold`` holds again.

Other control endpoints: ``GET /_stub/requests`` (every look-up: arrival time, number, status,
whether the key was right), ``POST /_stub/reset`` (forget them). Control endpoints need no key.
``most_in_any_window(times, seconds)`` counts the most arrivals within any window, to prove a
rate limit held.
"""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib import request as urlrequest

ACTIVE = "09345678"
ACTIVE_CIC = "12456789"
DISSOLVED = "01000002"
LIQUIDATION = "01000003"
NOT_FOUND = "01000404"
RATE_LIMITED = "01000429"
SERVER_ERROR = "01000500"
SLOW = "01000555"

RETRY_AFTER_SECONDS = 7
DEFAULT_API_KEY = "test-key"
DEFAULT_SLOW_SECONDS = 30.0


def company(number: str, name: str, status: str, *, kind: str = "ltd") -> dict[str, Any]:
    """A company profile shaped as the API returns it (the fields the portal reads, and some)."""
    return {
        "company_number": number,
        "company_name": name,
        "company_status": status,
        "type": kind,
        "date_of_creation": "2014-12-01",
        "jurisdiction": "england-wales",
        "registered_office_address": {
            "address_line_1": "Civic Centre",
            "locality": "Oldham",
            "postal_code": "OL1 1UT",
        },
        "has_insolvency_history": status in {"liquidation", "administration"},
        "can_file": status == "active",
    }


def default_companies() -> dict[str, dict[str, Any]]:
    return {
        ACTIVE: company(ACTIVE, "CO-OPERATIVE FUTURES LIMITED", "active"),
        ACTIVE_CIC: company(ACTIVE_CIC, "CAPACITY WORKS CIC", "active"),
        DISSOLVED: company(DISSOLVED, "GONE BEFORE LIMITED", "dissolved"),
        LIQUIDATION: company(LIQUIDATION, "WINDING DOWN LIMITED", "liquidation"),
        SLOW: company(SLOW, "CO-OPERATIVE FUTURES LIMITED", "active"),
    }


class _State:
    """What the stub knows and has seen; shared by its request threads."""

    def __init__(self, api_key: str, slow_seconds: float) -> None:
        self.api_key = api_key
        self.slow_seconds = slow_seconds
        self.companies = default_companies()
        self.lock = threading.Lock()
        self.log: list[dict[str, Any]] = []
        self.held = 0
        self.release_event = threading.Event()

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.log.append(entry)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read /_stub/requests instead."""

    # --- the API ---------------------------------------------------------------------------

    def do_GET(self) -> None:
        arrived = time.time()
        state = self.server.state
        if self.path == "/_stub/requests":
            with state.lock:
                self._json(200, list(state.log))
            return
        if self.path == "/_stub/held":
            with state.lock:
                self._json(200, {"held": state.held})
            return
        if not self.path.startswith("/company/"):
            self._json(404, {"errors": [{"error": "not-found", "type": "ch:service"}]})
            return
        number = self.path.removeprefix("/company/").split("?")[0].upper()
        key_ok = self._key() == state.api_key
        # Recorded on arrival, so a held request is seen at once; its status follows.
        entry: dict[str, Any] = {"at": arrived, "number": number, "status": None, "key_ok": key_ok}
        state.record(entry)
        # _json writes the status into the entry before the answer leaves, so a client that has
        # its answer always finds the status recorded.
        self._entry = entry
        self._answer(number, key_ok)

    def _answer(self, number: str, key_ok: bool) -> int:
        state = self.server.state
        if not key_ok:
            return self._json(401, {"error": "Invalid Authorization", "type": "ch:service"})
        if number == RATE_LIMITED:
            return self._json(
                429,
                {"errors": [{"error": "rate-limit-exceeded"}]},
                {"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        if number == SERVER_ERROR:
            return self._json(500, {"errors": [{"error": "internal-server-error"}]})
        if number == SLOW:
            self._hold()
        with state.lock:
            found = state.companies.get(number)
        if found is None:
            return self._json(
                404, {"errors": [{"error": "company-profile-not-found", "type": "ch:service"}]}
            )
        return self._json(200, found)

    def _hold(self) -> None:
        state = self.server.state
        with state.lock:
            state.held += 1
        try:
            state.release_event.wait(timeout=state.slow_seconds)
        finally:
            with state.lock:
                state.held -= 1

    def _key(self) -> str | None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            decoded = base64.b64decode(header.removeprefix("Basic ")).decode()
        except ValueError:
            return None
        user, _sep, _password = decoded.partition(":")
        return user

    # --- control -----------------------------------------------------------------------------

    def do_POST(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/_stub/release":
            state.release_event.set()
        elif self.path == "/_stub/hold":
            state.release_event.clear()
        elif self.path == "/_stub/reset":
            with state.lock:
                state.log.clear()
        elif self.path == "/_stub/config":
            if "slow_seconds" in body:
                state.slow_seconds = float(body["slow_seconds"])
            if "api_key" in body:
                state.api_key = str(body["api_key"])
        elif self.path == "/_stub/companies":
            with state.lock:
                state.companies[body["company_number"]] = company(
                    body["company_number"],
                    body["company_name"],
                    body.get("company_status", "active"),
                    kind=body.get("type", "ltd"),
                )
        else:
            self._json(404, {"error": "unknown control endpoint"})
            return
        self._json(200, {"ok": True})

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> int:
        payload = json.dumps(body).encode()
        entry = getattr(self, "_entry", None)
        if entry is not None:
            with self.server.state.lock:
                entry["status"] = status
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout in a test): nothing to tell it
        return status


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State


class CompaniesHouseStub:
    """The stub running in a thread of this process, on 127.0.0.1 and a free port."""

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        *,
        port: int = 0,
        slow_seconds: float = DEFAULT_SLOW_SECONDS,
    ) -> None:
        self.server = _Server(("127.0.0.1", port), _Handler)
        self.server.state = _State(api_key, slow_seconds)
        # A short poll, so stopping the stub at each test's end takes no time.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def state(self) -> _State:
        return self.server.state

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> CompaniesHouseStub:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.state.release_event.set()  # let held requests finish rather than hang shutdown
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> CompaniesHouseStub:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def requests(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return list(self.state.log)

    def held(self) -> int:
        with self.state.lock:
            return self.state.held

    def release(self) -> None:
        self.state.release_event.set()

    def hold(self) -> None:
        self.state.release_event.clear()

    def add_company(self, number: str, name: str, status: str = "active") -> None:
        with self.state.lock:
            self.state.companies[number] = company(number, name, status)


def most_in_any_window(times: list[float], window: float) -> int:
    """The largest number of the ``times`` (arrival times, as ``at``) within any ``window``
    seconds: what a rate limit of that window must keep at or below its limit."""
    ordered = sorted(times)
    most, start = 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


# --- driving a stub in another process ------------------------------------------------------


class StubClient:
    """The control endpoints of a stub running elsewhere (``python -m tests.ch_stub``)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def _call(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        method = "GET" if body is None else "POST"
        req = urlrequest.Request(f"{self.url}{path}", data=data, method=method)
        with urlrequest.urlopen(req, timeout=5) as response:
            return json.loads(response.read())

    def requests(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("/_stub/requests")
        return result

    def held(self) -> int:
        return int(self._call("/_stub/held")["held"])

    def release(self) -> None:
        self._call("/_stub/release", {})

    def hold(self) -> None:
        self._call("/_stub/hold", {})

    def reset(self) -> None:
        self._call("/_stub/reset", {})

    def configure(self, **settings: Any) -> None:
        self._call("/_stub/config", settings)

    def add_company(self, number: str, name: str, status: str = "active") -> None:
        self._call(
            "/_stub/companies",
            {"company_number": number, "company_name": name, "company_status": status},
        )

    def wait_until_held(self, count: int = 1, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.held() >= count:
                return
            time.sleep(0.05)
        raise TimeoutError(f"the stub did not hold {count} request(s) within {timeout}s")


@contextmanager
def run_stub_process(
    port: int,
    *,
    api_key: str = DEFAULT_API_KEY,
    slow_seconds: float = DEFAULT_SLOW_SECONDS,
    timeout: float = 10.0,
) -> Iterator[StubClient]:
    """Run ``python -m tests.ch_stub`` on ``port`` until the block ends (then it is killed)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.ch_stub",
            "--port",
            str(port),
            "--api-key",
            api_key,
            "--slow-seconds",
            str(slow_seconds),
        ],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = StubClient(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.held()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the Companies House stub did not start") from None
                time.sleep(0.05)
        yield client
    finally:
        process.kill()
        process.wait(timeout=10)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A local Companies House API stub for tests")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--slow-seconds", type=float, default=DEFAULT_SLOW_SECONDS)
    args = parser.parse_args(argv)
    stub = CompaniesHouseStub(args.api_key, port=args.port, slow_seconds=args.slow_seconds)
    try:
        stub.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stub.server.server_close()


if __name__ == "__main__":
    main()
