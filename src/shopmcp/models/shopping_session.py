"""Shopping sessions: the handle that scopes every cart, quote and order (docs/architecture.md, "Who is calling").

A session belongs to one principal for its whole life. Its id is minted by
the server from at least 128 random bits, so it cannot be guessed; every query
on carts, quotes and orders filters by it.
"""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from shopmcp.models.types import UTCDateTime, utcnow

DEFAULT_SESSION_KEY = "default"
"""`default_key` of a principal's default session."""

TRANSPORT_SESSION_KEY_PREFIX = "transport:"
"""`default_key` prefix of an anonymous handshake-era client's session, followed by its transport session id."""


class ShoppingSession(SQLModel, table=True):
    """A shopping session: its cart lines, applied coupon, quotes and orders hang off its id."""

    __tablename__ = "shopping_session"
    __table_args__ = (UniqueConstraint("principal", "default_key", name="uq_shopping_session_default"),)

    id: str = Field(primary_key=True, max_length=64)
    principal: str = Field(max_length=200)
    default_key: str | None = Field(
        default=None,
        max_length=300,
        description="Set on the one session a principal reaches without naming one "
        "(`default`, or `transport:<id>` for an anonymous handshake-era client); NULL on sessions from new_session.",
    )
    coupon_id: int | None = Field(default=None, foreign_key="coupon.id", description="The coupon applied to the cart.")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
