"""The web layer: one blueprint per audience, the access rules, security headers, error pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import (
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user, user_logged_in
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from dps.extensions import db, login_manager
from dps.models.accounts import User
from dps.rules.refusals import NotAllowed, NotFound
from dps.web.access import Area, current_role, init_access
from dps.web.forms import init_forms
from dps.web.numbers import IdConverter
from dps.web.security import init_security

# The session key holding when this session's person signed in (a POSIX timestamp).
SIGNED_IN_AT = "signed_in_at"


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    # The id carries the session version: after a password change older cookies stop working.
    try:
        raw_id, raw_version = user_id.split(":", 1)
        user = db.session.get(User, int(raw_id))
        version = int(raw_version)
    except (ValueError, TypeError):
        return None
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def _end_idle_sessions() -> Any:
    """Sign out a session left idle longer than the limit (the page warns before this)."""
    if not current_user.is_authenticated:
        return None
    if request.endpoint == "auth.session_status":
        # Read-only: the idle warning asks how long is left, without ending or renewing the
        # session (ending it here would spend the explanation on a background request).
        return None
    now = datetime.now(UTC).timestamp()
    idle_limit = request_idle_limit_seconds()
    last_seen = session.get("last_seen")
    if last_seen is not None and now - float(last_seen) > idle_limit:
        return _signed_out("You were signed out because you were inactive for a while.")
    signed_in_at = session.get(SIGNED_IN_AT)
    if signed_in_at is None or now - float(signed_in_at) > absolute_limit_seconds():
        # The cookie is signed, so its sign-in time cannot be moved on by whoever holds it.
        hours = f"{float(current_app.config['SESSION_ABSOLUTE_HOURS']):g}"
        return _signed_out(
            f"You were signed out because you signed in more than {hours} hours ago."
        )
    session["last_seen"] = now
    session.permanent = True
    return None


def _signed_out(why: str) -> Any:
    logout_user()
    session.clear()
    flash(f"{why} Sign in again.")
    return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))


def _stamp_sign_in(_app: Flask, **_extra: Any) -> None:
    """Every sign-in (login_user) starts the absolute lifetime of the session afresh."""
    session[SIGNED_IN_AT] = datetime.now(UTC).timestamp()


def absolute_limit_seconds() -> int:
    return int(float(current_app.config["SESSION_ABSOLUTE_HOURS"]) * 3600)


def request_idle_limit_seconds() -> int:
    from flask import current_app

    # float(): tests set a fraction of a minute to see the warning within seconds.
    return int(float(current_app.config["SESSION_IDLE_MINUTES"]) * 60)


def warning_seconds() -> int:
    from flask import current_app

    return int(float(current_app.config["SESSION_WARNING_MINUTES"]) * 60)


def _error_page(error: HTTPException) -> Any:
    code = error.code or 500
    if code >= 500:
        _forget_the_database()
    template = {403: "errors/403.html", 404: "errors/404.html", 429: "errors/429.html"}.get(
        code, "errors/500.html" if code >= 500 else "errors/400.html"
    )
    return render_template(template, error=error, reason=None), code


def _forget_the_database() -> None:
    """Let a server error page be drawn without the database, which may be what failed.

    A failed statement leaves the session unusable, and the database may be down: the page is
    drawn as for a visitor (the header would otherwise load the signed-in user and their
    organisation), so nothing on it reads the database and the page keeps every header.
    """
    try:
        db.session.rollback()
    except Exception:  # the database is down: nothing to roll back to
        current_app.logger.warning("Could not roll back after a server error", exc_info=True)
    g._login_user = login_manager.anonymous_user()


def _not_found(error: NotFound) -> Any:
    # Another organisation's object is "not found", exactly like a missing one.
    return render_template("errors/404.html", error=error), 404


def _not_allowed(error: NotAllowed) -> Any:
    # A NotAllowed may carry the reason in words for the person refused.
    return render_template("errors/403.html", error=error, reason=str(error) or None), 403


def _csrf_error(error: CSRFError) -> Any:
    return render_template("errors/csrf.html", error=error), 400


def _template_context() -> dict[str, Any]:
    role = current_role()
    return {
        "current_role": role,
        "Area": Area,
        "session_idle_seconds": request_idle_limit_seconds(),
        "session_warning_seconds": warning_seconds(),
    }


def register_web(app: Flask) -> None:
    from dps.web.admin import bp as admin_bp
    from dps.web.auth import bp as auth_bp
    from dps.web.buyer import bp as buyer_bp
    from dps.web.public.routes import bp as public_bp
    from dps.web.supplier import bp as supplier_bp

    # Before any route is added: every <int:...> is an id bounded to what a row can have.
    app.url_map.converters["int"] = IdConverter
    trusted_proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if trusted_proxies > 0:
        # Only as many forwarded hops as there are proxies of ours: anything further left in
        # X-Forwarded-For was written by the visitor, and could be anything.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=trusted_proxies, x_proto=trusted_proxies
        )
    init_security(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(supplier_bp, url_prefix="/supplier")
    app.register_blueprint(buyer_bp, url_prefix="/buyer")
    app.register_blueprint(admin_bp, url_prefix="/admin")

    app.before_request(_end_idle_sessions)
    user_logged_in.connect(_stamp_sign_in, app)
    init_access(app)
    init_forms(app)
    app.context_processor(_template_context)
    app.register_error_handler(HTTPException, _error_page)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(NotFound, _not_found)
    app.register_error_handler(NotAllowed, _not_allowed)
