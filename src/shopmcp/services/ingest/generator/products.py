"""One generated product and everything under it, as plain rows ready for a bulk insert.

Product number k of seed s is always the same product: all of its randomness
comes from a stream of its own, seeded by (s, k), and every timestamp is an
offset from the anchor. So a catalog is reproducible row for row, and
appending products k+1.. to a catalog of k gives what one run of k+n would.
"""

from bisect import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from itertools import product as cartesian
from math import exp, log
from random import Random
from typing import Any

from shopmcp.core.money import exponent
from shopmcp.services.catalog.refs import ShippingRateSpec, slugify
from shopmcp.services.ingest.generator import vocabulary as vocab

Row = tuple[Any, ...]

PRODUCT_COLUMNS = (
    "id",
    "handle",
    "title",
    "description",
    "category_id",
    "brand_id",
    "attributes",
    "tags",
    "image_url",
    "rating",
    "review_count",
    "status",
    "created_at",
    "currency",
    "min_price",
    "max_price",
    "offer_count",
    "in_stock",
)
VARIANT_COLUMNS = ("id", "product_id", "sku", "title", "options", "position")
VARIANT_OPTION_COLUMNS = ("variant_id", "name", "value", "product_id")
OFFER_COLUMNS = (
    "id",
    "variant_id",
    "product_id",
    "seller_id",
    "price",
    "compare_at_price",
    "currency",
    "stock",
    "track_inventory",
    "condition",
    "handling_days",
    "active",
    "updated_at",
)
PRICE_HISTORY_COLUMNS = ("id", "offer_id", "price", "valid_from")

DAY = 86_400
CREATED_SPAN = 730 * DAY
"""Products were created over the two years before the anchor."""
HISTORY_SPAN = 90 * DAY
"""Price history covers the 90 days before the anchor."""
NEW_ARRIVAL_SPAN = 60 * DAY

DRAFT_SHARE = 0.01
ARCHIVED_SHARE = 0.01
UNTRACKED_SHARE = 0.03
"""Offers made to order (stock not tracked)."""
SOLD_OUT_SHARE = 0.08
INACTIVE_OFFER_SHARE = 0.02
ON_SALE_SHARE = 0.15
"""Offers with a compare-at price above the price."""

_SEED_STRIDE = 1 << 40
"""Product ids stay below this, so (seed, product id) -> one integer seed is one-to-one."""


@dataclass(frozen=True, slots=True)
class SellerProfile:
    name: str
    rating: float
    rating_count: int
    shipping: tuple[ShippingRateSpec, ...]


def seller_pool(seed: int) -> list[SellerProfile]:
    """The 30 to 50 sellers of a generated store, with ratings and shipping terms, chosen by `seed`."""
    rng = Random(seed)  # noqa: S311  (a reproducible catalog, not a secret)
    names = [f"{prefix} {suffix}" for prefix in vocab.SELLER_PREFIXES for suffix in vocab.SELLER_SUFFIXES]
    rng.shuffle(names)
    return [_seller(rng, name) for name in names[: rng.randint(30, 50)]]


def _seller(rng: Random, name: str) -> SellerProfile:
    min_days = rng.randint(2, 5)
    standard = ShippingRateSpec(
        "standard",
        Decimal(rng.choice(("0", "2.99", "3.99", "4.99", "5.99", "7.99"))),
        min_days,
        min_days + rng.randint(1, 4),
        free_over=Decimal(rng.choice(("25", "35", "49", "75"))) if rng.random() < 0.35 else None,
    )
    shipping: tuple[ShippingRateSpec, ...] = (standard,)
    if rng.random() < 0.8:
        fast = rng.randint(1, 2)
        express = Decimal(rng.choice(("9.99", "12.99", "14.99", "19.99", "24.99")))
        shipping += (ShippingRateSpec("express", express, fast, fast + rng.randint(0, 1)),)
    return SellerProfile(
        name=name,
        rating=round(rng.uniform(3.4, 4.9), 1),
        rating_count=rng.randint(20, 25_000),
        shipping=shipping,
    )


def brand_names() -> list[str]:
    """Every brand of the vocabulary, once, in a stable order."""
    return list(dict.fromkeys(brand for leaf in vocab.LEAVES for brand in leaf.brands))


