"""What place_order asks the person to confirm (where the client can be asked), and the answer to a no."""

from sqlmodel import Session, select

from shopmcp.core.errors import ErrorCode, Resolution, ShopError
from shopmcp.core.money import format_money
from shopmcp.models.checkout_public import ShippingAddress
from shopmcp.models.order import IdempotencyRecord, StoredQuote
from shopmcp.models.types import utcnow
from shopmcp.services.cart.snapshot import Snapshot
from shopmcp.services.shopping_sessions import Scope, require_session


def confirmation_question(*, tx: Session, scope: Scope, quote_id: str, idempotency_key: str) -> str | None:
    """What to ask the person before placing `quote_id`; None when there is nothing to confirm.

    Nothing to confirm: the key already placed an order (a replay), or the
    quote is not this session's, is used or has expired (place_order reports that).
    """
    try:
        row = require_session(tx, scope)
    except ShopError:
        return None
    replayed = tx.exec(
        select(IdempotencyRecord.id).where(
            IdempotencyRecord.session_id == row.id, IdempotencyRecord.key == idempotency_key
        )
    ).first()
    quote = tx.exec(select(StoredQuote).where(StoredQuote.id == quote_id, StoredQuote.session_id == row.id)).first()
    if replayed is not None or quote is None or quote.order_id is not None or utcnow() >= quote.expires_at:
        return None
    snapshot = Snapshot.model_validate(quote.priced)
    address = ShippingAddress.model_validate(quote.shipping_address)
    units = sum(line.quantity for line in snapshot.lines)
    sellers = len({line.seller_id for line in snapshot.lines})
    return (
        f"Place this order for {format_money(snapshot.total, snapshot.currency)}? "
        f"{units} item{'s' if units != 1 else ''} from {sellers} seller{'s' if sellers != 1 else ''}, "
        f"shipping {quote.shipping_method} to {address.name}, {address.city}, {address.country}, "
        f"paid with {quote.payment_method}."
    )


def confirmation_declined() -> ShopError:
    return ShopError(
        ErrorCode.CONFIRMATION_DECLINED,
        "The person did not confirm the order, so nothing was placed or charged. Ask them what they want "
        "to change; the quote stays valid until it expires.",
        resolution=Resolution.REQUIRES_BUYER_INPUT,
    )
