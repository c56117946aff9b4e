"""Demonstration data for `make run`. Filled in by the demo-data work."""

from __future__ import annotations


def load_demo_data() -> str:
    return "no demo data yet"
