"""Stock: the one place it is read, classified, checked, clamped, taken and given back.

Shared mode (the default): an offer's stock is `offer.stock`, one inventory for
every session. Per-session mode (`SHOPMCP_STOCK_MODE=per_session`, for test
harnesses running parallel episodes): each session buys from its own copy,
copy-on-write: `offer.stock - sold`, where `sold` is the session's row in
`session_stock` (none: nothing sold). `offer.stock` then never changes through
orders, so episodes do not see each other's purchases. A made-to-order offer
(`track_inventory` false) has no stock limit: its stock is neither checked nor taken.

Where a session's stock applies: add_to_cart (choice of offer and clamping),
update_cart_item, view_cart, preview_checkout, place_order (taking) and
cancel_order (giving back). The catalog tools (search_products, get_product,
compare_prices) take no session and show the catalog's own stock, which in
per-session mode is every session's starting stock.

Writes rely on the session row being locked (`require_session(lock=True)`),
so one session's purchases run one after another; the check and the update
below are then safe in both modes, and the shared-mode update is conditional
anyway (`stock >= n`), so no unit is sold twice across sessions.
"""

from collections.abc import Sequence
from typing import Literal, Protocol

from sqlalchemy import ColumnElement, func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from shopmcp.core.errors import ErrorCode, ShopError
from shopmcp.core.runtime import runtime_of
from shopmcp.models.cart_public import Notice
from shopmcp.models.catalog import Offer, Product
from shopmcp.models.catalog_public import OfferAvailability
from shopmcp.models.harness import SessionStock
from shopmcp.models.order import OrderLine
from shopmcp.models.types import utcnow

Shortfall = Literal["out_of_stock", "insufficient_stock"]


class OrderedUnits(Protocol):
    """What taking stock for an order needs to know about one of its lines."""

    @property
    def offer_id(self) -> int: ...
    @property
    def quantity(self) -> int: ...
    @property
    def product_title(self) -> str: ...
    @property
    def track_inventory(self) -> bool: ...


# --- Reading ------------------------------------------------------------------


def stock_column(tx: Session, session_id: str) -> ColumnElement[int]:
    """The SQL expression of an offer's stock as session `session_id` sees it (correlated on `Offer`)."""
    if not runtime_of(tx).per_session_stock:
        return Offer.__table__.c.stock  # type: ignore[attr-defined,no-any-return]
    sold = (
        select(col(SessionStock.sold))
        .where(col(SessionStock.session_id) == session_id, col(SessionStock.offer_id) == col(Offer.id))
        .scalar_subquery()
    )
    return col(Offer.stock) - func.coalesce(sold, 0)


def available(tx: Session, session_id: str, offer: Offer) -> int:
    """Units of `offer` session `session_id` can buy (made-to-order offers: their stock field, unused)."""
    if not runtime_of(tx).per_session_stock:
        return offer.stock
    sold = tx.execute(
        select(col(SessionStock.sold)).where(
            col(SessionStock.session_id) == session_id, col(SessionStock.offer_id) == offer.id
        )
    ).scalar_one_or_none()
    return offer.stock - (sold or 0)


def known_units(offer: Offer, units: int) -> int | None:
    """`units` of `offer` as a count to show; None for a made-to-order offer, which has no limit."""
    return units if offer.track_inventory else None


def shown(offer: Offer) -> int | None:
    """The catalog's own stock of `offer` as the catalog tools show it (None: made to order)."""
    return known_units(offer, offer.stock)


def catalog_stock(tx: Session) -> list[tuple[int, int]]:
    """Every offer's own stock, by offer id (what the store's state hash covers)."""
    rows = tx.exec(select(Offer.id, Offer.stock).order_by(col(Offer.id))).all()
    return [(offer_id, units) for offer_id, units in rows if offer_id is not None]


def sold_by(tx: Session, session_id: str) -> list[tuple[int, int]]:
    """Per-session mode's ledger of one session: (offer id, units sold) for every offer it bought, by offer id."""
    rows = tx.exec(
        select(SessionStock.offer_id, SessionStock.sold)
        .where(SessionStock.session_id == session_id, col(SessionStock.sold) > 0)
        .order_by(col(SessionStock.offer_id))
    ).all()
    return [(offer_id, sold) for offer_id, sold in rows]


# --- Classifying and checking ---------------------------------------------------


def availability(offer: Offer) -> OfferAvailability:
    """How the catalog shows an offer's stock: in stock, out of stock, or made to order."""
    if not offer.track_inventory:
        return "made_to_order"
    return "in_stock" if offer.stock > 0 else "out_of_stock"


def in_stock(offer: Offer) -> bool:
    """Whether the catalog's own stock of `offer` has a unit to sell (made-to-order offers always do)."""
    return availability(offer) != "out_of_stock"


def can_supply(offer: Offer, quantity: int) -> bool:
    """Whether the catalog's own stock of `offer` covers `quantity` units."""
    return not offer.track_inventory or offer.stock >= quantity


def shortfall(left: int | None, quantity: int) -> Shortfall | None:
    """What keeps `quantity` units from being bought when `left` are in stock (None: no limit), if anything."""
    if left is not None and left <= 0:
        return "out_of_stock"
    if left is not None and left < quantity:
        return "insufficient_stock"
    return None


