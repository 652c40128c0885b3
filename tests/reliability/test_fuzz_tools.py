"""Schema-driven fuzzing of every tool through the real in-memory client.

Arguments come from each tool's published `inputSchema` (with real ids of
the caller's and of another principal's session mixed in) and, as often,
from the same arguments broken on purpose: wrong types, nulls, huge numbers,
NaN and infinity, 1 MB strings, NUL, escaped lone surrogates, bidi and
zero-width characters, SQL, FTS syntax, prompt-like text, nested JSON,
extra keys, missing required keys. The oracle, for every call:

- a success carries structured content valid under the tool's `outputSchema`;
- an error is either a business error (known code, never `internal_error`,
  a message without stack, SQL or paths) or a schema rejection
  (`invalid_arguments` naming the tool and each field), never anything else;
- another principal's session answers `not_found`, and no answer names an
  id of that session that the call did not name itself;
- afterwards the server still answers, the other principal's state is as it
  was, and the server log holds no traceback.

1,500 calls per backend in the default suite; `SHOPMCP_RELIABILITY_LONG=1`
makes it 10,000.
"""

import json
import secrets
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from mcp.types import CallToolResult, Tool
from pydantic_core import to_json

from shopmcp.db import Database
from shopmcp.server import build_server
from tests.conftest import make_settings
from tests.reliability.harness import LONG, SyncClient, assert_clean_error, error_of, ok, sync_clients, text_of
from tests.reliability.report import record
from tests.reliability.schema_strategies import broken, deep, from_schema
from tests.tools.shopping import US_ADDRESS, Store, make_coupon, new_key, small_store

FUZZ_CALLS = 10_000 if LONG else 1_500


@dataclass
class Target:
    """What the fuzzer aims at: tools with their schemas, and the ids worth trying."""

    tools: dict[str, Tool]
    validators: dict[str, Draft202012Validator]
    extras: dict[str, list[Any]]
    victim: dict[str, Any]
    """Ids of the other principal's session: its session id, quote, order and lines."""


def fill_session(client: SyncClient, store: Store, coupon: str) -> dict[str, Any]:
    """A session with an order, an open quote and a cart with a coupon; returns its ids."""
    session_id = ok(client, "new_session")["session_id"]
    ok(client, "add_to_cart", offer_id=store.offer_id(store.shirt, store.acme), session_id=session_id)
    quote = ok(client, "preview_checkout", shipping_address=US_ADDRESS, session_id=session_id)
    order = ok(client, "place_order", quote_id=quote["quote_id"], idempotency_key=new_key(), session_id=session_id)
    ok(client, "add_to_cart", product_id=store.cable.id, quantity=2, session_id=session_id)
    cart = ok(client, "apply_coupon", code=coupon, session_id=session_id)
    open_quote = ok(client, "preview_checkout", shipping_address=US_ADDRESS, session_id=session_id)
    return {
        "session_id": session_id,
        "line_ids": [line["line_id"] for line in cart["lines"]],
        "quote_id": open_quote["quote_id"],
        "order_id": order["order_id"],
    }


def victim_state(client: SyncClient, victim: dict[str, Any]) -> list[dict[str, Any]]:
    session = {"session_id": victim["session_id"]}
    return [
        ok(client, "view_cart", **session),
        ok(client, "list_orders", **session),
        ok(client, "get_order", order_id=victim["order_id"], **session),
    ]


def aim(client: SyncClient, store: Store, database: Database, own: dict[str, Any], victim: dict[str, Any]) -> Target:
    tools = {tool.name: tool for tool in client.portal.call(client.client.list_tools).tools}
    validators = {
        name: Draft202012Validator(tool.output_schema) for name, tool in tools.items() if tool.output_schema is not None
    }
    variant_ids = store.variant_ids(store.shirt) + store.variant_ids(store.headphones)
    product_ids = [p.id for p in (store.headphones, store.shirt, store.cable)]
    extras: dict[str, list[Any]] = {
        "product_id": product_ids,
        "product_ids": product_ids,
        "variant_id": variant_ids,
        "offer_id": [store.offer_id(store.headphones, store.acme), store.offer_id(store.cable, store.acme)],
        "line_id": own["line_ids"] + victim["line_ids"],
        "quote_id": [own["quote_id"], victim["quote_id"]],
        "order_id": [own["order_id"], victim["order_id"]],
        "session_id": [own["session_id"], own["session_id"], victim["session_id"]],
        "code": [make_coupon(database)],
        "idempotency_key": ["fuzz-key-1", "fuzz-key-2"],
        "shipping_address": [US_ADDRESS],
        "payment_method": ["test_card_visa", "test_card_declined"],
        "category": [store.electronics.slug, store.apparel.slug],
        "brand": ["Acme"],
        "query": ["headphones", "linen shirt", "usb"],
    }
    return Target(tools=tools, validators=validators, extras=extras, victim=victim)


