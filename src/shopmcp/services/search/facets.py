"""Count and facets of a search, in one statement over a bounded set of matching products.

The matching products are read once (at most `cap + 1` of them, into a CTE)
and grouped four ways in a single UNION ALL: the total, by category, by
brand, by price band and by option value. When fewer than `cap + 1` products
match, the count and every facet are exact and add up; otherwise they
describe the first `cap + 1` matches and say so (`exact: false`).
"""

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CTE, String, case, cast, func, literal, select
from sqlmodel import Session, col

from shopmcp.core.money import money, to_minor
from shopmcp.models.catalog import Brand, Category, VariantOption
from shopmcp.models.catalog_public import Facet, Facets, FacetValue, OptionFacet, PriceBand
from shopmcp.services.search.sql import ordered_join

PRICE_BAND_EDGES = ("10", "25", "50", "100", "250", "500", "1000")
"""Upper ends of the price bands, in major units of the store currency; the last band is open."""

TOP_VALUES = 10
TOP_OPTION_NAMES = 4
TOP_OPTION_VALUES = 10
_OTHER_CURRENCY_BAND = -1


@dataclass(frozen=True)
class SearchStats:
    counted: int
    exact: bool
    facets: Facets


@functools.cache
def _band_edges(currency: str) -> tuple[int, ...]:
    return tuple(to_minor(edge, currency) for edge in PRICE_BAND_EDGES)


def _band_expression(matched: CTE, currency: str) -> Any:
    edges = _band_edges(currency)
    whens: list[tuple[Any, int]] = [(matched.c.currency != currency, _OTHER_CURRENCY_BAND)]
    whens += [(matched.c.min_price < edge, index) for index, edge in enumerate(edges)]
    return case(*whens, else_=len(edges))


def compute_stats(tx: Session, matched: CTE, *, cap: int, currency: str) -> SearchStats:
    """Group `matched` (columns id, category_id, brand_id, min_price, currency; at most cap + 1 rows)."""
    band = _band_expression(matched, currency)
    empty = literal("", String)
    arms = [
        select(literal("total"), empty, empty, empty, func.count()).select_from(matched),
        select(literal("category"), empty, col(Category.slug), col(Category.path), func.count())
        .select_from(matched.join(Category, col(Category.id) == matched.c.category_id))
        .group_by(col(Category.slug), col(Category.path)),
        select(literal("brand"), empty, col(Brand.name), col(Brand.name), func.count())
        .select_from(matched.join(Brand, col(Brand.id) == matched.c.brand_id))
        .group_by(col(Brand.name)),
        select(literal("price"), empty, cast(band, String), empty, func.count()).select_from(matched).group_by(band),
        select(
            literal("option"),
            col(VariantOption.name),
            func.lower(col(VariantOption.value)),
            func.min(col(VariantOption.value)),
            func.count(func.distinct(col(VariantOption.product_id))),
        )
        # From the (at most cap + 1) matches to their options, never the other way round.
        .select_from(ordered_join(matched, VariantOption, col(VariantOption.product_id) == matched.c.id))
        .group_by(col(VariantOption.name), func.lower(col(VariantOption.value))),
    ]
    rows = tx.execute(arms[0].union_all(*arms[1:])).all()
    return _assemble(rows, cap=cap, currency=currency)


def _assemble(rows: Sequence[Any], *, cap: int, currency: str) -> SearchStats:
    counted = 0
    groups: dict[str, list[_Raw]] = defaultdict(list)
    bands: dict[int, int] = {}
    options: dict[str, list[_Raw]] = defaultdict(list)
    for kind, group, key, label, count in rows:
        if kind == "total":
            counted = int(count)
        elif kind == "price":
            bands[int(key)] = int(count)
        elif kind == "option":
            options[group].append((key, label, int(count)))
        else:
            groups[kind].append((key, label, int(count)))
    facets = Facets(
        counted=counted,
        exact=counted <= cap,
        category=_facet(groups["category"], counted),
        brand=_facet(groups["brand"], counted),
        price=_price_bands(bands, currency),
        options=_option_facets(options),
    )
    return SearchStats(counted=counted, exact=counted <= cap, facets=facets)


_Raw = tuple[str, str, int]
"""A facet value as the database gave it: value, label, count."""


def _by_count(values: list[FacetValue]) -> list[FacetValue]:
    return sorted(values, key=lambda value: (-value.count, value.label.lower(), value.value))


def _top(values: list[_Raw], limit: int) -> list[FacetValue]:
    """The `limit` first values by count (ties by cleaned label, value), as models.

    Only values counted at least as often as the `limit`-th become models
    (validating and cleaning each is most of the cost of a facet); the
    order among them is decided on their cleaned text, as before.
    """
    if len(values) > limit:
        least = sorted((count for _, _, count in values), reverse=True)[limit - 1]
        values = [value for value in values if value[2] >= least]
    return _by_count([FacetValue(value=key, label=label, count=count) for key, label, count in values])[:limit]


def _facet(values: list[_Raw], counted: int) -> Facet:
    top = _top(values, TOP_VALUES)
    return Facet(values=top, other_count=counted - sum(value.count for value in top))


def _price_bands(bands: dict[int, int], currency: str) -> list[PriceBand]:
    edges = _band_edges(currency)
    lows = [0, *edges]
    return [
        PriceBand(
            min=money(lows[index], currency),
            max=money(edges[index], currency) if index < len(edges) else None,
            count=count,
        )
        for index, count in sorted(bands.items())
        if index != _OTHER_CURRENCY_BAND and count
    ]


def _option_facets(options: dict[str, list[_Raw]]) -> list[OptionFacet]:
    ranked = sorted(options.items(), key=lambda item: (-sum(count for _, _, count in item[1]), item[0]))
    return [
        OptionFacet(name=name, values=_top(values, TOP_OPTION_VALUES)) for name, values in ranked[:TOP_OPTION_NAMES]
    ]
