"""Payment: the interface a payment provider implements, and the sandbox provider. No real processor, ever.

`place_order` charges inside its database transaction, which `Database.run_write`
may run again after a transient failure, and which may still roll back after
the charge. So every call carries an idempotency key, and a provider must
treat a repeated key as the same operation, returning the first result
instead of charging again (as Stripe, Adyen and Braintree do with their
idempotency keys). A real provider should also authorize in the transaction
and capture after the commit, voiding authorizations whose order did not
commit; the sandbox does not need that, since it moves no money.
"""

import hashlib
from dataclasses import dataclass
from typing import Protocol

from shopmcp.core.errors import ErrorCode, Resolution, ShopError


@dataclass(frozen=True)
class Charge:
    charge_id: str
    amount: int
    currency: str


@dataclass(frozen=True)
class Refund:
    refund_id: str
    charge_id: str
    amount: int
    currency: str


class PaymentProvider(Protocol):
    """What shopmcp needs from a payment provider."""

    def methods(self) -> dict[str, str]:
        """The payment methods a buyer may choose, each with a few words for the tool description."""
        ...

    def check_method(self, method: str) -> None:
        """Raise `ShopError(invalid_input)` unless `method` can be charged at all."""
        ...

    def charge(self, *, amount: int, currency: str, method: str, idempotency_key: str) -> Charge:
        """Take `amount` minor units; the same `idempotency_key` returns the same charge.

        Raises:
            ShopError: `payment_declined` or `insufficient_funds`.
        """
        ...

    def refund(self, *, charge_id: str, amount: int, currency: str, idempotency_key: str) -> Refund:
        """Return `amount` of a charge; the same `idempotency_key` returns the same refund."""
        ...


SANDBOX_METHODS = {
    "test_card_visa": "succeeds",
    "test_card_mastercard": "succeeds",
    "test_card_declined": "is declined (payment_declined)",
    "test_card_insufficient_funds": "fails for lack of funds (insufficient_funds)",
}


class SandboxProvider:
    """A deterministic stand-in: the method name decides the outcome, ids derive from the idempotency key."""

    def methods(self) -> dict[str, str]:
        return dict(SANDBOX_METHODS)

    def check_method(self, method: str) -> None:
        if method not in SANDBOX_METHODS:
            raise ShopError(
                ErrorCode.INVALID_INPUT,
                f"Unknown payment method {method!r}. This store takes: "
                + ", ".join(f"{name} ({outcome})" for name, outcome in SANDBOX_METHODS.items())
                + ".",
                resolution=Resolution.REQUIRES_BUYER_INPUT,
                details={"payment_method": method, "accepted": list(SANDBOX_METHODS)},
            )

    def charge(self, *, amount: int, currency: str, method: str, idempotency_key: str) -> Charge:
        self.check_method(method)
        if method == "test_card_declined":
            raise ShopError(
                ErrorCode.PAYMENT_DECLINED,
                "The card was declined. Nothing was charged and no order was placed. "
                "Ask the person for another payment method, then call preview_checkout with it.",
                resolution=Resolution.REQUIRES_BUYER_INPUT,
            )
        if method == "test_card_insufficient_funds":
            raise ShopError(
                ErrorCode.INSUFFICIENT_FUNDS,
                "The card has insufficient funds for this total. Nothing was charged and no order was placed. "
                "Ask the person for another payment method, or make the order smaller, then preview again.",
                resolution=Resolution.REQUIRES_BUYER_INPUT,
            )
        return Charge(charge_id=_derived_id("ch", idempotency_key), amount=amount, currency=currency)

    def refund(self, *, charge_id: str, amount: int, currency: str, idempotency_key: str) -> Refund:
        return Refund(
            refund_id=_derived_id("re", idempotency_key), charge_id=charge_id, amount=amount, currency=currency
        )


def _derived_id(prefix: str, key: str) -> str:
    return f"{prefix}_sandbox_{hashlib.sha256(key.encode()).hexdigest()[:24]}"


def provider_named(name: str) -> PaymentProvider:
    """The provider of a `payment_provider` setting; only the sandbox exists."""
    if name != "sandbox":
        raise ValueError(f"unknown payment provider {name!r}; the only one is 'sandbox'")
    return SandboxProvider()
