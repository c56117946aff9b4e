"""Passwords: a forgotten one reset by the emailed link, and a known one changed when signed in."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_user, logout_user

from dps.outside.tokens import TokenExpired, TokenInvalid
from dps.services.accounts import password_reset
from dps.services.accounts.users import AccountError
from dps.web.access import Area, allow, current_actor
from dps.web.auth import bp
from dps.web.auth.forms import ChangePasswordForm, EmailForm, ResetPasswordForm
from dps.web.auth.limits import (
    limited,
    signed_in_account,
    trust_this_device,
    typed_email,
    was_refused,
    was_sent,
)
from dps.web.auth.routes import Page
from dps.web.refusals import show_refusal

RESET_REQUESTED = "reset_requested"


@bp.route("/forgotten-password", methods=["GET", "POST"])
@allow(Area.PUBLIC)
@limited(typed_email, counts=was_sent)
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
        # The emailed link proved the address: this browser may sign in despite attempts
        # made elsewhere (dps.web.auth.limits).
        trust_this_device(user.email)
        flash("Your password has been changed. Sign in with your new password.", "success")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)


@bp.get("/account")
@allow(Area.SIGNED_IN)
def account() -> str:
    return render_template("auth/account.html", user=current_actor())


@bp.route("/account/password", methods=["GET", "POST"])
@allow(Area.SIGNED_IN)
@limited(signed_in_account, counts=was_refused)
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
