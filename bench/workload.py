"""What the benchmarks call: the tools, their arguments drawn from the catalog, and a realistic mix.

`Catalog.load(url)` reads, once, product ids and in-stock offer ids of a generated catalog. `Caller` makes
one call of a named operation on a client (`echo`, `get_product`, `search_products`, `add_to_cart`,
`view_cart`), keeping what the write tools need (a session per 20 cart lines, a session with a few lines
for view_cart) and raising when a call fails, so a benchmark never times errors.
"""

import random
from dataclasses import dataclass, field
from typing import Any

from mcp import Client

from shopmcp.services.ingest.generator.vocabulary import COMMON_TERM, RARE_TERM

LINES_PER_SESSION = 20
SEARCHES = ({"query": RARE_TERM}, {"query": COMMON_TERM}, {"query": f"{COMMON_TERM} {RARE_TERM}"})
MIX = (
    ("search_products", 30),
    ("get_product", 30),
    ("add_to_cart", 15),
    ("view_cart", 20),
    ("new_session", 5),
)


@dataclass(frozen=True)
class Catalog:
    """Ids to call the tools with."""

    product_ids: list[int]
    offer_ids: list[int]

    @classmethod
    def load(cls, url: str, limit: int = 500, *, cart: bool = True) -> "Catalog":
        from sqlalchemy import text

        from shopmcp.db import Database

        db = Database(url)
        try:
            with db.read() as tx:
                products = tx.execute(
                    text("SELECT id FROM product WHERE status = 'active' ORDER BY id LIMIT :n"), {"n": limit}
                )
                offers = tx.execute(
                    text(
                        "SELECT offer.id FROM offer JOIN product ON product.id = offer.product_id "
                        "WHERE offer.active AND product.status = 'active' AND offer.stock >= 50 "
                        "ORDER BY offer.id LIMIT :n"
                    ),
                    {"n": limit},
                )
                product_ids = [int(row[0]) for row in products]
                offer_ids = [int(row[0]) for row in offers]
        finally:
            db.dispose()
        if cart and len(offer_ids) < LINES_PER_SESSION:
            raise RuntimeError(f"catalog {url} has too few offers in stock to benchmark the cart")
        return cls(product_ids, offer_ids)


class CallFailedError(RuntimeError):
    """A tool call in a benchmark came back as an error."""


@dataclass
class Caller:
    """Makes calls of named operations on one client."""

    client: Client
    catalog: Catalog | None
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    _cart_session: str | None = None
    _lines: int = LINES_PER_SESSION
    _view_session: str | None = None
    _offers: list[int] = field(default_factory=list)
    _count: int = 0

    async def call(self, operation: str) -> None:
        """One call; raises CallFailedError if the tool reported an error."""
        self._count += 1
        if operation == "echo":
            await self._tool("echo", {"text": "hello"})
            return
        catalog = self.catalog
        assert catalog is not None, "shopmcp operations need a catalog"
        if operation == "get_product":
            await self._tool("get_product", {"product_id": self.rng.choice(catalog.product_ids)})
        elif operation == "search_products":
            await self._tool("search_products", SEARCHES[self._count % len(SEARCHES)])
        elif operation == "add_to_cart":
            await self._add(catalog)
        elif operation == "view_cart":
            await self._tool("view_cart", {"session_id": await self._viewed(catalog)})
        elif operation == "new_session":
            await self._tool("new_session", {})
        else:
            raise ValueError(f"unknown operation {operation}")

    async def prepare(self, operation: str) -> None:
        """Do, untimed, what the first timed call of `operation` would otherwise set up."""
        if operation == "view_cart" and self.catalog:
            await self._viewed(self.catalog)

    async def _add(self, catalog: Catalog) -> None:
        # Cart lines are capped: a fresh session every LINES_PER_SESSION adds, each add a new line.
        if self._lines >= LINES_PER_SESSION or self._cart_session is None:
            self._cart_session = (await self._tool("new_session", {}))["session_id"]
            self._lines = 0
            self._offers = self.rng.sample(catalog.offer_ids, LINES_PER_SESSION)
        offer = self._offers[self._lines]
        self._lines += 1
        await self._tool("add_to_cart", {"offer_id": offer, "quantity": 1, "session_id": self._cart_session})

    async def _viewed(self, catalog: Catalog) -> str:
        if self._view_session is None:
            sid = (await self._tool("new_session", {}))["session_id"]
            for offer in catalog.offer_ids[:5]:
                await self._tool("add_to_cart", {"offer_id": offer, "quantity": 1, "session_id": sid})
            self._view_session = sid
        return self._view_session

    async def _tool(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        result = await self.client.call_tool(name, arguments)
        if result.is_error:
            raise CallFailedError(f"{name}({arguments}) failed: {result.structured_content or result.content}")
        return result.structured_content or {}


def mix_sequence(count: int, seed: int = 11) -> list[str]:
    """`count` operations drawn from MIX by weight, deterministically."""
    rng = random.Random(seed)
    names = [name for name, _ in MIX]
    weights = [weight for _, weight in MIX]
    return rng.choices(names, weights=weights, k=count)
