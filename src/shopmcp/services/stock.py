"""Stock as a session sees it: the one rule every read and write of stock on the buying path goes through.

Shared mode (the default): an offer's stock is `offer.stock`, one inventory for
every session. Per-session mode (`SHOPMCP_STOCK_MODE=per_session`, for test
harnesses running parallel episodes): each session buys from its own copy,
copy-on-write: `offer.stock - sold`, where `sold` is the session's row in
`session_stock` (none: nothing sold). `offer.stock` then never changes through
orders, so episodes do not see each other's purchases.

Where per-session stock applies: add_to_cart (choice of offer and clamping),
update_cart_item, view_cart, preview_checkout, place_order (taking) and
cancel_order (giving back). The catalog tools (search_products, get_product,
compare_prices) take no session and show the catalog's own stock, which in
per-session mode is every session's starting stock.

Writes rely on the session row being locked (`require_session(lock=True)`),
so one session's purchases run one after another; the check and the update
below are then safe in both modes, and the shared-mode update is conditional
anyway (`stock >= n`), so no unit is sold twice across sessions.
"""

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from shopmcp.core.runtime import runtime_of
from shopmcp.models.catalog import Offer
from shopmcp.models.harness import SessionStock
from shopmcp.models.types import utcnow


def stock_column(session: Session, session_id: str) -> ColumnElement[int]:
    """The SQL expression of an offer's stock as session `session_id` sees it (correlated on `Offer`)."""
    if not runtime_of(session).per_session_stock:
        return Offer.__table__.c.stock  # type: ignore[attr-defined,no-any-return]
    sold = (
        select(col(SessionStock.sold))
        .where(col(SessionStock.session_id) == session_id, col(SessionStock.offer_id) == col(Offer.id))
        .scalar_subquery()
    )
    return col(Offer.stock) - func.coalesce(sold, 0)


def available(session: Session, session_id: str, offer: Offer) -> int:
    """Units of `offer` session `session_id` can buy (made-to-order offers: their stock field, unused)."""
    if not runtime_of(session).per_session_stock:
        return offer.stock
    sold = session.execute(
        select(col(SessionStock.sold)).where(
            col(SessionStock.session_id) == session_id, col(SessionStock.offer_id) == offer.id
        )
    ).scalar_one_or_none()
    return offer.stock - (sold or 0)


def take(session: Session, session_id: str, offer_id: int, quantity: int) -> bool:
    """Take `quantity` units of a tracked offer for the session; False (and nothing taken) if there are fewer."""
    if not runtime_of(session).per_session_stock:
        result = session.execute(
            update(Offer)
            .where(col(Offer.id) == offer_id, col(Offer.stock) >= quantity, col(Offer.track_inventory))
            .values(stock=col(Offer.stock) - quantity, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]
    left = session.execute(select(stock_column(session, session_id)).where(col(Offer.id) == offer_id)).scalar()
    if left is None or left < quantity:
        return False
    _add_sold(session, session_id, offer_id, quantity)
    return True


def give_back(session: Session, session_id: str, offer_id: int, quantity: int) -> None:
    """Return units a cancelled order of the session took."""
    if not runtime_of(session).per_session_stock:
        session.execute(
            update(Offer)
            .where(col(Offer.id) == offer_id)
            .values(stock=col(Offer.stock) + quantity, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return
    session.execute(
        update(SessionStock)
        .where(col(SessionStock.session_id) == session_id, col(SessionStock.offer_id) == offer_id)
        .values(sold=col(SessionStock.sold) - quantity)
        .execution_options(synchronize_session=False)
    )


def changes_catalog(session: Session) -> bool:
    """Whether taking and giving back stock changes the catalog's own stock (and so its aggregates)."""
    return not runtime_of(session).per_session_stock


def _add_sold(session: Session, session_id: str, offer_id: int, quantity: int) -> None:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    upsert = insert(SessionStock).values(session_id=session_id, offer_id=offer_id, sold=quantity)
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=["session_id", "offer_id"], set_={"sold": col(SessionStock.sold) + quantity}
        )
    )
