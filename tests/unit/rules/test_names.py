"""Names as typed: one line, trimmed."""

from __future__ import annotations

from dps.rules.names import one_line


def test_a_typed_name_is_one_line() -> None:
    assert one_line("  Ann\r\n\tLee\u2028\u2029\x85Ltd  ") == "Ann Lee Ltd"
    assert one_line("\n \n") == ""
