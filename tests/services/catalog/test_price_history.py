"""The 30-day low and time-weighted average of an offer's price."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from shopmcp.db import Database
from shopmcp.models.catalog import Offer, PriceHistory
from shopmcp.services.catalog.price_history import PriceStats, _stats, price_stats
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
START = NOW - timedelta(days=30)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def test_each_price_counts_for_as_long_as_it_held() -> None:
    # 10.00 for 20 days, then 13.00 for the last 10: (1000*20 + 1300*10) / 30 = 1100.
    stats = _stats([(days_ago(45), 1000), (days_ago(10), 1300)], 1300, start=START, now=NOW)

    assert stats == PriceStats(current=1300, low=1000, average=1100)


def test_the_average_rounds_half_up() -> None:
    # 1000 for 1 day and 1001 for 1 day: 1000.5 -> 1001.
    stats = _stats([(days_ago(2), 1000), (days_ago(1), 1001)], 1001, start=START, now=NOW)

    assert stats.average == 1001


def test_a_young_offer_is_averaged_over_its_own_life() -> None:
    stats = _stats([(days_ago(4), 2000), (days_ago(1), 1000)], 1000, start=START, now=NOW)

    assert stats.average == 1750


def test_a_price_cut_not_yet_in_the_history_is_the_low() -> None:
    stats = _stats([(days_ago(40), 2000)], 1500, start=START, now=NOW)

    assert stats == PriceStats(current=1500, low=1500, average=2000)


def test_without_history_the_current_price_is_everything() -> None:
    assert _stats([], 999, start=START, now=NOW) == PriceStats(current=999, low=999, average=999)


@settings(max_examples=200)
@given(
    points=st.lists(
        st.tuples(st.floats(min_value=0, max_value=90), st.integers(min_value=0, max_value=10**7)),
        min_size=1,
        max_size=12,
    ),
    current=st.integers(min_value=0, max_value=10**7),
)
def test_the_average_lies_between_the_prices_that_counted(points: list[tuple[float, int]], current: int) -> None:
    history = sorted((days_ago(age), price) for age, price in points)
    stats = _stats(history, current, start=START, now=NOW)

    in_window = [price for valid_from, price in history if valid_from > START]
    before = [price for valid_from, price in history if valid_from <= START]
    counted = in_window + before[-1:]
    assert min(counted) <= stats.average <= max(counted)
    assert min([current, *counted]) <= stats.low <= min(current, history[-1][1])


def test_only_the_window_and_the_row_in_force_at_its_start_are_read(database: Database) -> None:
    build = CatalogBuilder(database)
    seller = build.seller("History")
    # 90.00 (80 days ago), 50.00 (40 days ago: in force when the window opens), 60.00 (10 days ago), now 70.00.
    product = build.product(
        "Clock",
        variants=[
            VariantSpec(offers=[OfferSpec(seller=seller, price=7000, history=[(80, 9000), (40, 5000), (10, 6000)])])
        ],
    )
    now = datetime.now(UTC)
    with database.read() as tx:
        offer = tx.exec(select(Offer).where(Offer.product_id == product.id)).one()
        assert offer.id is not None
        rows = tx.exec(select(PriceHistory).where(PriceHistory.offer_id == offer.id)).all()
        assert len(rows) == 4
        stats = price_stats(tx, {offer.id: offer.price}, now=now)[offer.id]

    # 50.00 for 20 days, 60.00 for 9 days, 70.00 for the last day: 1610 / 30 = 53.67.
    assert stats.low == 5000
    assert stats.average == 5367
