"""Seeded mode: the same calls on the same seeded store give the same results, ids, times and final state.

Outside seeded mode ids stay random (144 bits) and the exports leave them out,
so two runs of the same calls still export the same bytes.
"""

import re
from typing import Any

from mcp import Client

from shopmcp.services.harness import state
from tests.calls import ok
from tests.services.harness.conftest import FreshStore, Store
from tests.tools.shopping import US_ADDRESS

SEED = 7
_RANDOM_ID = re.compile(r"^(ses|quo|ord)_[A-Za-z0-9_-]{24}$")


async def _first_half(client: Client, *, quantity: int) -> dict[str, Any]:
    """Two sessions; the first buys the cheapest product in stock with a coupon."""
    first = (await ok(client, "new_session"))["session_id"]
    second = (await ok(client, "new_session"))["session_id"]
    found = await ok(client, "search_products", {"in_stock": True, "sort": "price_asc", "limit": 5})
    offers = []
    for item in found["items"][:2]:
        product = await ok(client, "get_product", {"product_id": item["id"]})
        offers.append(next(o["id"] for o in product["offers"] if o["stock"] is None or o["stock"] >= 2))
    cart = await ok(client, "add_to_cart", {"session_id": first, "offer_id": offers[0], "quantity": quantity})
    return {"sessions": [first, second], "offers": offers, "results": [found, cart]}


async def _second_half(client: Client, run: dict[str, Any]) -> list[dict[str, Any]]:
    first, second = run["sessions"]
    coupon = await ok(client, "apply_coupon", {"session_id": first, "code": "WELCOME10"})
    quote = await ok(client, "preview_checkout", {"session_id": first, "shipping_address": US_ADDRESS})
    order = await ok(
        client, "place_order", {"session_id": first, "quote_id": quote["quote_id"], "idempotency_key": "k1"}
    )
    await ok(client, "add_to_cart", {"session_id": second, "offer_id": run["offers"][1]})
    other_quote = await ok(client, "preview_checkout", {"session_id": second, "shipping_address": US_ADDRESS})
    return [*run["results"], coupon, quote, order, other_quote]


async def _run(fresh_store: FreshStore, *, restart: bool = False, quantity: int = 1, **settings: Any) -> dict[str, Any]:
    """The call sequence on a new store; with `restart`, its second half runs on a new server process's objects."""
    store = fresh_store(**settings)
    async with Client(store.server) as client:
        run = await _first_half(client, quantity=quantity)
        if not restart:
            results = await _second_half(client, run)
    if restart:
        store = fresh_store(db=store.db, **settings)
        async with Client(store.server) as client:
            results = await _second_half(client, run)
    return {"sessions": run["sessions"], "results": results, **_state_of(store, run["sessions"])}


def _state_of(store: Store, sessions: list[str]) -> dict[str, Any]:
    exports = [
        state.canonical_json(store.db.run_read(state.export_session, session_id=session_id), indent=2)
        for session_id in sessions
    ]
    return {"exports": exports, "hash": store.db.run_read(state.store_hash)}


async def test_the_same_calls_with_the_same_seed_give_identical_results_exports_and_hash(
    fresh_store: FreshStore,
) -> None:
    once = await _run(fresh_store, deterministic_seed=SEED)
    again = await _run(fresh_store, restart=True, deterministic_seed=SEED)

    assert again["sessions"] == once["sessions"]
    assert state.canonical_json(again["results"]) == state.canonical_json(once["results"])
    assert again["exports"] == once["exports"]  # byte for byte
    assert again["hash"] == once["hash"]
    order = once["results"][4]
    assert order["order_id"] in once["exports"][0]
    assert order["placed_at"].startswith("2026-11-01T12:00:")  # the logical clock's default start
    assert len(set(once["sessions"])) == 2


async def test_a_different_call_changes_the_hash(fresh_store: FreshStore) -> None:
    once = await _run(fresh_store, deterministic_seed=SEED)
    other = await _run(fresh_store, deterministic_seed=SEED, quantity=2)

    assert other["hash"] != once["hash"]
    assert other["exports"][0] != once["exports"][0]
    assert other["exports"][1] == once["exports"][1]  # the other session did the same


async def test_outside_seeded_mode_ids_are_random_and_exports_leave_them_out(fresh_store: FreshStore) -> None:
    once = await _run(fresh_store)
    again = await _run(fresh_store)

    ids = [*once["sessions"], *again["sessions"], once["results"][3]["quote_id"], once["results"][4]["order_id"]]
    assert all(_RANDOM_ID.match(value) for value in ids), ids
    assert not set(once["sessions"]) & set(again["sessions"])
    assert once["results"][4]["order_id"] != again["results"][4]["order_id"]
    assert again["exports"] == once["exports"]
    assert again["hash"] == once["hash"]
    assert once["sessions"][0] not in once["exports"][0]
