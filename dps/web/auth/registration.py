"""Registering a supplier, and confirming the email address with the link sent to it."""

from __future__ import annotations

import secrets

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from dps.outside.tokens import TokenExpired, TokenInvalid
from dps.services.accounts import registration
from dps.services.accounts.users import AccountError
from dps.web.access import Area, allow
from dps.web.auth import bp
from dps.web.auth.forms import ConfirmWithPasswordForm, EmailForm, RegistrationForm
from dps.web.auth.limits import limited, typed_email, was_sent
from dps.web.auth.routes import Page
from dps.web.refusals import show_refusal

CHECK_EMAIL = "check_email"
REGISTERING_BROWSER = "registering_browser"


@bp.route("/register", methods=["GET", "POST"])
@allow(Area.PUBLIC)
@limited(typed_email, counts=was_sent)
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
                    browser=_registering_browser(),
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
@limited(typed_email, counts=was_sent)
def resend_confirmation() -> Page:
    form = EmailForm(
        data={"email": request.args.get("email", "")} if request.method == "GET" else None
    )
    if form.validate_on_submit():
        registration.resend_confirmation(form.email.data)
        session[CHECK_EMAIL] = {"email": form.email.data, "resent": True}
        return redirect(url_for("auth.check_email"))
    return render_template("auth/resend_confirmation.html", form=form)


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
@allow(Area.PUBLIC)
def confirm_email(token: str) -> Page:
    """Opened in the browser that registered, the link confirms; anywhere else it asks for a
    new password first (whoever registered may not be whoever reads the mail)."""
    try:
        if request.method == "GET":
            registration.confirm_email(token, browser=session.get(REGISTERING_BROWSER, ""))
            return render_template("auth/email_confirmed.html")
        user = registration.account_for_link(token)
    except registration.NewPasswordNeeded as needed:
        return _choose_password(ConfirmWithPasswordForm(account_email=needed.user.email))
    except TokenExpired:
        return render_template("auth/link_problem.html", link="confirm", expired=True), 400
    except TokenInvalid:
        return render_template("auth/link_problem.html", link="confirm", expired=False), 400
    if user.email_confirmed_at is not None:
        return render_template("auth/email_confirmed.html")
    form = ConfirmWithPasswordForm(account_email=user.email)
    if form.validate_on_submit():
        try:
            registration.confirm_email_with_password(token, form.password.data)
        except AccountError as problem:
            show_refusal(form, problem, field="password")
        else:
            flash("Your email address has been confirmed. Sign in with your password.", "success")
            return redirect(url_for("auth.sign_in"))
    return _choose_password(form)


def _choose_password(form: ConfirmWithPasswordForm) -> str:
    days = max(1, current_app.config["UNCONFIRMED_ACCOUNT_MAX_AGE_SECONDS"] // 86400)
    return render_template("auth/confirm_email_password.html", form=form, closed_after_days=days)


def _registering_browser() -> str:
    """The secret this browser keeps to show that it registered (made on first use)."""
    secret = session.get(REGISTERING_BROWSER)
    if not isinstance(secret, str) or not secret:
        secret = secrets.token_urlsafe(24)
        session[REGISTERING_BROWSER] = secret
    return secret
