"""apply_coupon and remove_coupon: kinds, terms, validity, and how the discount lands on the lines."""

from datetime import UTC, datetime, timedelta

import pytest
from mcp import Client

from shopmcp.db import Database
from tests.tools.shopping import Shopper, Store, amounts_add_up, make_coupon, small_store


@pytest.fixture
def store(database: Database) -> Store:
    return small_store(database)


async def _cart_of(shopper: Shopper, store: Store) -> None:
    """Two headphones from Acme ($99.98) and a size S shirt ($19.99): $119.97."""
    await shopper.ok("add_to_cart", offer_id=store.offer_id(store.headphones, store.acme), quantity=2)
    await shopper.ok("add_to_cart", variant_id=store.variant_ids(store.shirt)[0])


async def test_a_percent_coupon_discounts_each_line_rounded_half_up(
    client: Client, store: Store, database: Database
) -> None:
    shopper = await Shopper.start(client)
    await _cart_of(shopper, store)
    code = make_coupon(database, kind="percent", value=1250)

    cart = await shopper.ok("apply_coupon", code=code.lower())

    # 12.5% of 9998 = 1249.75 -> 1250; of 1999 = 249.875 -> 250.
    assert [line["discount"]["amount"] for line in cart["lines"]] == [1250, 250]
    assert cart["discount"]["amount"] == 1500
    assert cart["coupon"]["code"] == code
    assert cart["coupon"]["applied"] is True
    amounts_add_up(cart, shipping_key="estimated_shipping", tax_key="estimated_tax")


async def test_a_fixed_coupon_is_split_over_the_lines_exactly(client: Client, store: Store, database: Database) -> None:
    shopper = await Shopper.start(client)
    await _cart_of(shopper, store)
    code = make_coupon(database, kind="fixed", value=1000, min_subtotal=5000)

    cart = await shopper.ok("apply_coupon", code=code)

    # 1000 split 9998 : 1999 -> 833.38 and 166.62; the left-over cent goes to the larger remainder.
    assert [line["discount"]["amount"] for line in cart["lines"]] == [833, 167]
    assert cart["discount"]["amount"] == 1000
    amounts_add_up(cart, shipping_key="estimated_shipping", tax_key="estimated_tax")


async def test_a_fixed_coupon_larger_than_the_cart_caps_at_the_subtotal(
    client: Client, store: Store, database: Database
) -> None:
    shopper = await Shopper.start(client)
    await shopper.ok("add_to_cart", product_id=store.cable.id)
    code = make_coupon(database, kind="fixed", value=50_000)

    cart = await shopper.ok("apply_coupon", code=code)

    assert cart["discount"]["amount"] == 999
    assert cart["lines"][0]["total"]["amount"] == 0
    assert cart["total"]["amount"] == cart["estimated_shipping"]["amount"]
    amounts_add_up(cart, shipping_key="estimated_shipping", tax_key="estimated_tax")


async def test_below_the_minimum_the_coupon_says_how_much_is_missing(
    client: Client, store: Store, database: Database
) -> None:
    shopper = await Shopper.start(client)
    await shopper.ok("add_to_cart", variant_id=store.variant_ids(store.shirt)[0])
    code = make_coupon(database, kind="fixed", value=500, min_subtotal=5000)

    error = await shopper.fail("apply_coupon", code=code)

    assert error["code"] == "coupon_not_applicable"
    assert error["resolution"] == "recoverable"
    assert error["details"]["shortfall"]["amount"] == 5000 - 1999
    assert "$30.01" in error["message"]
    assert (await shopper.cart())["coupon"] is None


async def test_a_category_coupon_applies_to_the_category_and_its_subcategories_only(
    client: Client, store: Store, database: Database
) -> None:
    shopper = await Shopper.start(client)
    await _cart_of(shopper, store)
    await shopper.ok("add_to_cart", product_id=store.cable.id)
    code = make_coupon(database, kind="percent", value=2000, category=store.electronics)

    cart = await shopper.ok("apply_coupon", code=code)

    discounts = {line["product_id"]: line["discount"]["amount"] for line in cart["lines"]}
    assert discounts == {store.headphones.id: 2000, store.shirt.id: 0, store.cable.id: 200}


async def test_a_category_coupon_without_eligible_items_does_not_apply(
    client: Client, store: Store, database: Database
) -> None:
    shopper = await Shopper.start(client)
    await shopper.ok("add_to_cart", variant_id=store.variant_ids(store.shirt)[0])
    code = make_coupon(database, category=store.electronics)

    error = await shopper.fail("apply_coupon", code=code)

    assert error["code"] == "coupon_not_applicable"
    assert "eligible" in error["message"]


