"""Who may use which route: declared on each view, checked in one place, denied by default.

Every view is decorated with ``@allow(Area.X)``. A ``before_request`` hook reads the
declaration of the matched endpoint; an endpoint with none is refused (403) at run time, and
``tests/unit/web/test_access_rules.py`` fails if any route in the URL map lacks one. The areas and
the roles each admits are the table below; ``tests/access_matrix.csv`` is the committed copy
of it that the tests hold the running application to.

The role check says who may use a kind of page; which objects they may see on it is the second
half: a view loads an object asked for by id with ``get_scoped_or_404``, so another
organisation's object is "not found", exactly like one that does not exist.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Flask, abort, current_app, request
from flask_login import current_user

from dps.extensions import db
from dps.models.accounts import User
from dps.rules.enums import Role
from dps.rules.refusals import NotAllowed, NotFound
from dps.services.accounts import organisations as organisations_service

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")


class Area(enum.StrEnum):
    PUBLIC = "public"  # anyone, signed in or not
    SIGNED_IN = "signed_in"  # anyone signed in, whatever their role
    SUPPLIER = "supplier"  # any supplier user
    SUPPLIER_OWNER = "supplier_owner"  # manages the supplier's colleagues
    MEMBER = "member"  # buyers and viewers of member organisations
    BUYER = "buyer"  # buyers of organisations that may buy
    ADMIN = "admin"  # administrators of the DPS


AREA_ROLES: dict[Area, frozenset[Role]] = {
    Area.SIGNED_IN: frozenset(Role),
    Area.SUPPLIER: frozenset({Role.SUPPLIER_OWNER, Role.SUPPLIER_USER}),
    Area.SUPPLIER_OWNER: frozenset({Role.SUPPLIER_OWNER}),
    Area.MEMBER: frozenset({Role.BUYER, Role.VIEWER}),
    Area.BUYER: frozenset({Role.BUYER}),
    Area.ADMIN: frozenset({Role.ADMINISTRATOR}),
}

ACCESS_ATTRIBUTE = "dps_access_area"


def allow(area: Area) -> Callable[[F], F]:
    """Declare who may use a view."""

    def decorate(view: F) -> F:
        setattr(view, ACCESS_ATTRIBUTE, area)
        return view

    return decorate


def area_of(view: Callable[..., Any]) -> Area | None:
    return getattr(view, ACCESS_ATTRIBUTE, None)


def current_role() -> Role | None:
    """The signed-in user's effective role, or None for a visitor."""
    if not current_user.is_authenticated:
        return None
    membership = current_user.membership
    return membership.effective_role if membership else None


def current_organisation_id() -> int | None:
    """The signed-in user's organisation, or None for a visitor."""
    if not current_user.is_authenticated:
        return None
    membership = current_user.membership
    return membership.organisation_id if membership else None


def current_actor() -> User:
    """The signed-in user as the services take it (the real object, not Flask-Login's proxy)."""
    return cast(User, current_user._get_current_object())


def organisation_id_or_404() -> int:
    """The signed-in user's organisation; a page that needs one is "not found" without it."""
    organisation_id = current_organisation_id()
    if organisation_id is None:
        raise NotFound("no organisation")
    return organisation_id


def get_scoped_or_404(
    model: type[M], object_id: int, *, organisation_column: str = "organisation_id"
) -> M:
    """The ``model`` row with ``object_id`` if it belongs to the signed-in user's organisation.

    Anything else is 404, never 403: a refusal would tell a supplier that a rival's application
    or tender exists. ``organisation_column`` names the column that says whose the row is
    (for example ``supplier_organisation_id``).
    """
    organisation_id = current_organisation_id()
    if organisation_id is None:
        abort(404)
    found = db.session.scalars(
        db.select(model).where(
            getattr(model, "id") == object_id,  # noqa: B009 (model is any mapped class)
            getattr(model, organisation_column) == organisation_id,
        )
    ).first()
    if found is None:
        abort(404)
    return found


def role_may_enter(role: Role | None, area: Area) -> bool:
    if area == Area.PUBLIC:
        return True
    return role is not None and role in AREA_ROLES[area]


def _check_access() -> Any:
    if request.endpoint is None:
        return None  # no route matched: the 404 handler answers
    view = current_app.view_functions.get(request.endpoint)
    area = area_of(view) if view else None
    if area is None:
        current_app.logger.error("Refused %s: the route declares no access rule", request.endpoint)
        abort(403)
    if area == Area.PUBLIC:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    role = current_role()
    if not role_may_enter(role, area):
        if area == Area.BUYER and role == Role.VIEWER:
            # A member who may not buy is told why, and who to ask (their 403 page says it).
            raise NotAllowed(organisations_service.buying_refusal(current_user.membership))
        abort(403)
    return None


def init_access(app: Flask) -> None:
    # Static files are public; mark Flask's own view rather than special-casing its name.
    static_view = app.view_functions.get("static")
    if static_view is not None:
        allow(Area.PUBLIC)(static_view)
    app.before_request(_check_access)
