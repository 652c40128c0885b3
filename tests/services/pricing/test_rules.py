"""The money rules of `services.pricing`, without a database: exact parts, no negatives, known roundings."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopmcp.services.pricing.rules import (
    CouponStatus,
    CouponTerms,
    LineInput,
    ShippingTerms,
    TaxTerms,
    allocate,
    apply_rate,
    price_cart,
)

CATEGORIES = [1, 2, 3, None]
SELLERS = [10, 20, 30]

lines_strategy = st.lists(
    st.builds(
        LineInput,
        key=st.just(0),
        seller_id=st.sampled_from(SELLERS),
        category_id=st.sampled_from(CATEGORIES),
        unit_price=st.integers(min_value=0, max_value=500_000),
        quantity=st.integers(min_value=1, max_value=999),
    ),
    max_size=12,
).map(
    lambda lines: [LineInput(i + 1, x.seller_id, x.category_id, x.unit_price, x.quantity) for i, x in enumerate(lines)]
)

coupon_strategy = st.one_of(
    st.none(),
    st.builds(
        CouponTerms,
        code=st.just("C"),
        kind=st.sampled_from(["percent", "fixed"]),
        value=st.integers(min_value=1, max_value=10_000),
        min_subtotal=st.one_of(st.none(), st.integers(min_value=0, max_value=200_000)),
        category_ids=st.one_of(st.none(), st.frozensets(st.sampled_from([1, 2, 3]), min_size=1)),
    ),
    st.builds(CouponTerms, code=st.just("BIG"), kind=st.just("fixed"), value=st.integers(10**6, 10**9)),
)

shipping_strategy = st.dictionaries(
    st.sampled_from(SELLERS),
    st.builds(
        ShippingTerms,
        price=st.integers(min_value=0, max_value=5_000),
        free_over=st.one_of(st.none(), st.integers(min_value=0, max_value=100_000)),
    ),
)

tax_strategy = st.one_of(
    st.none(),
    st.builds(
        TaxTerms,
        rate=st.decimals(min_value=0, max_value=Decimal("0.3"), places=5),
        shipping_taxable=st.booleans(),
    ),
)


@settings(max_examples=1000, deadline=None)
@given(lines=lines_strategy, coupon=coupon_strategy, shipping=shipping_strategy, tax=tax_strategy)
def test_parts_add_up_and_nothing_is_negative(
    lines: list[LineInput],
    coupon: CouponTerms | None,
    shipping: dict[int, ShippingTerms],
    tax: TaxTerms | None,
) -> None:
    priced = price_cart(lines, coupon=coupon, shipping=shipping, tax=tax)

    assert priced.total == sum(line.total for line in priced.lines) + sum(s.total for s in priced.shipments)
    assert priced.total == priced.subtotal - priced.discount + priced.shipping + priced.tax
    assert priced.subtotal == sum(line.subtotal for line in lines)
    for line in priced.lines:
        assert 0 <= line.discount <= line.subtotal
        assert line.tax >= 0
    assert all(s.shipping >= 0 and s.tax >= 0 for s in priced.shipments)
    assert {s.seller_id for s in priced.shipments} == {line.seller_id for line in lines}
    if coupon is not None and priced.coupon is not None and priced.coupon.status == CouponStatus.APPLIED:
        eligible = priced.coupon.eligible_subtotal
        if coupon.kind == "fixed":
            assert priced.discount == min(coupon.value, eligible), "a fixed coupon gives exactly its amount, capped"
        assert coupon.min_subtotal is None or eligible >= coupon.min_subtotal
    else:
        assert priced.discount == 0


@settings(max_examples=500, deadline=None)
@given(weights=st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=30), data=st.data())
def test_allocate_splits_exactly_and_proportionally(weights: list[int], data: st.DataObject) -> None:
    total = sum(weights)
    amount = data.draw(st.integers(min_value=0, max_value=total))

    parts = allocate(amount, weights)

    assert sum(parts) == amount
    for part, weight in zip(parts, weights, strict=True):
        assert 0 <= part <= weight
        if total:
            assert abs(part * total - amount * weight) < total, "each part is its exact share, rounded"


def test_allocate_gives_left_over_units_to_the_largest_remainders_then_the_earliest() -> None:
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(1000, [9998, 1999]) == [833, 167]
    assert allocate(0, [0, 0]) == [0, 0]
    with pytest.raises(ValueError, match="zero weights"):
        allocate(1, [0, 0])
    with pytest.raises(ValueError, match="non-negative"):
        allocate(-1, [1])


def test_rates_round_half_up_once() -> None:
    assert apply_rate(9998, Decimal("0.0725")) == 725  # 724.855
    assert apply_rate(1999, Decimal("0.125")) == 250  # 249.875
    assert apply_rate(10, Decimal("0.05")) == 1  # 0.5 rounds up
    assert apply_rate(9, Decimal("0.05")) == 0  # 0.45
    assert apply_rate(0, Decimal("0.2")) == 0


def test_free_shipping_compares_the_goods_after_discount() -> None:
    lines = [LineInput(1, 10, None, 10_000, 1)]
    free_over = {10: ShippingTerms(price=499, free_over=10_000)}

    full_price = price_cart(lines, shipping=free_over)
    discounted = price_cart(lines, coupon=CouponTerms("C", "fixed", 1), shipping=free_over)

    assert full_price.shipping == 0
    assert discounted.shipping == 499, "$99.99 of goods is under the $100 threshold"


def test_a_coupon_below_its_minimum_reports_the_shortfall() -> None:
    lines = [LineInput(1, 10, 2, 1999, 2)]

    priced = price_cart(lines, coupon=CouponTerms("C", "fixed", 500, min_subtotal=5000), shipping={})

    assert priced.coupon is not None
    assert priced.coupon.status == CouponStatus.BELOW_MINIMUM
    assert priced.coupon.shortfall == 5000 - 3998
    assert priced.discount == 0
