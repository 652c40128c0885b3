"""The sandbox payment provider: outcomes by method, and the same answer for the same idempotency key."""

import pytest

from shopmcp.core.errors import ErrorCode, Resolution, ShopError
from shopmcp.services.payments import SandboxProvider, provider_named


def test_good_cards_pay_and_repeat_the_same_charge_for_the_same_key() -> None:
    provider = SandboxProvider()

    visa = provider.charge(amount=1000, currency="USD", method="test_card_visa", idempotency_key="k1")
    again = provider.charge(amount=1000, currency="USD", method="test_card_visa", idempotency_key="k1")
    other = provider.charge(amount=1000, currency="USD", method="test_card_mastercard", idempotency_key="k2")

    assert visa == again
    assert other.charge_id != visa.charge_id
    assert provider.refund(charge_id=visa.charge_id, amount=1000, currency="USD", idempotency_key="r").amount == 1000


@pytest.mark.parametrize(
    ("method", "code"),
    [
        ("test_card_declined", ErrorCode.PAYMENT_DECLINED),
        ("test_card_insufficient_funds", ErrorCode.INSUFFICIENT_FUNDS),
        ("4242424242424242", ErrorCode.INVALID_INPUT),
    ],
)
def test_failing_methods(method: str, code: ErrorCode) -> None:
    with pytest.raises(ShopError) as failed:
        SandboxProvider().charge(amount=1000, currency="USD", method=method, idempotency_key="k")

    assert failed.value.code == code
    assert failed.value.resolution == Resolution.REQUIRES_BUYER_INPUT


def test_only_the_sandbox_exists() -> None:
    assert isinstance(provider_named("sandbox"), SandboxProvider)
    with pytest.raises(ValueError, match="sandbox"):
        provider_named("stripe")