def calls(target: Target) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """A tool and its arguments: valid under its schema half the time, broken on purpose the other half."""

    @st.composite
    def one(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
        name = draw(st.sampled_from(sorted(target.tools)))
        schema = target.tools[name].input_schema
        arguments = draw(from_schema(schema, schema.get("$defs", {}), target.extras))
        if draw(st.booleans()):
            arguments = draw(broken(arguments, schema))
        return name, arguments

    return one()


def check_answer(target: Target, tool: str, arguments: dict[str, Any], result: CallToolResult) -> str:
    """The oracle for one call (see the module docstring); returns a label of the outcome for the tally."""
    sent = json.dumps(arguments, default=str)
    answer = text_of(result) + json.dumps(result.structured_content or {}, default=str)
    for name in ("session_id", "quote_id", "order_id"):
        hidden = target.victim[name]
        assert hidden in sent or hidden not in answer, f"{tool} revealed another principal's {name}"
    assert not result.is_error or result.structured_content is not None, f"{tool}: unstructured error"
    # The text a model reads is the same object, compactly.
    assert json.loads(text_of(result)) == result.structured_content
    error = error_of(result)
    if error is not None:
        assert_clean_error(error)
        if error["code"] == "invalid_arguments":
            assert error["details"]["tool"] == tool
            assert all(field["field"] and field["problem"] for field in error["details"]["fields"])
            return "schema_rejection"
        if arguments.get("session_id") == target.victim["session_id"]:
            # An argument refused whatever the session (a NUL) says nothing about it either.
            assert error["code"] in ("not_found", "invalid_input"), f"{tool} in another principal's session: {error}"
        return str(error["code"])
    assert arguments.get("session_id") != target.victim["session_id"], f"{tool} acted in another principal's session"
    validator = target.validators.get(tool)
    assert validator is not None
    problems = [e.message for e in validator.iter_errors(result.structured_content)]
    assert not problems, f"{tool} answered outside its outputSchema: {problems[:3]}"
    return "ok"


@pytest.fixture
def fuzz_clients(database: Database) -> Any:
    tag = secrets.token_hex(3)
    servers = [build_server(make_settings(database, principal=f"{who}-{tag}"), db=database) for who in ("eve", "vic")]
    with sync_clients(*servers) as clients:
        yield clients


def test_every_tool_answers_generated_and_hostile_arguments_cleanly(
    database: Database, fuzz_clients: list[SyncClient], capfd: pytest.CaptureFixture[str]
) -> None:
    attacker, owner = fuzz_clients
    store = small_store(database)
    coupon = make_coupon(database)
    own = fill_session(attacker, store, coupon)
    victim = fill_session(owner, store, coupon)
    target = aim(attacker, store, database, own, victim)
    before = victim_state(owner, victim)
    tally: Counter[str] = Counter()

    @settings(
        max_examples=FUZZ_CALLS,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(call=calls(target))
    def fuzz(call: tuple[str, dict[str, Any]]) -> None:
        tool, arguments = call
        result = attacker.call(tool, arguments)
        tally[f"{tool}: {check_answer(target, tool, arguments, result)}"] += 1

    fuzz()

    total = sum(tally.values())
    succeeded = sum(n for k, n in tally.items() if k.endswith(": ok"))
    with capfd.disabled():
        print(f"\nfuzz: {total} calls, {succeeded} ok: {sorted(tally.items())}")
    assert total >= FUZZ_CALLS * 0.9, f"only {total} calls ran"
    assert len({key.split(":")[0] for key in tally}) == len(target.tools), "some tool was never called"
    assert victim_state(owner, victim) == before
    assert len(attacker.portal.call(attacker.client.list_tools).tools) == len(target.tools)
    ok(attacker, "search_products", query="headphones")
    assert "Traceback" not in capfd.readouterr().err
    rejected = sum(n for k, n in tally.items() if k.endswith(": schema_rejection"))
    record(
        f"Tool arguments from each inputSchema and deliberately outside it, all 17 tools ({database.dialect})",
        tries=total,
        outcome=f"{succeeded} results valid under the outputSchema, {rejected} schema rejections, "
        f"{total - succeeded - rejected} business errors; 0 internal errors, 0 leaks, server still serving",
    )


def test_arguments_nested_too_deep_to_send_leave_the_client_and_server_working(
    database: Database, fuzz_clients: list[SyncClient]
) -> None:
    client = fuzz_clients[0]
    with pytest.raises(ValueError, match="depth"):
        to_json(deep(1000))
    # The client refuses to serialize such a request (the transports' own limits are tested elsewhere);
    # one it can send is refused by the schema, and both leave the connection serving.
    with pytest.raises(ValueError, match="depth"):
        client.call("search_products", {"options": deep(1000)})
    error = error_of(client.call("search_products", {"options": deep(200)}))
    assert error is not None
    assert error["code"] == "invalid_arguments"
    assert ok(client, "list_categories")["categories"] is not None


@pytest.mark.parametrize(
    ("tool", "arguments", "argument"),
    [
        ("view_cart", {"session_id": "\x00"}, "session_id"),
        ("get_order", {"order_id": "ord_\x00"}, "order_id"),
        ("apply_coupon", {"code": "SAVE\x0010"}, "code"),
        ("list_orders", {"cursor": "\x00"}, "cursor"),
        ("preview_checkout", {"shipping_address": {**US_ADDRESS, "name": "Ada\x00"}}, "shipping_address"),
    ],
)
def test_a_nul_in_a_session_tool_argument_is_invalid_input(
    fuzz_clients: list[SyncClient], tool: str, arguments: dict[str, Any], argument: str
) -> None:
    error = error_of(fuzz_clients[0].call(tool, arguments))

    assert error is not None
    assert error["code"] == "invalid_input"
    assert error["details"] == {"argument": argument}
    assert_clean_error(error)
