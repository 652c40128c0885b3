"""Finding or creating what products point at: categories by path, brands and sellers by name.

The generator and the importers share these, so a category path or a brand
name means the same row whoever wrote it first. `Refs` caches the ids it has
resolved within one transaction; `savepoint()` forgets ids created inside a
savepoint that was rolled back, so a rejected product cannot leave a cached
id to a row that no longer exists.
"""

import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from shopmcp.core.money import to_minor
from shopmcp.models.catalog import Brand, Category, Seller, ShippingRate

PATH_SEPARATOR = " > "

STORE_SELLER = "Store"
"""The seller of imported offers when no other is named: the store itself."""


@dataclass(frozen=True)
class ShippingRateSpec:
    """A shipping rate in major units, converted to the seller's currency when the seller is created."""

    method: str
    price: Decimal
    min_days: int
    max_days: int
    free_over: Decimal | None = None


DEFAULT_SHIPPING = (
    ShippingRateSpec("standard", Decimal("4.99"), 3, 5, free_over=Decimal("50.00")),
    ShippingRateSpec("express", Decimal("14.99"), 1, 2),
)
"""The shipping rates of a seller created by an import: standard $4.99 in 3-5 days, free from $50;
express $14.99 in 1-2 days (amounts in the import's currency)."""


def slugify(text: str) -> str:
    """`"Chef's Table & Co"` -> `"chefs-table-co"`: ASCII letters and digits joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = ascii_text.replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def split_path(path: str | Sequence[str]) -> list[str]:
    """A category path as its names: `"A > B"` or `["A", "B"]` -> `["A", "B"]`, blanks dropped."""
    parts = path.split(">") if isinstance(path, str) else list(path)
    return [" ".join(part.split()) for part in parts if part.strip()]


def _unique_slug(tx: Session, model: Any, base: str, fallback: str) -> str:
    base = base[:180] or fallback
    taken = set(tx.exec(select(model.slug).where(col(model.slug).startswith(base))).all())
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


@dataclass
class Refs:
    """Ids of categories, brands and sellers, resolved or created within one transaction."""

    tx: Session
    currency: str = "USD"
    _categories: dict[str, int] = field(default_factory=dict)
    _brands: dict[str, int] = field(default_factory=dict)
    _sellers: dict[str, int] = field(default_factory=dict)
    _added: list[tuple[dict[str, int], str]] | None = None

    def _remember(self, cache: dict[str, int], key: str, value: int) -> int:
        cache[key] = value
        if self._added is not None:
            self._added.append((cache, key))
        return value

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A SAVEPOINT; if the block raises, it is rolled back and so are the ids cached inside it."""
        outer, self._added = self._added, []
        try:
            with self.tx.begin_nested():
                yield
        except BaseException:
            for cache, key in self._added:
                cache.pop(key, None)
            raise
        finally:
            added, self._added = self._added, outer
            if outer is not None:
                outer.extend(added)

    def category_id(self, path: str | Sequence[str]) -> int | None:
        """The id of the category at `path`, creating it and any missing parent; None for an empty path."""
        names = split_path(path)
        parent_id: int | None = None
        for depth in range(len(names)):
            key = PATH_SEPARATOR.join(names[: depth + 1])
            cached = self._categories.get(key)
            if cached is not None:
                parent_id = cached
                continue
            found = self.tx.exec(select(Category).where(Category.path == key).order_by(col(Category.id))).first()
            if found is None:
                found = Category(
                    name=names[depth],
                    slug=_unique_slug(self.tx, Category, slugify(names[depth]), "category"),
                    path=key,
                    parent_id=parent_id,
                    depth=depth,
                )
                self.tx.add(found)
                self.tx.flush()
            assert found.id is not None
            parent_id = self._remember(self._categories, key, found.id)
        return parent_id

    def brand_id(self, name: str | None) -> int | None:
        """The id of the brand called `name` (compared case-insensitively), created if new."""
        name = " ".join((name or "").split())
        if not name:
            return None
        key = name.casefold()
        if key in self._brands:
            return self._brands[key]
        found = self.tx.exec(select(Brand.id).where(func.lower(Brand.name) == name.lower())).first()
        if found is None:
            brand = Brand(name=name, slug=_unique_slug(self.tx, Brand, slugify(name), "brand"))
            self.tx.add(brand)
            self.tx.flush()
            found = brand.id
        assert found is not None
        return self._remember(self._brands, key, found)

    def seller_id(
        self,
        name: str,
        shipping: Sequence[ShippingRateSpec] = DEFAULT_SHIPPING,
        *,
        rating: float = 0.0,
        rating_count: int = 0,
    ) -> int:
        """The id of the seller called `name`; a new one gets `shipping` (in `currency`) and `rating`."""
        name = " ".join(name.split())
        key = name.casefold()
        if key in self._sellers:
            return self._sellers[key]
        found = self.tx.exec(select(Seller.id).where(func.lower(Seller.name) == name.lower())).first()
        if found is None:
            seller = Seller(
                name=name,
                slug=_unique_slug(self.tx, Seller, slugify(name), "seller"),
                rating=rating,
                rating_count=rating_count,
            )
            self.tx.add(seller)
            self.tx.flush()
            assert seller.id is not None
            for terms in shipping:
                self.tx.add(
                    ShippingRate(
                        seller_id=seller.id,
                        method=terms.method,
                        price=to_minor(terms.price, self.currency),
                        currency=self.currency,
                        min_days=terms.min_days,
                        max_days=terms.max_days,
                        free_over=None if terms.free_over is None else to_minor(terms.free_over, self.currency),
                    )
                )
            self.tx.flush()
            found = seller.id
        return self._remember(self._sellers, key, found)
