"""Signing in and out: the password, an administrator's second factor, and the session.

Registration and confirmation are in ``registration``, forgotten and changed passwords in
``passwords``, accepting an invitation in ``invitations``, beside this module.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from dps.models.accounts import User
from dps.services.accounts import signing_in
from dps.services.accounts.signing_in import Outcome
from dps.web import request_idle_limit_seconds
from dps.web.access import Area, allow, current_actor
from dps.web.auth import bp
from dps.web.auth.forms import CodeForm, SignInForm
from dps.web.auth.limits import limited, sign_in_account, trust_this_device, was_refused

Page = str | tuple[str, int] | Response

# The session key for an administrator who has given the right password but not yet a code.
PENDING = "pending_sign_in"
PENDING_MAX_SECONDS = 10 * 60

CODE_PAGES = {
    Outcome.NEEDS_CODE: "auth.sign_in_code",
    Outcome.NEEDS_CODE_SET_UP: "auth.set_up_code",
}
SIGN_IN_REFUSED = "Enter a correct email address and password"
WRONG_CODE = "The code is not correct. Enter the code your authenticator app shows now"


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site; None for anything that could lead elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _pending_account() -> str:
    pending = session.get(PENDING) or {}
    return f"user:{pending['user_id']}" if "user_id" in pending else ""


def _hold_pending(user: User, next_url: str | None) -> None:
    session[PENDING] = {
        "user_id": user.id,
        "version": user.session_version,
        "since": time.time(),
        "next": next_url,
    }


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not pending:
        return None
    if time.time() - float(pending.get("since", 0)) > PENDING_MAX_SECONDS:
        session.pop(PENDING, None)
        return None
    return signing_in.pending_administrator(int(pending["user_id"]), int(pending["version"]))


def _finish_sign_in(user: User, next_url: str | None) -> Response:
    session.pop(PENDING, None)
    login_user(user)
    trust_this_device(user.email)
    return redirect(safe_next(next_url) or url_for("public.home"))


def _sign_in_again() -> Response:
    flash("Your sign-in has timed out. Sign in again.")
    return redirect(url_for("auth.sign_in"))


def _session_state() -> dict[str, Any]:
    if not current_user.is_authenticated:
        return {"signed_in": False, "seconds_left": 0}
    idle_limit = request_idle_limit_seconds()
    last_seen = session.get("last_seen")
    idle_for = 0.0 if last_seen is None else time.time() - float(last_seen)
    return {"signed_in": True, "seconds_left": max(0, int(idle_limit - idle_for))}


@bp.route("/sign-in", methods=["GET", "POST"])
@allow(Area.PUBLIC)
@limited(sign_in_account, counts=was_refused)
def sign_in() -> Page:
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("public.home"))
    form = SignInForm()
    unconfirmed = False
    if form.validate_on_submit():
        step = signing_in.sign_in_with_password(form.email.data, form.password.data)
        if step.user and step.outcome is Outcome.SIGNED_IN:
            return _finish_sign_in(step.user, next_url)
        if step.user and step.outcome in CODE_PAGES:
            # An administrator: not signed in until the code is given.
            _hold_pending(step.user, next_url)
            return redirect(url_for(CODE_PAGES[step.outcome]))
        if step.outcome is Outcome.UNCONFIRMED:
            unconfirmed = True
            form.email.errors.append("Confirm your email address before you sign in")
        else:
            form.email.errors.append(SIGN_IN_REFUSED)
    return render_template("auth/sign_in.html", form=form, unconfirmed=unconfirmed)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@allow(Area.PUBLIC)
@limited(_pending_account, counts=was_refused)
def sign_in_code() -> Page:
    user = _pending_user()
    if user is None:
        return _sign_in_again()
    if user.totp_confirmed_at is None:
        return redirect(url_for("auth.set_up_code"))
    form = CodeForm()
    if form.validate_on_submit():
        if signing_in.sign_in_with_code(user, form.code.data):
            return _finish_sign_in(user, session.get(PENDING, {}).get("next"))
        form.code.errors.append(WRONG_CODE)
    return render_template("auth/sign_in_code.html", form=form)


@bp.route("/sign-in/set-up-code", methods=["GET", "POST"])
@allow(Area.PUBLIC)
@limited(_pending_account, counts=was_refused)
def set_up_code() -> Page:
    user = _pending_user()
    if user is None:
        return _sign_in_again()
    if user.totp_confirmed_at is not None:
        # Set-up happens once: someone who knows only the password cannot replace the app.
        return redirect(url_for("auth.sign_in_code"))
    form = CodeForm()
    if form.validate_on_submit():
        if signing_in.confirm_code_set_up(user, form.code.data):
            flash(
                "Your authenticator app is set up. "
                "You will need a code from it each time you sign in.",
                "success",
            )
            return _finish_sign_in(user, session.get(PENDING, {}).get("next"))
        form.code.errors.append(WRONG_CODE)
    return render_template(
        "auth/set_up_code.html", form=form, set_up=signing_in.code_set_up(user), user=user
    )


@bp.post("/sign-out")
@allow(Area.PUBLIC)
def sign_out() -> Response:
    if current_user.is_authenticated:
        signing_in.record_sign_out(current_actor())
        logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("auth.sign_in"))


@bp.get("/session/status")
@allow(Area.PUBLIC)
def session_status() -> dict[str, Any]:
    """Read-only: how long this session has left. Does not count as activity."""
    return _session_state()


@bp.post("/session/keep-alive")
@allow(Area.PUBLIC)
def keep_alive() -> dict[str, Any]:
    """The warning's "Stay signed in" button. Every request but session_status counts as
    activity (see dps.web), so reaching this view has already renewed the session."""
    return _session_state()
