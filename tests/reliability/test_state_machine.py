"""Stateful property test over the whole tool surface: random shopping across sessions of two principals.

A hypothesis state machine searches, fills and edits carts, applies coupons,
previews, places orders (declined cards and repeated idempotency keys
included) and cancels them, in several sessions of two principals (two
servers on one database, one principal each), and tries each session's ids
from the others. After every step it checks, from the database:

- for every offer, stock plus the units of non-cancelled orders that took
  stock equals the initial stock, and no stock is negative;
- every order costs what its quote said, and its parts add up;
- every session's orders are exactly those the model placed there;

and from the answers: every cart adds up, a placed order matches its quote,
a declined card never yields an order, a repeated key yields the same order,
and every view carries only its own session's rows.

Bounded in the default suite; `SHOPMCP_RELIABILITY_LONG=1` runs it long.
"""

import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text

from shopmcp.db import Database
from shopmcp.server import build_server
from tests.conftest import make_settings
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec, store_offer
from tests.reliability.harness import LONG, SyncClient, ok, outcome, sync_clients
from tests.reliability.report import record
from tests.tools.shopping import US_ADDRESS, make_coupon, set_offer

MACHINE_SETTINGS = settings(
    max_examples=300 if LONG else 20,
    stateful_step_count=80 if LONG else 40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

PAYMENT_METHODS = ["test_card_visa", "test_card_visa", "test_card_declined", "test_card_insufficient_funds"]
DECLINED = {"test_card_declined", "test_card_insufficient_funds"}
CANCEL_REASONS = ["changed_mind", "other"]
NOT_FOUND = frozenset({"not_found"})


@dataclass
class World:
    """The catalog, coupons and clients one test's machines share; stock is reset before each example."""

    database: Database
    clients: list[SyncClient]
    principals: list[str]
    offers: dict[int, int]
    """offer id -> initial stock (tracked offers)."""
    made_to_order: int
    kettle_id: int
    lamp_id: int
    coupons: list[str]
    tally: Counter[str] = field(default_factory=Counter)
    """Tool outcomes over every example, printed at the end (`pytest -s`)."""


@dataclass
class SessionModel:
    principal: int
    session_id: str
    quotes: dict[str, dict[str, Any]] = field(default_factory=dict)
    """quote id -> the quote as preview_checkout returned it."""
    placed: dict[str, str] = field(default_factory=dict)
    """quote id -> the order it became."""
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    """idempotency key -> (quote id, order id) of the order it placed."""
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    cancelled: set[str] = field(default_factory=set)
    lines: set[int] = field(default_factory=set)
    """Line ids the cart held at its last answer."""
    gone_lines: set[int] = field(default_factory=set)


def build_world(database: Database, clients: list[SyncClient], principals: list[str]) -> World:
    build = CatalogBuilder(database)
    north = build.seller("North", standard=(499, 3, 5), express=(1299, 1, 2), free_over=6_000)
    south = build.seller("South", standard=(299, 2, 4), express=None)
    home = build.category("Home")
    kettle = build.product(
        "Kettle",
        category=home,
        variants=[VariantSpec(offers=[OfferSpec(north, 2_999, stock=2), OfferSpec(south, 2_799, stock=3)])],
    )
    lamp = build.product(
        "Lamp",
        category=home,
        variants=[
            VariantSpec(options={"size": "S"}, offers=[OfferSpec(north, 1_999, stock=1)]),
            VariantSpec(options={"size": "M"}, offers=[OfferSpec(north, 2_199, stock=2), OfferSpec(south, 2_099)]),
        ],
    )
    cable = build.product("Cable", variants=[VariantSpec(offers=[OfferSpec(south, 599)])])
    gone = build.product("Vase", variants=[VariantSpec(offers=[OfferSpec(south, 1_499, stock=0)])])
    made_to_order = store_offer(database, cable.id)
    set_offer(database, made_to_order, stock=0, track_inventory=False)
    with database.read() as tx:
        product_ids = [kettle.id, lamp.id, gone.id]
        rows = tx.execute(
            text("SELECT id, stock FROM offer WHERE product_id IN (:a, :b, :c)"),
            dict(zip("abc", product_ids, strict=True)),
        ).all()
    coupons = [
        make_coupon(database, value=1_000),
        make_coupon(database, kind="fixed", value=500, min_subtotal=4_000),
        make_coupon(database, value=2_000, once_per_session=True),
        "NO-SUCH-COUPON",
    ]
    assert kettle.id is not None
    assert lamp.id is not None
    return World(
        database=database,
        clients=clients,
        principals=principals,
        offers={row[0]: row[1] for row in rows},
        made_to_order=made_to_order,
        kettle_id=kettle.id,
        lamp_id=lamp.id,
        coupons=coupons,
    )


def priced_lines(cart: dict[str, Any]) -> list[dict[str, Any]]:
    return [line for line in cart["lines"] if line.get("issue") not in ("out_of_stock", "unavailable")]


def check_adds_up(result: dict[str, Any], shipping: str, tax: str) -> None:
    """The parts of a cart, quote or order add up to its total; nothing negative."""
    lines = priced_lines(result)
    parts = sum(line["total"]["amount"] for line in lines) + sum(
        s["cost"]["amount"] + s["tax"]["amount"] for s in result["shipments"]
    )
    assert parts == result["total"]["amount"], result
    assert sum(line["subtotal"]["amount"] for line in lines) == result["subtotal"]["amount"]
    assert sum(line["discount"]["amount"] for line in lines) == result["discount"]["amount"]
    head = result["subtotal"]["amount"] - result["discount"]["amount"]
    assert head + result[shipping]["amount"] + result[tax]["amount"] == result["total"]["amount"]
    for line in lines:
        assert 0 <= line["discount"]["amount"] <= line["subtotal"]["amount"]
        assert line["subtotal"]["amount"] == line["unit_price"]["amount"] * line["quantity"]


def same_purchase(order: dict[str, Any], quote: dict[str, Any]) -> None:
    for name in ("subtotal", "discount", "shipping", "tax", "total"):
        assert order[name] == quote[name], name
    assert [(x["offer_id"], x["quantity"], x["unit_price"], x["total"]) for x in order["lines"]] == [
        (x["offer_id"], x["quantity"], x["unit_price"], x["total"]) for x in priced_lines(quote)
    ]


class ShoppingMachine(RuleBasedStateMachine):
    """Random shopping; `world` is set on a subclass per test."""

    world: World
    sessions = Bundle("sessions")

    def __init__(self) -> None:
        super().__init__()
        self.models: dict[str, SessionModel] = {}
        reset_stock(self.world)

    # --- helpers -------------------------------------------------------------

    def client(self, model: SessionModel) -> SyncClient:
        return self.world.clients[model.principal]

    def call(self, model: SessionModel, tool: str, allowed: frozenset[str], **args: Any) -> dict[str, Any]:
        answer = outcome(self.client(model), tool, {**args, "session_id": model.session_id}, allowed)
        label = f"{tool}: {answer['error']['code'] if 'error' in answer else 'ok'}"
        self.world.tally[label] += 1
        event(label)
        return answer

    def seen_cart(self, model: SessionModel, cart: dict[str, Any]) -> None:
        """A cart answer: its own session, rows the database holds for that session, totals that add up."""
        assert cart["session_id"] == model.session_id
        line_ids = {line["line_id"] for line in cart["lines"]}
        assert line_ids == self.db_lines(model.session_id), "a cart shows rows that are not its session's"
        check_adds_up(cart, "estimated_shipping", "estimated_tax")
        model.gone_lines |= model.lines - line_ids
        model.lines = line_ids

    def db_lines(self, session_id: str) -> set[int]:
        with self.world.database.read() as tx:
            rows = tx.execute(text("SELECT id FROM cart_line WHERE session_id = :s"), {"s": session_id})
            return {row[0] for row in rows}

    # --- rules ---------------------------------------------------------------

    @initialize(target=sessions, pick=st.integers(0, 20), payment=st.sampled_from(PAYMENT_METHODS))
    def first_session(self, pick: int, payment: str) -> SessionModel:
        """A session that starts with a purchase, so every sequence has an order to work with."""
        model = self.open_session(0)
        self.buy_now(model, pick, 1, payment)
        return model

    @initialize(target=sessions)
    def second_session(self) -> SessionModel:
        return self.open_session(1)

    @rule(target=sessions, principal=st.integers(0, 1))
    def new_session(self, principal: int) -> SessionModel:
        return self.open_session(principal)

    def open_session(self, principal: int) -> SessionModel:
        info = ok(self.world.clients[principal], "new_session")
        model = SessionModel(principal=principal, session_id=info["session_id"])
        self.models[model.session_id] = model
        return model

    @rule(query=st.sampled_from(["kettle", "lamp", "cable", "vase", '"kettle', "NOT lamp", "-cable", "*", ""]))
    def search(self, query: str) -> None:
        result = ok(self.world.clients[0], "search_products", query=query, limit=5)
        assert result["total_count"] >= len(result["items"])

    @rule(
        model=sessions,
        picks=st.lists(st.tuples(st.integers(0, 20), st.integers(1, 4)), min_size=1, max_size=3),
        how=st.sampled_from(["offer", "offer", "offer", "id"]),
    )
    def add_to_cart(self, model: SessionModel, picks: list[tuple[int, int]], how: str) -> None:
        offers = [*sorted(self.world.offers), self.world.made_to_order]
        for pick, quantity in picks:
            args: dict[str, Any] = {"offer_id": offers[pick % len(offers)]}
            if how == "id":
                args = {"product_id": self.world.kettle_id if pick % 2 else self.world.lamp_id}
            allowed = frozenset({"out_of_stock", "insufficient_stock", "variant_required"})
            answer = self.call(model, "add_to_cart", allowed, quantity=quantity, **args)
            if "ok" in answer:
                self.seen_cart(model, answer["ok"])
            elif answer["error"]["code"] == "variant_required":
                assert args.get("product_id") == self.world.lamp_id

    @rule(model=sessions, pick=st.integers(0, 20), quantity=st.integers(0, 4))
    def update_line(self, model: SessionModel, pick: int, quantity: int) -> None:
        candidates = sorted(model.lines) or sorted(model.gone_lines)
        if not candidates:
            return
        line_id = candidates[pick % len(candidates)]
        allowed = frozenset({"out_of_stock", "not_found"})
        answer = self.call(model, "update_cart_item", allowed, line_id=line_id, quantity=quantity)
        if "ok" in answer:
            assert line_id in model.lines
            self.seen_cart(model, answer["ok"])
        elif answer["error"]["code"] == "not_found":
            assert line_id not in model.lines

    @rule(model=sessions, pick=st.integers(0, 20))
    def remove_line(self, model: SessionModel, pick: int) -> None:
        candidates = sorted(model.lines | model.gone_lines)
        if not candidates:
            return
        line_id = candidates[pick % len(candidates)]
        answer = self.call(model, "remove_from_cart", NOT_FOUND, line_id=line_id)
        if "ok" in answer:
            assert line_id in model.lines
            self.seen_cart(model, answer["ok"])
            assert line_id not in model.lines
        else:
            assert line_id not in model.lines

    @rule(model=sessions)
    def view_cart(self, model: SessionModel) -> None:
        self.seen_cart(model, self.call(model, "view_cart", frozenset())["ok"])

    @rule(model=sessions, really=st.integers(0, 3))
    def clear_cart(self, model: SessionModel, really: int) -> None:
        if really:  # a cleared cart leaves little to do: clear one time in four
            return
        cart = self.call(model, "clear_cart", frozenset())["ok"]
        assert cart["lines"] == []
        self.seen_cart(model, cart)

    @rule(model=sessions, pick=st.integers(0, 3))
    def apply_coupon(self, model: SessionModel, pick: int) -> None:
        code = self.world.coupons[pick]
        allowed = frozenset({"invalid_coupon", "coupon_not_applicable"})
        answer = self.call(model, "apply_coupon", allowed, code=code.lower())
        if "ok" in answer:
            assert answer["ok"]["coupon"]["code"] == code
            self.seen_cart(model, answer["ok"])
        else:
            assert code.startswith("NO-") or answer["error"]["code"] == "coupon_not_applicable"

    @rule(model=sessions, pick=st.integers(0, 3))
    def remove_coupon(self, model: SessionModel, pick: int) -> None:
        answer = self.call(model, "remove_coupon", frozenset({"invalid_coupon"}), code=self.world.coupons[pick])
        if "ok" in answer:
            self.seen_cart(model, answer["ok"])

    @rule(model=sessions, payment=st.sampled_from(PAYMENT_METHODS), express=st.booleans())
    def preview(self, model: SessionModel, payment: str, express: bool) -> None:
        allowed = frozenset({"empty_cart", "out_of_stock", "insufficient_stock", "invalid_input"})
        method = "express" if express else "standard"
        answer = self.call(
            model,
            "preview_checkout",
            allowed,
            shipping_address=US_ADDRESS,
            shipping_method=method,
            payment_method=payment,
        )
        if "ok" in answer:
            quote = answer["ok"]
            assert quote["session_id"] == model.session_id
            check_adds_up(quote, "shipping", "tax")
            model.quotes[quote["quote_id"]] = quote

    @rule(model=sessions, pick=st.integers(0, 20), quantity=st.integers(1, 2), payment=st.sampled_from(PAYMENT_METHODS))
    def buy_now(self, model: SessionModel, pick: int, quantity: int, payment: str) -> None:
        """Add, preview and place in one go, as most agents do."""
        self.add_to_cart(model, [(pick, quantity)], how="offer")
        self.preview(model, payment, express=False)
        if model.quotes:
            self.place_order(model, pick=-1, reuse=pick % 3)
        if pick % 4 == 0 and model.orders:  # some buyers change their mind at once
            self.cancel_order(model, pick=pick, reason="changed_mind")

    @rule(model=sessions, pick=st.integers(0, 50), reuse=st.integers(0, 3))
    def place_order(self, model: SessionModel, pick: int, reuse: int) -> None:
        if not model.quotes:
            return
        # pick -1: the newest quote (dicts keep insertion order).
        quote_id = list(model.quotes)[-1] if pick < 0 else sorted(model.quotes)[pick % len(model.quotes)]
        quote = model.quotes[quote_id]
        used = sorted(model.keys)
        key = used[pick % len(used)] if used and reuse == 0 else f"k-{secrets.token_hex(6)}"
        allowed = frozenset(
            {
                "empty_cart",
                "out_of_stock",
                "insufficient_stock",
                "quote_stale",
                "quote_expired",
                "payment_declined",
                "insufficient_funds",
                "idempotency_conflict",
            }
        )
        answer = self.call(model, "place_order", allowed, quote_id=quote_id, idempotency_key=key)
        if key in model.keys:
            self.replayed(model, key, quote_id, answer)
            return
        if "error" in answer:
            assert answer["error"]["code"] != "idempotency_conflict"
            if quote_id in model.placed:
                assert answer["error"]["code"] == "quote_stale"
            return
        order = answer["ok"]
        assert quote["payment_method"] not in DECLINED, "a declined card placed an order"
        assert quote_id not in model.placed, "one quote became two orders"
        assert order["session_id"] == model.session_id
        same_purchase(order, quote)
        check_adds_up(order, "shipping", "tax")
        model.placed[quote_id] = order["order_id"]
        model.keys[key] = (quote_id, order["order_id"])
        model.orders[order["order_id"]] = order
        assert self.db_lines(model.session_id) == set()
        model.gone_lines |= model.lines
        model.lines = set()

    def replayed(self, model: SessionModel, key: str, quote_id: str, answer: dict[str, Any]) -> None:
        first_quote, first_order = model.keys[key]
        if quote_id == first_quote:
            assert "ok" in answer, answer
            assert answer["ok"]["order_id"] == first_order, "a repeated key placed a second order"
        else:
            assert answer["error"]["code"] == "idempotency_conflict"
            assert answer["error"]["details"]["order_id"] == first_order

    @rule(model=sessions, pick=st.integers(0, 50), reason=st.sampled_from(CANCEL_REASONS))
    def cancel_order(self, model: SessionModel, pick: int, reason: str) -> None:
        if not model.orders:
            return
        order_id = sorted(model.orders)[pick % len(model.orders)]
        order = self.call(model, "cancel_order", frozenset(), order_id=order_id, reason=reason)["ok"]
        assert order["status"] == "cancelled"
        assert order["total"] == model.orders[order_id]["total"]
        model.cancelled.add(order_id)

    @rule(model=sessions)
    def list_orders(self, model: SessionModel) -> None:
        listed = self.call(model, "list_orders", frozenset(), limit=50)["ok"]
        assert listed["session_id"] == model.session_id
        assert {o["order_id"] for o in listed["orders"]} == set(model.orders)
        for summary in listed["orders"]:
            expected = "cancelled" if summary["order_id"] in model.cancelled else "placed"
            assert summary["status"] == expected

    @rule(model=sessions, pick=st.integers(0, 50))
    def get_order(self, model: SessionModel, pick: int) -> None:
        if not model.orders:
            return
        order_id = sorted(model.orders)[pick % len(model.orders)]
        order = self.call(model, "get_order", frozenset(), order_id=order_id)["ok"]
        assert order["session_id"] == model.session_id
        assert order["order_id"] == order_id

    @rule(intruder=sessions, victim=sessions, pick=st.integers(0, 50))
    def trespass(self, intruder: SessionModel, victim: SessionModel, pick: int) -> None:
        """Another session's lines, quotes and orders, named in one's own session, are not found."""
        if intruder.session_id == victim.session_id:
            return
        if victim.lines:
            line = sorted(victim.lines)[pick % len(victim.lines)]
            self.call(intruder, "update_cart_item", NOT_FOUND, line_id=line, quantity=1)
            self.call(intruder, "remove_from_cart", NOT_FOUND, line_id=line)
        if victim.quotes:
            quote = sorted(victim.quotes)[pick % len(victim.quotes)]
            key = f"t-{secrets.token_hex(6)}"
            self.call(intruder, "place_order", NOT_FOUND, quote_id=quote, idempotency_key=key)
        if victim.orders:
            order = sorted(victim.orders)[pick % len(victim.orders)]
            self.call(intruder, "get_order", NOT_FOUND, order_id=order)
            self.call(intruder, "cancel_order", NOT_FOUND, order_id=order, reason="other")
        # The victim's session itself, from the other principal.
        if intruder.principal != victim.principal:
            outsider = SessionModel(principal=intruder.principal, session_id=victim.session_id)
            self.call(outsider, "view_cart", NOT_FOUND)
            self.call(outsider, "list_orders", NOT_FOUND)

    # --- invariants, from the database ------------------------------------------

    @invariant()
    def stock_is_conserved(self) -> None:
        with self.world.database.read() as tx:
            stock: dict[int, int] = {row[0]: row[1] for row in tx.execute(text("SELECT id, stock FROM offer"))}
            sold: dict[int, int] = {
                row[0]: int(row[1])
                for row in tx.execute(
                    text(
                        "SELECT l.offer_id, SUM(l.quantity) FROM order_line l JOIN customer_order o "
                        "ON o.id = l.order_id WHERE l.stock_decremented AND o.status <> 'cancelled' "
                        "GROUP BY l.offer_id"
                    )
                )
            }
        for offer_id, initial in self.world.offers.items():
            assert stock[offer_id] >= 0
            assert stock[offer_id] + sold.get(offer_id, 0) == initial, f"offer {offer_id}"
        assert stock[self.world.made_to_order] == 0, "a made-to-order offer's stock moved"

    @invariant()
    def orders_match_their_quotes(self) -> None:
        ids = list(self.models)
        if not ids:
            return
        with self.world.database.read() as tx:
            rows = tx.execute(
                text(
                    "SELECT o.id, o.session_id, o.total, o.subtotal, o.discount_total, o.shipping_total, "
                    "o.tax_total, o.status, q.total, q.session_id, q.order_id, "
                    "(SELECT SUM(l.total) FROM order_line l WHERE l.order_id = o.id), "
                    "(SELECT COUNT(*) FROM idempotency_record r WHERE r.order_id = o.id) "
                    "FROM customer_order o JOIN quote q ON q.id = o.quote_id "
                    "WHERE o.session_id IN (SELECT id FROM shopping_session WHERE principal IN (:a, :b))"
                ),
                {"a": self.world.principals[0], "b": self.world.principals[1]},
            ).all()
        by_session: dict[str, set[str]] = {}
        for row in rows:
            order_id, session_id, total, subtotal, discount, shipping, tax, status = row[:8]
            quote_total, quote_session, quote_order, lines_total, records = row[8:]
            assert (quote_total, quote_session, quote_order) == (total, session_id, order_id)
            assert subtotal - discount + shipping + tax == total
            assert lines_total is not None
            assert int(lines_total) <= total
            assert records == 1, "an order without exactly one idempotency record"
            model = self.models.get(session_id)
            if model is not None:  # else an earlier example's order, cancelled by `reset_stock`
                assert (status == "cancelled") == (order_id in model.cancelled)
            by_session.setdefault(session_id, set()).add(order_id)
        for model in self.models.values():
            assert by_session.get(model.session_id, set()) == set(model.orders)


def reset_stock(world: World) -> None:
    """Each example starts from the initial stock: orders of earlier examples are cancelled in SQL."""
    with world.database.write() as tx:
        for offer_id, stock in world.offers.items():
            tx.execute(text("UPDATE offer SET stock = :s WHERE id = :i"), {"s": stock, "i": offer_id})
        tx.execute(
            text(
                "UPDATE customer_order SET status = 'cancelled' WHERE status <> 'cancelled' AND session_id IN "
                "(SELECT id FROM shopping_session WHERE principal IN (:a, :b))"
            ),
            {"a": world.principals[0], "b": world.principals[1]},
        )


@pytest.fixture
def world(database: Database) -> Iterator[World]:
    tag = secrets.token_hex(3)
    principals = [f"alice-{tag}", f"bob-{tag}"]
    servers = [build_server(make_settings(database, principal=p), db=database) for p in principals]
    with sync_clients(*servers) as clients:
        yield build_world(database, clients, principals)


def test_random_shopping_keeps_stock_orders_and_sessions_consistent(world: World) -> None:
    machine = type("Machine", (ShoppingMachine,), {"world": world})
    run_state_machine_as_test(machine, settings=MACHINE_SETTINGS)
    calls = sum(world.tally.values())
    print(f"\nstate machine: {calls} calls: {sorted(world.tally.items())}")
    placed = world.tally["place_order: ok"]
    declined = world.tally["place_order: payment_declined"] + world.tally["place_order: insufficient_funds"]
    record(
        f"Random shopping sequences across sessions of 2 principals ({world.database.dialect})",
        tries=calls,
        outcome=f"{MACHINE_SETTINGS.max_examples} sequences of up to {MACHINE_SETTINGS.stateful_step_count} steps, "
        f"{placed} orders placed, {world.tally['cancel_order: ok']} cancelled, {declined} declined cards: "
        "stock conserved, orders equal their quotes, no session saw another's rows after any step",
    )
