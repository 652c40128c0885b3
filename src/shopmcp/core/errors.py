"""Business errors the agent can act on (docs/architecture.md, "Errors").

Services raise `ShopError`; the tool layer turns it into a tool result with
`isError: true` and `{"error": {"code", "message", "resolution", "details"}}`.
`code` is part of the public contract: add codes, never rename them.
"""

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID_INPUT = "invalid_input"
    INVALID_ARGUMENTS = "invalid_arguments"
    INVALID_CURSOR = "invalid_cursor"
    OUT_OF_STOCK = "out_of_stock"
    INSUFFICIENT_STOCK = "insufficient_stock"
    VARIANT_REQUIRED = "variant_required"
    INVALID_COUPON = "invalid_coupon"
    COUPON_NOT_APPLICABLE = "coupon_not_applicable"
    EMPTY_CART = "empty_cart"
    INVALID_ADDRESS = "invalid_address"
    QUOTE_EXPIRED = "quote_expired"
    QUOTE_STALE = "quote_stale"
    PAYMENT_DECLINED = "payment_declined"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    ORDER_NOT_CANCELLABLE = "order_not_cancellable"
    ORDER_NOT_MODIFIABLE = "order_not_modifiable"
    CONFIRMATION_DECLINED = "confirmation_declined"
    FORBIDDEN = "forbidden"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "service_unavailable"
    INTERNAL = "internal_error"


class Resolution(StrEnum):
    """What it takes to get past the error."""

    RECOVERABLE = "recoverable"
    """The agent can fix it itself, e.g. by calling another tool or changing an argument."""
    REQUIRES_BUYER_INPUT = "requires_buyer_input"
    """Only the person can decide, e.g. another payment method or address."""
    UNRECOVERABLE = "unrecoverable"
    """Nothing will make this call succeed."""


class ShopError(Exception):
    """A business outcome that stops the call; `message` tells the agent what to do next."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        resolution: Resolution = Resolution.RECOVERABLE,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.resolution = resolution
        self.details = details or {}


def not_found(kind: str, identifier: object, next_step: str) -> ShopError:
    """The one answer for an id that does not exist or is not the caller's: they must look alike."""
    return ShopError(
        ErrorCode.NOT_FOUND,
        f"No {kind} with id {identifier!r}. {next_step}",
        details={"kind": kind, "id": identifier},
    )


def invalid_input(message: str, **details: Any) -> ShopError:
    return ShopError(ErrorCode.INVALID_INPUT, message, details=details)