@pytest.mark.parametrize(
    ("terms", "reason"),
    [
        ({"active": False}, "no longer offered"),
        ({"expires_at": datetime(2020, 1, 1, tzinfo=UTC)}, "expired"),
        ({"starts_at": datetime.now(UTC) + timedelta(days=3)}, "cannot be used yet"),
    ],
)
async def test_withdrawn_expired_and_future_coupons_are_invalid(
    client: Client, store: Store, database: Database, terms: dict[str, object], reason: str
) -> None:
    shopper = await Shopper.start(client)
    await _cart_of(shopper, store)
    code = make_coupon(database, **terms)  # type: ignore[arg-type]

    error = await shopper.fail("apply_coupon", code=code)

    assert error["code"] == "invalid_coupon"
    assert error["resolution"] == "requires_buyer_input"
    assert reason in error["message"]
    assert (await shopper.cart())["coupon"] is None


async def test_unknown_codes_are_invalid_coupons(client: Client, store: Store) -> None:
    shopper = await Shopper.start(client)
    await _cart_of(shopper, store)

    error = await shopper.fail("apply_coupon", code="NO-SUCH-CODE")
    too_long = await shopper.rejected("apply_coupon", code="X" * 51)

    assert error["code"] == "invalid_coupon"
    assert "NO-SUCH-CODE" in error["message"]
    assert "code" in too_long.content[0].text  # type: ignore[union-attr]


async def test_a_second_coupon_replaces_the_first(client: Client, store: Store, database: Database) -> None:
    shopper = await Shopper.start(client)
    await _cart_of(shopper, store)
    first, second = make_coupon(database, value=500), make_coupon(database, value=1000)

    await shopper.ok("apply_coupon", code=first)
    cart = await shopper.ok("apply_coupon", code=second)

    assert cart["coupon"]["code"] == second
    assert [m["code"] for m in cart["messages"]] == ["coupon_replaced"]


async def test_remove_coupon(client: Client, store: Store, database: Database) -> None:
    shopper = await Shopper.start(client)
    await _cart_of(shopper, store)
    code = make_coupon(database)
    await shopper.ok("apply_coupon", code=code)

    wrong = await shopper.fail("remove_coupon", code="OTHER")
    cart = await shopper.ok("remove_coupon", code=code.lower())
    again = await shopper.fail("remove_coupon", code=code)

    assert wrong["code"] == again["code"] == "invalid_coupon"
    assert cart["coupon"] is None
    assert cart["discount"]["amount"] == 0


async def test_a_coupon_that_stops_qualifying_stays_attached_without_discount(
    client: Client, store: Store, database: Database
) -> None:
    shopper = await Shopper.start(client)
    await _cart_of(shopper, store)
    code = make_coupon(database, kind="fixed", value=500, min_subtotal=5000)
    cart = await shopper.ok("apply_coupon", code=code)

    after = await shopper.ok("remove_from_cart", line_id=cart["lines"][0]["line_id"])

    assert after["coupon"]["applied"] is False
    assert after["coupon"]["note"] is not None
    assert after["discount"]["amount"] == 0
    assert [m["code"] for m in after["messages"]] == ["coupon_not_applied"]


async def test_a_once_per_session_coupon_is_used_up_by_an_order(
    client: Client, store: Store, database: Database
) -> None:
    shopper = await Shopper.start(client)
    other = await Shopper.start(client)
    code = make_coupon(database, once_per_session=True)
    await _cart_of(shopper, store)
    await shopper.ok("apply_coupon", code=code)
    _, order = await shopper.buy()
    await _cart_of(shopper, store)
    await _cart_of(other, store)

    used = await shopper.fail("apply_coupon", code=code)
    elsewhere = await other.ok("apply_coupon", code=code)

    assert order["coupon_code"] == code
    assert used["code"] == "coupon_not_applicable"
    assert used["details"]["reason"] == "already_used"
    assert elsewhere["coupon"]["applied"] is True


async def test_clear_cart_also_removes_the_coupon(client: Client, store: Store, database: Database) -> None:
    shopper = await Shopper.start(client)
    await _cart_of(shopper, store)
    await shopper.ok("apply_coupon", code=make_coupon(database))

    cleared = await shopper.ok("clear_cart")

    assert cleared["coupon"] is None