@dataclass
class Rows:
    """Rows of each table, in `*_COLUMNS` order, waiting to be written."""

    products: list[Row] = field(default_factory=list)
    variants: list[Row] = field(default_factory=list)
    variant_options: list[Row] = field(default_factory=list)
    offers: list[Row] = field(default_factory=list)
    price_history: list[Row] = field(default_factory=list)

    def clear(self) -> None:
        for rows in (self.products, self.variants, self.variant_options, self.offers, self.price_history):
            rows.clear()


@dataclass
class NextIds:
    """The next free id of each table whose rows a product brings."""

    variant: int = 1
    offer: int = 1
    price_history: int = 1


# Positions in the offer rows `ProductMaker._offers` builds before they take the `OFFER_COLUMNS` order.
_ID, _VARIANT, _SELLER, _PRICE, _COMPARE_AT, _STOCK, _TRACKED, _ACTIVE, _UPDATED, _CONDITION, _HANDLING = range(11)


class ProductMaker:
    """Builds product k of a seed, with its variants, offers and price history, into `Rows`."""

    def __init__(
        self,
        *,
        seed: int,
        anchor: datetime,
        currency: str,
        category_ids: Sequence[int],
        brand_ids: Mapping[str, int],
        seller_ids: Sequence[int],
        ids: NextIds,
    ) -> None:
        if seed < 0:
            raise ValueError("the seed must be a whole number >= 0")
        self._seed_base = seed * _SEED_STRIDE
        self._anchor = anchor
        self._history_start = anchor - timedelta(seconds=HISTORY_SPAN)
        self._currency = currency
        self._unit = int(10 ** exponent(currency))
        self._category_ids = category_ids
        self._brand_ids = brand_ids
        self._brand_codes = {name: (slugify(name).replace("-", "")[:3] or "gen").upper() for name in brand_ids}
        self._seller_ids = seller_ids
        self._cum_weights = list(accumulate(leaf.weight for leaf in vocab.LEAVES))
        self._ids = ids

    def restart_ids(self) -> None:
        """Number the next rows from 1 again (a worker's chunk, renumbered by the caller)."""
        self._ids.variant = self._ids.offer = self._ids.price_history = 1

    def make(self, product_id: int, rows: Rows) -> None:
        """Append product `product_id` and its rows to `rows`."""
        if not 0 < product_id < _SEED_STRIDE:
            raise ValueError(f"product id {product_id} out of range")
        rng = Random(self._seed_base + product_id)  # noqa: S311  (a reproducible catalog, not a secret)
        leaf_index = bisect(self._cum_weights, rng.random() * self._cum_weights[-1])
        leaf = vocab.LEAVES[leaf_index]
        brand, noun, feature = rng.choice(leaf.brands), rng.choice(leaf.nouns), rng.choice(leaf.features)
        title = _title(rng, leaf, brand, noun, feature)
        attributes = {attribute.key: rng.choice(attribute.values) for attribute in leaf.attributes}
        age = rng.randrange(CREATED_SPAN)
        created_at = self._anchor - timedelta(seconds=age)
        draw = rng.random()
        status = "draft" if draw < DRAFT_SHARE else "archived" if draw < DRAFT_SHARE + ARCHIVED_SHARE else "active"
        reviews = 0 if rng.random() < 0.06 else min(50_000, int(rng.lognormvariate(3.5, 1.4)))
        rating = 0.0 if reviews == 0 else round(min(5.0, max(1.0, rng.gauss(4.25, 0.45))), 1)
        description = _description(rng, leaf, brand, noun, feature, attributes)
        low, high = leaf.price
        base_price = exp(rng.uniform(log(low), log(high)))

        steps = self._add_variants(rng, rows, product_id, leaf, brand)
        offers = self._offers(rng, leaf, steps, base_price, created_at, rows)
        active = [offer for offer in offers if offer[_ACTIVE]]
        buyable = [offer[_PRICE] for offer in active if offer[_STOCK] > 0 or not offer[_TRACKED]]
        listed = buyable or [offer[_PRICE] for offer in active]

        tags = [slugify(feature)]
        if reviews >= 2_000:
            tags.append("bestseller")
        if age < NEW_ARRIVAL_SPAN:
            tags.append("new-arrival")
        if any(offer[_COMPARE_AT] is not None for offer in offers):
            tags.append("sale")
        rows.products.append(
            (
                product_id,
                f"{slugify(title)}-{product_id}",
                title,
                description,
                self._category_ids[leaf_index],
                self._brand_ids[brand],
                attributes,
                tags,
                None,
                rating,
                reviews,
                status,
                created_at,
                self._currency,
                min(listed),
                max(listed),
                len(active),
                bool(buyable),
            )
        )
        currency = self._currency
        rows.offers.extend(
            (
                offer[_ID],
                offer[_VARIANT],
                product_id,
                offer[_SELLER],
                offer[_PRICE],
                offer[_COMPARE_AT],
                currency,
                offer[_STOCK],
                offer[_TRACKED],
                offer[_CONDITION],
                offer[_HANDLING],
                offer[_ACTIVE],
                offer[_UPDATED],
            )
            for offer in offers
        )

    def _add_variants(self, rng: Random, rows: Rows, product_id: int, leaf: vocab.Leaf, brand: str) -> list[float]:
        """Append the product's variants; returns each variant's price step, in variant id order."""
        steps: list[float] = []
        for position, (options, step) in enumerate(_variant_options(rng, leaf)):
            variant_id = self._ids.variant
            self._ids.variant += 1
            sku = f"{self._brand_codes[brand]}-{product_id:07d}-{position + 1:02d}"
            title = " / ".join(options.values()) or "Default"
            rows.variants.append((variant_id, product_id, sku, title, options, position))
            rows.variant_options.extend(
                (variant_id, name.lower(), value, product_id) for name, value in options.items()
            )
            steps.append(step)
        return steps

    def _offers(
        self,
        rng: Random,
        leaf: vocab.Leaf,
        steps: list[float],
        base_price: float,
        created_at: datetime,
        rows: Rows,
    ) -> list[Row]:
        """Offers of a few sellers on the product's variants (the first seller sells every variant).

        A seller reprices all its variants of a product at once, so the change
        points of its price history are shared by those offers.
        """
        first_variant_id = self._ids.variant - len(steps)
        count = len(steps)
        if count >= 8:
            seller_count = 1 + (rng.random() < 0.3)
        elif count >= 3:
            seller_count = rng.choice((1, 1, 2, 2, 3))
        else:
            seller_count = rng.choice((1, 2, 2, 3, 3, 4))
        seller_count = min(seller_count, len(self._seller_ids))
        history_start = max(created_at, self._history_start)
        offers: list[Row] = []
        for rank in range(seller_count):
            seller_id = self._seller_ids[rng.randrange(len(self._seller_ids))]
            if any(offer[_SELLER] == seller_id for offer in offers):
                continue
            factor = rng.uniform(0.9, 1.12)
            condition = "new"
            if leaf.second_hand and rank > 0 and rng.random() < 0.2:
                condition, factor = ("refurbished", factor * 0.8) if rng.random() < 0.6 else ("used", factor * 0.65)
            handling_days = rng.choice((0, 0, 1, 1, 1, 2, 3))
            sells_all = rank == 0 or rng.random() < 0.6
            schedule = self._repricing(rng, history_start, factor)
            for index, step in enumerate(steps):
                if not sells_all and rng.random() < 0.3:
                    continue
                offer = self._offer(rng, first_variant_id + index, seller_id, base_price + step, schedule, rows)
                offers.append((*offer, condition, handling_days))
        if not any(offer[_ACTIVE] for offer in offers):
            offers[0] = (*offers[0][:_ACTIVE], True, *offers[0][_ACTIVE + 1 :])
        return offers

    def _repricing(self, rng: Random, start: datetime, factor: float) -> list[tuple[datetime, float, float]]:
        """When a seller set its prices over the history period, as (time, price factor, charm draw).

        Half the sellers kept one price for the whole period; the others changed
        it one to three times (sales and their end, increases). The last factor
        is the current price.
        """
        span = int((self._anchor - start).total_seconds())
        draw = rng.random()
        changes = 0 if draw < 0.5 else 1 if draw < 0.75 else 2 if draw < 0.9 else 3
        if changes == 0 or span < 2 * DAY:
            return [(start, factor, rng.random())]
        offsets = sorted(DAY + int(rng.random() * (span - 2 * DAY)) for _ in range(changes))
        points = [(start, factor * rng.uniform(0.95, 1.2), rng.random())]
        points.extend((start + timedelta(seconds=o), factor * rng.uniform(0.8, 1.15), 0.5) for o in offsets[:-1])
        points.append((start + timedelta(seconds=offsets[-1]), factor, rng.random()))
        return points

    def _offer(
        self,
        rng: Random,
        variant_id: int,
        seller_id: int,
        target: float,
        schedule: list[tuple[datetime, float, float]],
        rows: Rows,
    ) -> Row:
        """An offer row without its last two columns (condition, handling days), and its price history."""
        offer_id = self._ids.offer
        self._ids.offer += 1
        last_price = 0
        updated_at = schedule[0][0]
        for valid_from, factor, draw in schedule:
            price = self._charm(target * factor, draw)
            if price != last_price:
                rows.price_history.append((self._ids.price_history, offer_id, price, valid_from))
                self._ids.price_history += 1
                last_price, updated_at = price, valid_from
        draw = rng.random()
        untracked = draw < UNTRACKED_SHARE
        stock = 0 if draw < UNTRACKED_SHARE + SOLD_OUT_SHARE else min(500, int(rng.paretovariate(1.3) * 4))
        compare_at = None
        if rng.random() < ON_SALE_SHARE:
            compare_at = self._charm(target * rng.uniform(1.15, 1.45), 0.0)
            if compare_at <= last_price:
                compare_at = None
        active = rng.random() >= INACTIVE_OFFER_SHARE
        return (offer_id, variant_id, seller_id, last_price, compare_at, stock, not untracked, active, updated_at)

    def _charm(self, major: float, draw: float) -> int:
        """A shelf price near `major` in minor units: mostly .99, sometimes .00 or .95."""
        whole = max(1, round(major))
        if self._unit == 1:
            return whole
        if draw < 0.7:
            return whole * self._unit - 1
        if draw < 0.85:
            return whole * self._unit
        return whole * self._unit - 5 * self._unit // 100


