"""Forms for accounts: registration, signing in, codes and passwords."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import Field, Form, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from dps.services.accounts import passwords, totp
from dps.web.forms import PortalForm


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _email_field(label: str = "Email address") -> StringField:
    return StringField(
        label,
        filters=[_strip],
        validators=[
            DataRequired("Enter your email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            Email("Enter an email address in the correct format, like name@example.com"),
        ],
        widget=GovTextInput(),
    )


class _NewPassword:
    """A new password must meet the rules in dps.services.accounts.passwords, and be typed twice."""

    def __init__(self, email_field: str | None = None) -> None:
        self.email_field = email_field

    def __call__(self, form: Form, field: Field) -> None:
        email = getattr(form, "account_email", "") or ""
        if self.email_field:
            email = getattr(form, self.email_field).data or ""
        problem = passwords.problem_with(field.data or "", email=email)
        if problem:
            raise ValidationError(problem)


class _SameAs:
    def __init__(self, other: str) -> None:
        self.other = other

    def __call__(self, form: Form, field: Field) -> None:
        if (field.data or "") != (getattr(form, self.other).data or ""):
            raise ValidationError("The passwords do not match. Enter the same password twice")


CHOOSING_HINT = (
    "Must be 12 characters or more. A few unrelated words together are easy to remember "
    "and hard to guess"
)


class RegistrationForm(PortalForm):
    organisation_name = StringField(
        "Organisation name",
        filters=[_strip],
        validators=[
            DataRequired("Enter the name of your organisation"),
            Length(max=200, message="Organisation name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    name = StringField(
        "Your full name",
        filters=[_strip],
        validators=[
            DataRequired("Enter your full name"),
            Length(max=200, message="Your full name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    email = _email_field()
    password = PasswordField(
        "Create a password",
        description=CHOOSING_HINT,
        validators=[DataRequired("Create a password"), _NewPassword(email_field="email")],
        widget=GovPasswordInput(),
    )
    password_confirm = PasswordField(
        "Confirm your password",
        validators=[DataRequired("Confirm your password"), _SameAs("password")],
        widget=GovPasswordInput(),
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())


class SignInForm(PortalForm):
    email = _email_field()
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password")],
        widget=GovPasswordInput(),
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class EmailForm(PortalForm):
    """Asks only for an address: resending a confirmation, requesting a reset."""

    email = _email_field()
    submit = SubmitField("Send email", widget=GovSubmitInput())


class CodeForm(PortalForm):
    code = StringField(
        "Enter the 6-digit code from your authenticator app",
        filters=[lambda value: totp.normalise_code(value) if isinstance(value, str) else value],
        validators=[DataRequired("Enter the 6-digit code from your authenticator app")],
        widget=GovTextInput(),
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def validate_code(self, field: Field) -> None:
        if not totp.looks_like_a_code(field.data or ""):
            raise ValidationError("The code must be 6 digits, like 123456")


def _new_password_field(label: str = "New password") -> PasswordField:
    return PasswordField(
        label,
        description=CHOOSING_HINT,
        validators=[DataRequired("Enter a new password"), _NewPassword()],
        widget=GovPasswordInput(),
    )


def _confirm_field(label: str = "Confirm your new password") -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired("Confirm your new password"), _SameAs("password")],
        widget=GovPasswordInput(),
    )


class ResetPasswordForm(PortalForm):
    password = _new_password_field()
    password_confirm = _confirm_field()
    submit = SubmitField("Change password", widget=GovSubmitInput())

    def __init__(self, *args: Any, account_email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The new password may not be the account's own address.
        self.account_email = account_email


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password")],
        widget=GovPasswordInput(),
    )
    password = _new_password_field()
    password_confirm = _confirm_field()
    submit = SubmitField("Change password", widget=GovSubmitInput())

    def __init__(self, *args: Any, account_email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account_email = account_email


class ConfirmWithPasswordForm(ResetPasswordForm):
    """A confirmation link opened away from the browser that registered: a new password."""

    submit = SubmitField("Confirm email address", widget=GovSubmitInput())
