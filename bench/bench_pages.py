"""Page speed and server memory, next to Flask's hello world on the same server in the same run.

Each app is served by gunicorn (one sync worker) on a free loopback port; a bounded number of
sequential requests is timed with one HTTP client. The machines are shared and noisy, so read
the ratio to the baseline rather than the absolute figures.

    .venv/bin/python bench/bench_pages.py [--requests N]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children, in KiB."""
    total = 0
    pids = [str(pid)]
    children = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    pids += children
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total


def serve(target: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}", target],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/", timeout=1)
            return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{target} did not start")


def measure(base: str, path: str, count: int) -> dict[str, float]:
    timings = []
    with httpx.Client(base_url=base, timeout=10) as client:
        for _ in range(10):  # warm up
            client.get(path)
        for _ in range(count):
            start = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
    timings.sort()
    return {
        "per_second": count / sum(timings),
        "p50_ms": statistics.median(timings) * 1000,
        "p95_ms": timings[int(len(timings) * 0.95) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DPS_INSTANCE_PATH": tmp, "DPS_ENV": "development"}
        env.pop("DATABASE_URL", None)
        subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", "demo", "load"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        rows = []
        for label, target, paths in [
            ("Flask hello world (baseline)", "bench.hello_app:app", ["/"]),
            ("portal", "wsgi:app", ["/", "/sign-in", "/accessibility"]),
        ]:
            proc, base = serve(target, env)
            try:
                for path in paths:
                    figures = measure(base, path, args.requests)
                    rows.append((label, path, figures, rss_kib(proc.pid)))
            finally:
                proc.terminate()
                proc.wait(timeout=10)

    baseline = rows[0][2]["per_second"]
    header = ("server", "path", "req/s", "x base", "p50 ms", "p95 ms", "RSS MiB")
    print(f"{header[0]:32} {header[1]:15} " + " ".join(f"{h:>8}" for h in header[2:]))
    for label, path, f, rss in rows:
        print(
            f"{label:32} {path:15} {f['per_second']:8.0f} {f['per_second'] / baseline:8.2f} "
            f"{f['p50_ms']:8.2f} {f['p95_ms']:8.2f} {rss / 1024:8.1f}"
        )


if __name__ == "__main__":
    main()
