"""Paying from a customer's wallet: the payment methods of the session's account, by id.

A wallet method can pay only for its own account's session (another account's id is simply not
a method of this one). Cards and PayPal accounts are sandbox methods that always succeed; a gift
card pays from its balance, taken in the order's transaction, and refunds go back to it at once.
"""

from sqlmodel import Session, col, select

from shopmcp.core.errors import ErrorCode, Resolution, ShopError
from shopmcp.core.money import format_money
from shopmcp.models.customer import Customer, WalletMethod


def find_method(tx: Session, session_id: str, method_id: str, *, lock: bool = False) -> WalletMethod | None:
    """The wallet method `method_id` of the session's account, if it has one by that id."""
    statement = (
        select(WalletMethod)
        .join(Customer, col(Customer.id) == col(WalletMethod.customer_id))
        .where(Customer.session_id == session_id, WalletMethod.id == method_id)
    )
    if lock:
        statement = statement.with_for_update()
    return tx.exec(statement).first()


def require_funds(method: WalletMethod, amount: int, currency: str) -> None:
    """Raise `insufficient_funds` when a gift card's balance does not cover `amount`."""
    if method.kind != "gift_card":
        return
    balance = method.balance or 0
    if method.currency != currency or balance < amount:
        raise ShopError(
            ErrorCode.INSUFFICIENT_FUNDS,
            f"Gift card {method.id} has {format_money(balance, method.currency)} left, less than "
            f"{format_money(amount, currency)}. Nothing was charged. Ask the person for another payment method.",
            resolution=Resolution.REQUIRES_BUYER_INPUT,
            details={"payment_method": method.id, "balance": balance, "amount": amount},
        )


def pay(tx: Session, method: WalletMethod, amount: int, currency: str) -> None:
    """Take `amount` from the method: a gift card's balance goes down; cards and PayPal need nothing here."""
    require_funds(method, amount, currency)
    if method.kind == "gift_card":
        method.balance = (method.balance or 0) - amount
        tx.add(method)
