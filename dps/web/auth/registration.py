"""Registering a supplier, and confirming the email address with the link sent to it."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from dps.outside.tokens import TokenExpired, TokenInvalid
from dps.services.accounts import registration
from dps.services.accounts.users import AccountError
from dps.web.access import Area, allow
from dps.web.auth import bp
from dps.web.auth.forms import EmailForm, RegistrationForm
from dps.web.auth.limits import limited, typed_email, was_sent
from dps.web.auth.routes import Page
from dps.web.refusals import show_refusal

CHECK_EMAIL = "check_email"


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
