"""Password rules and hashing: what a person may choose, and how it is kept."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from dps.services.accounts import passwords


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("short-one", "12 characters or more"),
        ("", "12 characters or more"),
        ("x" * 257, "256 characters or fewer"),
        ("password1234", "too common"),
        ("Password1234", "too common"),  # case does not make a common password safe
        ("qwertyuiop12", "too common"),
        ("ann.lee@example.org", "must not be your email address"),
    ],
)
def test_refused_passwords_say_why(password: str, expected: str) -> None:
    problem = passwords.problem_with(password, email="Ann.Lee@Example.org")
    assert problem is not None
    assert expected in problem


@pytest.mark.parametrize(
    "password", ["correct horse battery", "co-operative councils 2026", "x" * 256]
)
def test_long_uncommon_passwords_are_accepted(password: str) -> None:
    assert passwords.problem_with(password, email="ann@example.org") is None


def test_twelve_characters_is_enough_and_eleven_is_not() -> None:
    assert passwords.problem_with("kq8!vz3mTw2r") is None
    assert passwords.problem_with("kq8!vz3mTw2") is not None


def test_hashes_are_argon2id_and_salted() -> None:
    first = passwords.hash_password("correct horse battery")
    second = passwords.hash_password("correct horse battery")
    assert first.startswith("$argon2id$")
    assert first != second
    assert passwords.verify_password(first, "correct horse battery")
    assert not passwords.verify_password(first, "correct horse batterY")


def test_a_damaged_hash_is_a_failed_check_not_an_error() -> None:
    assert not passwords.verify_password("not-a-hash", "correct horse battery")


def test_a_hash_made_with_weaker_parameters_needs_rehashing() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    assert passwords.needs_rehash(weak.hash("correct horse battery"))
    assert not passwords.needs_rehash(passwords.hash_password("correct horse battery"))
