"""Text typed by people: no control characters.

A control character cannot be typed into a form, only pasted in from another program or sent by
hand: NUL cannot be stored in PostgreSQL at all (the request failed with a server error), and the
others (escape, backspace, the C1 set) would go on into pages, emails and exports. One-line
answers take none; multi-line text keeps the tab and line breaks a textarea sends. The form
base class (``dps.web.forms.PortalForm``), the questionnaire and the check on every request all
ask this module.
"""

from __future__ import annotations

import unicodedata

# What a textarea legitimately sends: tab, line feed, carriage return.
MULTI_LINE_ALLOWED = frozenset("\t\n\r")
# Unicode's line and paragraph separators break a one-line answer as a line feed would.
LINE_BREAKS = frozenset("\u2028\u2029")


def has_control_characters(text: str, *, multi_line: bool = False) -> bool:
    """Whether ``text`` holds a control character (Unicode category Cc: C0, DEL and C1) that its
    kind of answer may not, or, in a one-line answer, a line or paragraph separator."""
    for char in text:
        if multi_line and char in MULTI_LINE_ALLOWED:
            continue
        if unicodedata.category(char) == "Cc" or (not multi_line and char in LINE_BREAKS):
            return True
    return False


def control_characters_message(name: str) -> str:
    """The error message for the answer called ``name`` (its question's label); a label that is
    a question ("Why is more time justified?") or an instruction ("Enter the 6-digit code"), or
    none, is "Your answer"."""
    name = name.strip()
    if not name or name.endswith("?") or name.startswith("Enter "):
        name = "Your answer"
    return f"{name[0].upper()}{name[1:]} must not contain control characters"