def can_sell(left: ColumnElement[int] | Mapped[int]) -> ColumnElement[bool]:
    """SQL: an offer with `left` units (a column of `Offer`'s stock) has one to sell."""
    return or_(left > 0, ~col(Offer.track_inventory))


def covers(left: ColumnElement[int] | Mapped[int], quantity: int) -> ColumnElement[bool]:
    """SQL: an offer with `left` units covers `quantity`."""
    return or_(left >= quantity, ~col(Offer.track_inventory))


def require_some(tx: Session, session_id: str, offer: Offer, product: Product) -> None:
    """Raise `out_of_stock` unless the session can buy at least one unit of `offer`."""
    if offer.track_inventory and available(tx, session_id, offer) <= 0:
        raise out_of_stock(offer, product)


def out_of_stock(offer: Offer, product: Product) -> ShopError:
    return ShopError(
        ErrorCode.OUT_OF_STOCK,
        f"{product.title} is out of stock at this seller (offer {offer.id}). "
        "Call compare_prices or get_product to find an offer in stock.",
        details={"offer_id": offer.id, "product_id": product.id},
    )


# --- Clamping -----------------------------------------------------------------------


def fit(offer: Offer, product: Product, left: int, *, wanted: int, in_cart: int, notices: list[Notice]) -> int:
    """`wanted`, reduced to the `left` units in stock with a notice; raises when no more units than `in_cart` fit."""
    if not offer.track_inventory or wanted <= left:
        return wanted
    if left <= 0:
        raise out_of_stock(offer, product)
    if left <= in_cart:
        raise ShopError(
            ErrorCode.INSUFFICIENT_STOCK,
            f"The cart already holds all the units of {product.title} this seller has in stock ({left}). "
            "Call compare_prices to find another seller.",
            details={"offer_id": offer.id, "available_quantity": left, "in_cart": in_cart},
        )
    notices.append(
        Notice(
            code="quantity_reduced",
            message=f"Only {left} of {product.title} are in stock, so the cart holds {left} "
            f"(asked for {wanted}). Call compare_prices to find another seller for more.",
        )
    )
    return left


# --- Taking and giving back -----------------------------------------------------------


def take(tx: Session, session_id: str, offer_id: int, quantity: int) -> bool:
    """Take `quantity` units of a tracked offer for the session; False (and nothing taken) if there are fewer."""
    if not runtime_of(tx).per_session_stock:
        result = tx.execute(
            update(Offer)
            .where(col(Offer.id) == offer_id, col(Offer.stock) >= quantity, col(Offer.track_inventory))
            .values(stock=col(Offer.stock) - quantity, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]
    left = tx.execute(select(stock_column(tx, session_id)).where(col(Offer.id) == offer_id)).scalar()
    if left is None or left < quantity:
        return False
    _add_sold(tx, session_id, offer_id, quantity)
    return True


def give_back(tx: Session, session_id: str, offer_id: int, quantity: int) -> None:
    """Return units a cancelled order of the session took."""
    if not runtime_of(tx).per_session_stock:
        tx.execute(
            update(Offer)
            .where(col(Offer.id) == offer_id)
            .values(stock=col(Offer.stock) + quantity, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return
    tx.execute(
        update(SessionStock)
        .where(col(SessionStock.session_id) == session_id, col(SessionStock.offer_id) == offer_id)
        .values(sold=col(SessionStock.sold) - quantity)
        .execution_options(synchronize_session=False)
    )


def changes_catalog(tx: Session) -> bool:
    """Whether taking and giving back stock changes the catalog's own stock (and so its aggregates)."""
    return not runtime_of(tx).per_session_stock


def take_for_order(tx: Session, session_id: str, lines: Sequence[OrderedUnits]) -> set[int]:
    """Take each tracked line's units from the session's stock, in offer id order; the offers whose stock went down.

    In shared mode each take is a conditional update: it changes nothing when
    the stock no longer covers the line (on PostgreSQL a concurrent update of
    the same offer waits for this one and re-checks the condition), and the
    order fails with `insufficient_stock`.
    """
    decremented = set()
    for line in sorted(lines, key=lambda line: line.offer_id):
        if not line.track_inventory:
            continue
        if not take(tx, session_id, line.offer_id, line.quantity):
            raise ShopError(
                ErrorCode.INSUFFICIENT_STOCK,
                f"{line.product_title} sold out while you were checking out: there are fewer than "
                f"{line.quantity} left. Nothing was charged. Call view_cart to see what is left, adjust "
                "the quantity, then call preview_checkout again.",
                details={"offer_id": line.offer_id, "quantity": line.quantity},
            )
        decremented.add(line.offer_id)
    return decremented


def give_back_order(tx: Session, session_id: str, order_id: str) -> set[int]:
    """Give back the units an order of the session took (made-to-order lines took none); the products concerned."""
    lines = tx.exec(select(OrderLine).where(OrderLine.order_id == order_id, col(OrderLine.stock_decremented))).all()
    for line in sorted(lines, key=lambda line: line.offer_id):
        give_back(tx, session_id, line.offer_id, line.quantity)
    return {line.product_id for line in lines}


def _add_sold(tx: Session, session_id: str, offer_id: int, quantity: int) -> None:
    dialect = tx.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    upsert = insert(SessionStock).values(session_id=session_id, offer_id=offer_id, sold=quantity)
    tx.execute(
        upsert.on_conflict_do_update(
            index_elements=["session_id", "offer_id"], set_={"sold": col(SessionStock.sold) + quantity}
        )
    )
