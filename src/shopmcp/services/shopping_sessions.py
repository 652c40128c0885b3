"""Shopping sessions as rows: minting, the default session of a principal, and the ownership check.

`require_session` is the gate of every session-scoped service: it finds the
session by id *and* principal, so a session of another principal is answered
exactly like one that does not exist.
"""

from dataclasses import dataclass

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from shopmcp.core.errors import ShopError, not_found
from shopmcp.models.cart_public import SessionInfo
from shopmcp.models.shopping_session import ShoppingSession
from shopmcp.models.types import utcnow
from shopmcp.services.determinism import enter_session, keyed_id, new_id


@dataclass(frozen=True)
class Scope:
    """The principal calling and the session the call acts on (not yet checked to belong together)."""

    principal: str
    session_id: str


def session_not_found(session_id: str) -> ShopError:
    return not_found(
        "shopping session",
        session_id,
        "Call new_session for a fresh session, or leave session_id out to use your default session.",
    )


def create_session(*, tx: Session, principal: str) -> SessionInfo:
    """A fresh, empty session of `principal`."""
    row = ShoppingSession(id=new_id(tx, "ses", scope=principal), principal=principal, created_at=utcnow())
    tx.add(row)
    tx.flush()
    return SessionInfo(session_id=row.id, created_at=row.created_at)


def find_keyed_session(*, tx: Session, principal: str, default_key: str) -> str | None:
    """The id of `principal`'s session reached by `default_key`, if it exists yet."""
    return tx.exec(
        select(ShoppingSession.id).where(
            ShoppingSession.principal == principal, ShoppingSession.default_key == default_key
        )
    ).first()


def ensure_keyed_session(*, tx: Session, principal: str, default_key: str) -> str:
    """The id of `principal`'s session reached by `default_key`, created on first use.

    Safe under concurrent first calls: the insert does nothing when another
    transaction created the row first (unique on principal and key), and the
    select then finds that row.
    """
    dialect = tx.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session_id = keyed_id(tx, "ses", key=f"{principal}|{default_key}")
    values = {"id": session_id, "principal": principal, "default_key": default_key, "created_at": utcnow()}
    statement = (
        insert(ShoppingSession)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[col(ShoppingSession.principal), col(ShoppingSession.default_key)])
    )
    tx.execute(statement)
    found = find_keyed_session(tx=tx, principal=principal, default_key=default_key)
    assert found is not None, "the keyed session exists after an insert-or-nothing"
    return found


def require_session(tx: Session, scope: Scope, *, lock: bool = False) -> ShoppingSession:
    """The scope's session, if it belongs to the scope's principal; else `not_found`.

    With `lock`, the row is locked until the transaction ends (`FOR UPDATE` on
    PostgreSQL; SQLite's `BEGIN IMMEDIATE` already serializes writers), so the
    writes of one session happen one after another.
    """
    statement = select(ShoppingSession).where(
        ShoppingSession.id == scope.session_id, ShoppingSession.principal == scope.principal
    )
    if lock:
        statement = statement.with_for_update()
    row = tx.exec(statement).first()
    if row is None:
        raise session_not_found(scope.session_id)
    # The session's logical time (seeded or clocked mode): a locking call is a write and moves it on.
    enter_session(tx, row.id, write=lock)
    return row
