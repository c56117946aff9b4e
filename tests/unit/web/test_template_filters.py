"""Templates show instants, dates and money through the same filters as the services."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from flask import Flask, render_template_string

BST = timezone(timedelta(hours=1), "BST")
# 14:30 in London on a summer day is 13:30 UTC.
SUMMER_AFTERNOON_LONDON = datetime(2026, 6, 15, 14, 30, tzinfo=BST)


def test_templates_have_the_filters(app: Flask) -> None:
    with app.test_request_context():
        rendered = render_template_string(
            "{{ when|datetime }} / {{ day|date }} / {{ cover|pence }}",
            when=datetime(2026, 6, 15, 13, 5, tzinfo=UTC),
            day=date(2029, 2, 23),
            cover=1_000_000_000,
        )
    assert rendered == "15 June 2026 at 2:05pm / 23 February 2029 / £10,000,000"
