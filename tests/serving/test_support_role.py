"""The support role over HTTP: a token's scope grants it; a token without it reaches no other customer.

A real `shopmcp serve` process with `SHOPMCP_SUPPORT_ROLE=true`, static tokens and JWTs, over the shared
test database of each backend. A customer (a JWT principal of its own) orders in a session of its own and
saves an address there, which gives that account a customer_id. Its JSON log is read back for the audit.
"""

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shopmcp.auth.static_tokens import create_token
from shopmcp.db import Database
from tests.calls import ok
from tests.serving.conftest import ServerProcess, connect, make_server
from tests.serving.shopping import ADDRESS, check_out, error_of, fill_cart, stocked_product

SCOPE = "shop:support"
AGENT = "support-agent"
"""The principal of the support agent's static token, made before the server starts: a running server
re-reads its token file at most once a second, so a token written just after start may not be known yet."""


@pytest.fixture(scope="module")
def support_server(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = make_server(tmp_path_factory.mktemp("support"), database, support_role="true")
    tokens_file = Path(server.env["SHOPMCP_TOKENS_FILE"])
    server.tokens[AGENT] = create_token(tokens_file, principal=AGENT, audience=server.audience, scopes=[SCOPE]).token
    server.start()
    yield server
    server.stop()


async def _customer_with_an_order(server: ServerProcess, database: Database, name: str) -> dict[str, Any]:
    """A customer's token, its account (with a customer_id) and a placed order."""
    product = stocked_product(database)
    assert product.id is not None
    token = server.make_jwt(name)
    async with connect(server.mcp_url, token=token) as customer:
        session_id = await fill_cart(customer, product.id, 1)
        order = await check_out(customer, session_id)
        account = await ok(customer, "update_default_address", address=ADDRESS, session_id=session_id)
    return {"token": token, "account": account, "order": order}


def _tool_lines(server: ServerProcess, tool: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == "tool_call" and line.get("tool") == tool]


async def test_a_token_with_the_support_scope_acts_on_a_found_customers_order(
    support_server: ServerProcess, database: Database
) -> None:
    bob = await _customer_with_an_order(support_server, database, f"bob-{secrets.token_hex(3)}")
    customer_id, order_id = bob["account"]["customer_id"], bob["order"]["order_id"]
    agent, static_token = AGENT, support_server.tokens[AGENT]

    async with (
        connect(support_server.mcp_url, token=support_server.make_jwt(agent, scope=SCOPE)) as by_jwt,
        connect(support_server.mcp_url, token=static_token) as by_static_token,
        connect(support_server.mcp_url, token=bob["token"]) as customer,
    ):
        account = await ok(by_jwt, "get_account", customer_id=customer_id)
        cancelled = await ok(
            by_static_token, "cancel_order", order_id=order_id, reason="changed_mind", customer_id=customer_id
        )
        seen = await ok(customer, "get_order", order_id=order_id, session_id=bob["account"]["session_id"])

    assert account["order_ids"] == [order_id]
    assert cancelled["status"] == seen["status"] == "cancelled"
    [audit] = [line for line in _tool_lines(support_server, "cancel_order") if line.get("customer_id") == customer_id]
    assert (audit["principal"], audit["role"], audit["session_id"], audit["outcome"]) == (
        agent,
        "support",
        bob["account"]["session_id"],
        "ok",
    )
    assert ADDRESS["line1"] not in support_server.log()


async def test_a_token_without_the_scope_reaches_no_other_customer(
    support_server: ServerProcess, database: Database
) -> None:
    bob = await _customer_with_an_order(support_server, database, f"bob-{secrets.token_hex(3)}")
    customer_id, order_id = bob["account"]["customer_id"], bob["order"]["order_id"]

    async with (
        connect(support_server.mcp_url, token=support_server.tokens["alice"]) as alice,
        connect(support_server.mcp_url, token=support_server.make_jwt("mallory", scope="shop:read")) as mallory,
        connect(support_server.mcp_url, token=bob["token"]) as customer,
    ):
        listed = {tool.name for tool in (await alice.list_tools()).tools}
        find = await error_of(alice, "find_customer", email="bob@example.com")
        account = await error_of(alice, "get_account", customer_id=customer_id)
        unknown = await error_of(alice, "get_account", customer_id="cus_999999")
        cancel = await error_of(
            mallory, "cancel_order", order_id=order_id, reason="changed_mind", customer_id=customer_id
        )
        own = await ok(
            customer, "get_order", order_id=order_id, customer_id=customer_id, session_id=bob["account"]["session_id"]
        )

    assert "find_customer" in listed, "listed for the server; the role is checked per call"
    assert find["code"] == "forbidden"
    assert SCOPE in find["message"]
    assert account["code"] == unknown["code"] == cancel["code"] == "not_found"
    assert account["message"].replace(customer_id, "<id>") == unknown["message"].replace("cus_999999", "<id>")
    assert own["status"] == "placed", "the customer's own customer_id is theirs to pass"
