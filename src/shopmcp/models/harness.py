"""Tables for agent test harnesses: counters of seeded mode, and the per-session stock ledger."""

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel


class HarnessCounter(SQLModel, table=True):
    """A named counter in the database, so seeded ids and logical clocks survive restarts and span processes.

    Names: `ids:<prefix>:<scope>` (the n-th id of a kind in a session or of a
    principal) and `clock:<session id>` (the writes of a session so far).
    """

    __tablename__ = "harness_counter"

    name: str = Field(sa_column=Column(String(300), primary_key=True))
    value: int = Field(sa_column=Column(BigInteger, nullable=False))


class SessionStock(SQLModel, table=True):
    """Units of an offer that one session has bought, in per-session stock mode.

    The session's stock of the offer is `offer.stock - sold` (`services.stock`);
    the offer's own stock is the untouched copy every session starts from.
    """

    __tablename__ = "session_stock"
    __table_args__ = (CheckConstraint("sold >= 0", name="session_stock_sold_nonneg"),)

    session_id: str = Field(
        sa_column=Column(String(64), ForeignKey("shopping_session.id", ondelete="CASCADE"), primary_key=True)
    )
    offer_id: int = Field(sa_column=Column(Integer, ForeignKey("offer.id", ondelete="CASCADE"), primary_key=True))
    sold: int = Field(sa_column=Column(Integer, nullable=False))
