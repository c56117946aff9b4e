"""Names as typed (one line, trimmed) and organisation names as compared: by the Companies
House check and the duplicate check.

Case, punctuation, spacing, a leading "The", "&" for "and", and the designation of the legal
form at the end (Ltd or Limited, PLC, CIC, LLP, and their Welsh forms) are ignored, so that
"Co-operative Futures Ltd." and "CO-OPERATIVE FUTURES LIMITED" compare equal.
"""

from __future__ import annotations

import re
import unicodedata

# The longest name a person or an organisation may give (the columns hold no more).
NAME_MAX_LENGTH = 200

# Designations of the legal form at the end of a name, in English and Welsh.
_DESIGNATIONS = (
    "limited", "ltd", "cyfyngedig", "cyf",
    "public limited company", "plc", "cwmni cyfyngedig cyhoeddus", "ccc",
    "community interest company", "cic", "cwmni buddiant cymunedol", "cbc",
    "limited liability partnership", "llp", "partneriaeth atebolrwydd cyfyngedig", "pac",
)  # fmt: skip
# Longest first, so "public limited company" goes before "limited" could match alone.
_DESIGNATION_WORDS = sorted((d.split() for d in _DESIGNATIONS), key=len, reverse=True)
# Marks inside a word ("Co-operative", "O'Neill", "A.B.C.") join it up; others separate words.
_JOINING = re.compile(r"[-‐‑–'’.]")
_SEPARATING = re.compile(r"[^\w\s]")


def one_line(text: str) -> str:
    """``text`` trimmed, with every run of spaces, tabs and line breaks (of any script) as one
    space: a name typed by anyone is one line, so it cannot start a paragraph of its own in an
    email or a page."""
    return " ".join(text.split())


def normalise_name(name: str) -> str:
    """A company name reduced to what tells names apart.

    Ignores case, punctuation, spacing, a leading "The", and the designation of the legal form
    at the end (Ltd or Limited, PLC, CIC, LLP, and their Welsh forms); "&" reads as "and".
    """
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    text = _SEPARATING.sub(" ", _JOINING.sub("", text))
    words = text.split()
    if words[:1] == ["the"]:
        words = words[1:]
    stripped = True
    while stripped and words:
        stripped = False
        for designation in _DESIGNATION_WORDS:
            if len(words) > len(designation) and words[-len(designation) :] == designation:
                words = words[: -len(designation)]
                stripped = True
                break
    return " ".join(words)


def names_match(given: str, registered: str) -> bool:
    return name_key(given) == name_key(registered)


def name_key(name: str) -> str:
    """What two names are compared by: the normalised words run together, so "co operative"
    and "co-operative" are the same name."""
    return normalise_name(name).replace(" ", "")
