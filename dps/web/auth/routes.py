"""Signing in and out, registration, e-mail confirmation, password reset, second factor."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from dps.extensions import limiter
from dps.models.accounts import User
from dps.outside.tokens import TokenExpired, TokenInvalid
from dps.services.accounts import password_reset, registration, signing_in
from dps.services.accounts.signing_in import Outcome
from dps.services.accounts.users import AccountError
from dps.web import request_idle_limit_seconds
from dps.web.access import Area, allow, current_actor
from dps.web.auth import bp
from dps.web.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    EmailForm,
    RegistrationForm,
    ResetPasswordForm,
    SignInForm,
)
from dps.web.refusals import show_refusal

F = TypeVar("F", bound=Callable[..., Any])
Page = str | tuple[str, int] | Response

# The session key for an administrator who has given the right password but not yet a code.
PENDING = "pending_sign_in"
PENDING_MAX_SECONDS = 10 * 60
CHECK_EMAIL = "check_email"
RESET_REQUESTED = "reset_requested"

CODE_PAGES = {
    Outcome.NEEDS_CODE: "auth.sign_in_code",
    Outcome.NEEDS_CODE_SET_UP: "auth.set_up_code",
}
SIGN_IN_REFUSED = "Enter a correct email address and password"
WRONG_CODE = "The code is not correct. Enter the code your authenticator app shows now"


# --- rate limits ------------------------------------------------------------------------------
# Each limited form counts per address (the visitor's IP) and per account. The limits are read
# from the app's config at request time, so a test or a deployment can change them.


def _per_address() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_ADDRESS"])


def _per_account() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])


def _typed_email() -> str:
    return (request.form.get("email") or "").strip().lower()


def _pending_account() -> str:
    pending = session.get(PENDING) or {}
    return f"user:{pending['user_id']}" if "user_id" in pending else ""


def _signed_in_account() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else ""


def _was_refused(response: Response) -> bool:
    """Guessing forms count only failures: a success redirects."""
    return response.status_code != 302


def _was_sent(response: Response) -> bool:
    """Forms that send e-mail count what they send, not a mistyped field."""
    return response.status_code == 302


def _limited(
    account_key: Callable[[], str], counts: Callable[[Response], bool]
) -> Callable[[F], F]:
    per_address = limiter.limit(_per_address, methods=["POST"], scope="address", deduct_when=counts)
    per_account = limiter.limit(
        _per_account, key_func=account_key, methods=["POST"], scope="account", deduct_when=counts
    )

    def decorate(view: F) -> F:
        return cast(F, per_address(per_account(view)))

    return decorate


# --- helpers ----------------------------------------------------------------------------------


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


# --- signing in and out -----------------------------------------------------------------------


@bp.route("/sign-in", methods=["GET", "POST"])
@allow(Area.PUBLIC)
@_limited(_typed_email, counts=_was_refused)
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
@_limited(_pending_account, counts=_was_refused)
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
@_limited(_pending_account, counts=_was_refused)
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


# --- registration and confirmation ------------------------------------------------------------


@bp.route("/register", methods=["GET", "POST"])
@allow(Area.PUBLIC)
@_limited(_typed_email, counts=_was_sent)
def register() -> Page:
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            registration.register_supplier(
                registration.Registration(
                    organisation_name=form.organisation_name.data,
                    name=form.name.data,
                    email=form.email.data,
                    password=form.password.data,
                )
            )
        except AccountError as problem:
            show_refusal(form, problem, field="password")
        else:
            session[CHECK_EMAIL] = {"email": form.email.data, "resent": False}
            return redirect(url_for("auth.check_email"))
    return render_template("auth/register.html", form=form)


@bp.get("/register/check-email")
@allow(Area.PUBLIC)
def check_email() -> Page:
    sent = session.get(CHECK_EMAIL)
    if not sent:
        return redirect(url_for("auth.register"))
    return render_template(
        "auth/check_email.html",
        email=sent["email"],
        resent=sent.get("resent", False),
        expires_hours=current_app.config["EMAIL_TOKEN_MAX_AGE_SECONDS"] // 3600,
    )


@bp.route("/resend-confirmation", methods=["GET", "POST"])
@allow(Area.PUBLIC)
@_limited(_typed_email, counts=_was_sent)
def resend_confirmation() -> Page:
    form = EmailForm(
        data={"email": request.args.get("email", "")} if request.method == "GET" else None
    )
    if form.validate_on_submit():
        registration.resend_confirmation(form.email.data)
        session[CHECK_EMAIL] = {"email": form.email.data, "resent": True}
        return redirect(url_for("auth.check_email"))
    return render_template("auth/resend_confirmation.html", form=form)


@bp.get("/confirm-email/<token>")
@allow(Area.PUBLIC)
def confirm_email(token: str) -> Page:
    try:
        registration.confirm_email(token)
    except TokenExpired:
        return render_template("auth/link_problem.html", link="confirm", expired=True), 400
    except TokenInvalid:
        return render_template("auth/link_problem.html", link="confirm", expired=False), 400
    return render_template("auth/email_confirmed.html")


# --- forgotten and changed passwords ----------------------------------------------------------


@bp.route("/forgotten-password", methods=["GET", "POST"])
@allow(Area.PUBLIC)
@_limited(_typed_email, counts=_was_sent)
def forgotten_password() -> Page:
    form = EmailForm()
    if form.validate_on_submit():
        password_reset.request_password_reset(form.email.data)
        session[RESET_REQUESTED] = form.email.data
        return redirect(url_for("auth.reset_requested"))
    return render_template("auth/forgotten_password.html", form=form)


@bp.get("/forgotten-password/check-email")
@allow(Area.PUBLIC)
def reset_requested() -> Page:
    email = session.get(RESET_REQUESTED)
    if not email:
        return redirect(url_for("auth.forgotten_password"))
    return render_template(
        "auth/reset_requested.html",
        email=email,
        expires_hours=max(1, current_app.config["RESET_TOKEN_MAX_AGE_SECONDS"] // 3600),
    )


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@allow(Area.PUBLIC)
def reset_password(token: str) -> Page:
    try:
        user = password_reset.user_for_reset_link(token)
    except TokenExpired:
        return render_template("auth/link_problem.html", link="reset", expired=True), 400
    except TokenInvalid:
        return render_template("auth/link_problem.html", link="reset", expired=False), 400
    form = ResetPasswordForm(account_email=user.email)
    if form.validate_on_submit():
        try:
            password_reset.reset_password(token, form.password.data)
        except AccountError as problem:
            show_refusal(form, problem, field="password")
            return render_template("auth/reset_password.html", form=form)
        if current_user.is_authenticated:
            logout_user()
        flash("Your password has been changed. Sign in with your new password.", "success")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)


@bp.get("/account")
@allow(Area.SIGNED_IN)
def account() -> str:
    return render_template("auth/account.html", user=current_actor())


@bp.route("/account/password", methods=["GET", "POST"])
@allow(Area.SIGNED_IN)
@_limited(_signed_in_account, counts=_was_refused)
def change_password() -> Page:
    user = current_actor()
    form = ChangePasswordForm(account_email=user.email)
    if form.validate_on_submit():
        try:
            password_reset.change_password(user, form.current_password.data, form.password.data)
        except AccountError as problem:  # a wrong current password, or a weak new one
            show_refusal(form, problem, field="password")
        else:
            # The session id carries the version just bumped: sign this session in again so
            # that only the others end.
            login_user(user)
            flash(
                "Your password has been changed. You have been signed out everywhere else.",
                "success",
            )
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)
