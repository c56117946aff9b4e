"""People who sign in, the organisation each belongs to, and invitations to join one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.base import UTCDateTime, str_enum, utcnow
from dps.models.organisations import Organisation
from dps.rules.enums import Role


class User(db.Model):  # type: ignore[name-defined]
    __tablename__ = "users"
    __table_args__ = (Index("uq_users_email_lower", text("lower(email)"), unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored as typed; uniqueness and look-ups ignore case (the index above).
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The last TOTP time-step accepted, so a code cannot be replayed.
    totp_last_step: Mapped[int | None] = mapped_column(nullable=True)
    # Bumped when the password changes: every other session's cookie then stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    membership: Mapped[Membership | None] = relationship(back_populates="user", uselist=False)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r}>"


class Membership(db.Model):  # type: ignore[name-defined]
    """A user's place in one organisation, with the role recorded when they joined."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="membership")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")

    @property
    def effective_role(self) -> Role:
        """A buyer whose organisation may no longer buy keeps reading, as a viewer."""
        if self.role == Role.BUYER and not self.organisation.may_buy:
            return Role.VIEWER
        return self.role


class Invitation(db.Model):  # type: ignore[name-defined]
    """An invitation by email to join an organisation with a role."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[Role] = mapped_column(str_enum(Role, "invitation_role"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User | None] = relationship()
