"""Refusals: the one way the rules and services say no.

A ``Refusal`` is something a person asked for that the rules do not allow and that they can put
right (a date in the past, a lot already applied for, a file of the wrong type): it carries the
message to show and, where the problem belongs to one question, that question's field name, so
the page can put it in the GOV.UK error summary beside the answer. ``NotFound`` and
``NotAllowed`` are not for putting right: the web layer answers them with its 404 and 403 pages
(``dps.web.errors``), so "someone else's application" looks the same as "no such application".
"""

from __future__ import annotations


class Refusal(Exception):
    """A request the rules refuse, with a message a person can act on."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class NotFound(LookupError):
    """What was asked for does not exist, or is not the asker's to see."""


class NotAllowed(Exception):
    """The asker may see this, but may not do what they asked to it.

    Its message, when given, is shown on the 403 page to the person refused, so it is written
    for them: why, and who to ask.
    """
