"""An offer's price over the last days: its low and its time-weighted average, from `price_history`.

A history row holds from its `valid_from` until the next row of the same
offer. Over a window ending now, each price counts for as long as it held
inside the window (the row in force when the window opens counts from the
window's start); an offer younger than the window is averaged over its own
life. The offer's current price always counts towards the low, so a price
cut that has not reached the history yet still shows. Averages are rounded
half up to whole minor units.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BindParameter, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from shopmcp.models.catalog import PriceHistory

WINDOW_DAYS = 30


@dataclass(frozen=True)
class PriceStats:
    current: int
    low: int
    average: int


def price_stats(
    tx: Session, current_prices: Mapping[int, int], *, now: datetime, days: int = WINDOW_DAYS
) -> dict[int, PriceStats]:
    """The low and time-weighted average over the last `days` of each offer in `current_prices`.

    Args:
        current_prices: Offer id -> its current price (minor units).
        now: The end of the window (aware).
    """
    if not current_prices:
        return {}
    start = now - timedelta(days=days)
    history = _history(tx, list(current_prices), start=start, now=now)
    return {
        offer_id: _stats(history.get(offer_id, []), current, start=start, now=now)
        for offer_id, current in current_prices.items()
    }


def _window_statement() -> Select[int, datetime, int]:
    """Per offer (`offer_ids`), the rows in (`start`, `now`] and the one in force at `start`."""
    earlier = aliased(PriceHistory)
    start: BindParameter[datetime] = bindparam("start")
    now: BindParameter[datetime] = bindparam("now")
    in_force_at_start = (
        select(func.max(col(earlier.valid_from)))
        .where(col(earlier.offer_id) == col(PriceHistory.offer_id), col(earlier.valid_from) <= start)
        .scalar_subquery()
    )
    return (
        select(col(PriceHistory.offer_id), col(PriceHistory.valid_from), col(PriceHistory.price))
        .where(
            col(PriceHistory.offer_id).in_(bindparam("offer_ids", expanding=True)),
            col(PriceHistory.valid_from) <= now,
            or_(col(PriceHistory.valid_from) > start, and_(col(PriceHistory.valid_from) == in_force_at_start)),
        )
        .order_by(col(PriceHistory.offer_id), col(PriceHistory.valid_from), col(PriceHistory.id))
    )


# Built once: constructing it per call cost more than running it (get_product, compare_prices).
_WINDOW = _window_statement()


def _history(
    tx: Session, offer_ids: list[int], *, start: datetime, now: datetime
) -> dict[int, list[tuple[datetime, int]]]:
    """Per offer, the rows inside the window and the one in force at its start, oldest first."""
    rows = tx.execute(_WINDOW, {"offer_ids": offer_ids, "start": start, "now": now}).all()
    history: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for offer_id, valid_from, price in rows:
        history[offer_id].append((valid_from, price))
    return history


def _stats(points: list[tuple[datetime, int]], current: int, *, start: datetime, now: datetime) -> PriceStats:
    if not points:
        return PriceStats(current=current, low=current, average=current)
    weighted = 0
    duration = 0
    # A row replaced at the instant it began (two rows with one valid_from) never held.
    held = [points[-1][1]]
    for index, (valid_from, price) in enumerate(points):
        begins = max(valid_from, start)
        ends = points[index + 1][0] if index + 1 < len(points) else now
        micros = _micros(ends - begins)
        weighted += price * micros
        duration += micros
        if micros:
            held.append(price)
    low = min(current, *held)
    if duration == 0:
        return PriceStats(current=current, low=low, average=points[-1][1])
    # Half up for non-negative amounts, in exact integers.
    average = (2 * weighted + duration) // (2 * duration)
    return PriceStats(current=current, low=low, average=average)


def _micros(delta: timedelta) -> int:
    return max(0, (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)
