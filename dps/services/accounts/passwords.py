"""Passwords: argon2id hashes and the rules a new password must meet."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 256

# argon2-cffi's defaults are argon2id with the RFC 9106 low-memory profile.
_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords, as shipped in the zxcvbn package (no download)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def problem_with(password: str, *, email: str = "") -> str | None:
    """Why a proposed password is refused, in words for the user; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Your password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Your password must be {MAX_LENGTH} characters or fewer"
    lowered = password.lower()
    if lowered in _common_passwords() or lowered.strip("0123456789!") in _common_passwords():
        return "Your password is too common. Choose one that is harder to guess"
    if email and lowered == email.lower():
        return "Your password must not be your email address"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# A hash of a random password, verified against when an address is unknown, so that signing in
# takes as long whether or not the account exists.
DUMMY_HASH = _hasher.hash("not-a-real-password-but-long-enough")