def _title(rng: Random, leaf: vocab.Leaf, brand: str, noun: str, feature: str) -> str:
    if leaf.title_style == "book":
        return f"The {rng.choice(vocab.BOOK_ADJECTIVES)} {rng.choice(vocab.BOOK_NOUNS)}: {feature} {noun}"
    if leaf.title_style == "plain":
        line = f" {rng.choice(vocab.SERIES)}" if rng.random() < 0.4 else ""
        return f"{brand}{line} {feature} {noun}"
    return f"{brand} {rng.choice(vocab.SERIES)} {rng.choice(vocab.MODEL_SUFFIXES)} {feature} {noun}"


def _description(
    rng: Random, leaf: vocab.Leaf, brand: str, noun: str, feature: str, attributes: Mapping[str, vocab.Scalar]
) -> str:
    joiner = "from" if leaf.title_style == "book" else "by"
    specs = "; ".join(_spec(attribute, attributes[attribute.key]) for attribute in leaf.attributes)
    sentences = [
        f"{feature} {noun.lower()} {joiner} {brand}.",
        rng.choice(leaf.uses),
        f"Specifications: {specs}.",
        rng.choice(vocab.GENERIC_SENTENCES),
    ]
    if rng.random() < vocab.COMMON_TERM_SHARE:
        sentences.append(rng.choice(vocab.COMMON_SENTENCES))
    if rng.random() < vocab.RARE_TERM_SHARE:
        sentences.append(rng.choice(vocab.RARE_SENTENCES))
    return " ".join(sentences)


def _spec(attribute: vocab.Attribute, value: vocab.Scalar) -> str:
    if isinstance(value, bool):
        return f"{attribute.label}: {'yes' if value else 'no'}"
    if not attribute.unit:
        return f"{attribute.label} {value}"
    gap = "" if attribute.unit in ("%", "°F") else " "
    return f"{attribute.label} {value}{gap}{attribute.unit}"


def _variant_options(rng: Random, leaf: vocab.Leaf) -> list[tuple[dict[str, str], float]]:
    """The options of each variant and its price step; one default variant for most simple products."""
    if not leaf.options or rng.random() >= leaf.variant_share:
        return [({}, 0.0)]
    axes: list[list[tuple[str, str, float]]] = []
    for axis in leaf.options:
        available = len(axis.values)
        count = min(available, rng.randint(*axis.pick))
        if axis.consecutive:
            start = rng.randrange(available - count + 1)
            picked: Sequence[int] = range(start, start + count)
        else:
            picked = sorted(rng.sample(range(available), count))
        axes.append([(axis.name, axis.values[i], step * axis.price_step) for step, i in enumerate(picked)])
    return [
        ({name: value for name, value, _ in combination}, sum(step for _, _, step in combination))
        for combination in cartesian(*axes)
    ]
