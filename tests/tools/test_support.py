"""The support role through the MCP client: find_customer, and the account and order tools acting for a customer.

A tau2-bench retail store (its users are customers with emails, names and addresses), imported once per
backend. The support principal is the in-memory caller of a server with `support_role=True`; a customer is
the in-memory caller of a server without it, as the tau2 user that owns the account. Tokens with and
without the support scope over HTTP: tests/serving/test_support_role.py.
"""

from collections.abc import Iterator
from typing import Any, Literal

import pytest
import structlog
from mcp import Client
from mcp.client.context import ClientRequestContext
from mcp.types import ElicitRequestParams, ElicitResult, ErrorData

from shopmcp.db import Database
from shopmcp.server import build_server
from tests.calls import ok
from tests.conftest import BACKENDS, make_settings
from tests.tau2_data import imported_store
from tests.tools.shopping import fail

ACCOUNT_TOOLS = {
    "get_account",
    "update_default_address",
    "get_order",
    "list_orders",
    "cancel_order",
    "modify_order_items",
    "update_order_address",
    "update_order_payment",
    "request_return",
    "request_exchange",
}
SUPPORT = "support-agent-7"
# tau2 users no other test of this module changes, except where a test says so.
NOAH = {"id": "noah_brown_6181", "email": "noah.brown7922@example.com", "zip": "80279", "order": "#W7678072"}
YUSUF = {"id": "yusuf_rossi_9620", "pending": "#W6247578"}
MEI_ORDER = "#W7800651"
NEW_ADDRESS = {
    "name": "Noah Brown",
    "line1": "1 Elm St",
    "city": "Denver",
    "region": "CO",
    "postal_code": "80202",
    "country": "US",
}


@pytest.fixture(scope="module", params=BACKENDS)
def tau2_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    yield from imported_store(request.param, tmp_path_factory)


def _support(db: Database, **kwargs: Any) -> Client:
    return Client(build_server(make_settings(db, principal=SUPPORT, support_role=True), db=db), **kwargs)


def _customer(db: Database, user_id: str) -> Client:
    return Client(build_server(make_settings(db, principal=user_id), db=db))


async def test_the_support_role_is_off_by_default(tau2_store: Database) -> None:
    async with _customer(tau2_store, NOAH["id"]) as noah:
        tools = {tool.name: tool for tool in (await noah.list_tools()).tools}
        instructions = noah.instructions

    assert "find_customer" not in tools
    assert not [name for name, tool in tools.items() if "customer_id" in tool.input_schema.get("properties", {})]
    assert "find_customer" not in (instructions or "")


async def test_a_plain_customer_reaches_no_other_customer_through_customer_id(tau2_store: Database) -> None:
    async with _customer(tau2_store, NOAH["id"]) as noah:
        other = await fail(noah, "get_account", {"customer_id": YUSUF["id"]})
        unknown = await fail(noah, "get_account", {"customer_id": "nobody_0000"})
        other_order = await fail(
            noah,
            "cancel_order",
            {"order_id": YUSUF["pending"], "reason": "no_longer_needed", "customer_id": YUSUF["id"]},
        )
        address_change = await fail(
            noah, "update_default_address", {"address": NEW_ADDRESS, "customer_id": YUSUF["id"]}
        )
        own = await ok(noah, "get_order", order_id=NOAH["order"], customer_id=NOAH["id"])

    assert other["code"] == unknown["code"] == other_order["code"] == address_change["code"] == "not_found"
    assert other["message"].replace(YUSUF["id"], "<id>") == unknown["message"].replace("nobody_0000", "<id>")
    assert own["order_id"] == NOAH["order"], "their own customer_id is theirs to pass"


async def test_the_role_adds_find_customer_and_customer_id_to_the_account_and_order_tools_only(
    tau2_store: Database,
) -> None:
    async with _support(tau2_store) as support:
        tools = {tool.name: tool for tool in (await support.list_tools()).tools}
        instructions = support.instructions

    with_customer = {name for name, tool in tools.items() if "customer_id" in tool.input_schema.get("properties", {})}
    assert with_customer == ACCOUNT_TOOLS
    assert tools["find_customer"].annotations is not None
    assert tools["find_customer"].annotations.read_only_hint is True
    assert "find_customer" in (instructions or "")


async def test_find_customer_by_email_in_any_case(tau2_store: Database) -> None:
    async with _support(tau2_store) as support:
        found = await ok(support, "find_customer", email=NOAH["email"].upper())

    assert found == {"customers": [{"customer_id": NOAH["id"], "first_name": "Noah", "last_name": "Brown"}]}


async def test_find_customer_by_name_and_postal_code_of_the_default_address(tau2_store: Database) -> None:
    async with _support(tau2_store) as support:
        found = await ok(support, "find_customer", first_name="noah", last_name="BROWN", postal_code=f" {NOAH['zip']}")

    assert [match["customer_id"] for match in found["customers"]] == [NOAH["id"]]


async def test_a_customer_no_one_matches_is_not_found_with_a_hint(tau2_store: Database) -> None:
    async with _support(tau2_store) as support:
        by_email = await fail(support, "find_customer", {"email": "nobody@example.com"})
        by_name = await fail(
            support, "find_customer", {"first_name": "Noah", "last_name": "Brown", "postal_code": "00000"}
        )

    assert by_email["code"] == by_name["code"] == "not_found"
    assert "first_name, last_name and postal_code" in by_email["message"]
    assert "default address" in by_name["message"]
    assert "nobody@example.com" not in str(by_email)


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"email": "noah.brown7922@example.com", "first_name": "Noah"},
        {"first_name": "Noah", "last_name": "Brown"},
        {"email": "   "},
    ],
    ids=["nothing", "email-and-name", "no-postal-code", "blank-email"],
)
async def test_find_customer_takes_an_email_or_a_name_with_a_postal_code(
    tau2_store: Database, arguments: dict[str, str]
) -> None:
    async with _support(tau2_store) as support:
        error = await fail(support, "find_customer", arguments)

    assert error["code"] == "invalid_arguments"
    assert [field["field"] for field in error["details"]["fields"]] == ["email", "first_name, last_name, postal_code"]


async def test_text_with_a_nul_character_is_refused_before_any_query(tau2_store: Database) -> None:
    async with _support(tau2_store) as support:
        by_email = await fail(support, "find_customer", {"email": "noah\x00@example.com"})
        by_id = await fail(support, "get_account", {"customer_id": "noah\x00"})

    assert by_email["code"] == by_id["code"] == "invalid_input"


async def test_support_reads_a_found_customers_account_and_orders(tau2_store: Database) -> None:
    async with _support(tau2_store) as support:
        own = await ok(support, "get_account")
        account = await ok(support, "get_account", customer_id=NOAH["id"])
        listed = await ok(support, "list_orders", customer_id=NOAH["id"])
        order = await ok(support, "get_order", order_id=NOAH["order"], customer_id=NOAH["id"])

    assert own["customer_id"] is None, "without customer_id, support's own (empty) account"
    assert (account["customer_id"], account["email"], account["order_ids"]) == (
        NOAH["id"],
        NOAH["email"],
        [NOAH["order"]],
    )
    assert [summary["order_id"] for summary in listed["orders"]] == [NOAH["order"]]
    assert order["order_id"] == NOAH["order"]


async def test_support_cancels_another_customers_order_and_the_customer_sees_it(tau2_store: Database) -> None:
    order_id = YUSUF["pending"]
    async with _support(tau2_store) as support:
        cancelled = await ok(
            support, "cancel_order", order_id=order_id, reason="no_longer_needed", customer_id=YUSUF["id"]
        )
    async with _customer(tau2_store, YUSUF["id"]) as yusuf:
        seen = await ok(yusuf, "get_order", order_id=order_id)

    assert cancelled["status"] == seen["status"] == "cancelled"


class Person:
    """Answers the confirmation question yes, and remembers it."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def __call__(self, context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult | ErrorData:
        self.asked.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})


@pytest.mark.parametrize(
    ("mode", "user_id", "order_id"),
    [("legacy", "omar_silva_7446", "#W9728773"), ("auto", "emma_brown_8847", "#W6460787")],
)
async def test_a_change_for_a_customer_asks_the_person_about_that_customers_order(
    tau2_store: Database, mode: Literal["legacy", "auto"], user_id: str, order_id: str
) -> None:
    person = Person()
    async with _support(tau2_store, mode=mode, elicitation_callback=person) as support:
        account = await ok(support, "get_account", customer_id=user_id)
        order = await ok(support, "get_order", order_id=order_id, customer_id=user_id, detail="full")
        paid_with = order["payment_history"][0]["payment_method"]
        other = next(
            m for m in account["payment_methods"] if m["payment_method_id"] != paid_with and m["kind"] != "gift_card"
        )
        changed = await ok(
            support,
            "update_order_payment",
            order_id=order_id,
            payment_method_id=other["payment_method_id"],
            customer_id=user_id,
        )

    assert ("payment", other["payment_method_id"]) in [
        (p["kind"], p["payment_method"]) for p in changed["payment_history"]
    ]
    assert len(person.asked) == 1
    assert order_id in person.asked[0]


async def test_an_order_of_another_customer_is_not_found_through_customer_id(tau2_store: Database) -> None:
    async with _support(tau2_store) as support:
        foreign = await fail(support, "get_order", {"order_id": MEI_ORDER, "customer_id": NOAH["id"]})
        missing = await fail(support, "get_order", {"order_id": "#W0000000", "customer_id": NOAH["id"]})
        cancel = await fail(
            support,
            "cancel_order",
            {"order_id": MEI_ORDER, "reason": "no_longer_needed", "customer_id": NOAH["id"]},
        )

    assert foreign["code"] == missing["code"] == cancel["code"] == "not_found"
    assert foreign["message"].replace(MEI_ORDER, "<id>") == missing["message"].replace("#W0000000", "<id>")


async def test_an_unknown_customer_id_is_not_found(tau2_store: Database) -> None:
    async with _support(tau2_store) as support:
        unknown = await fail(support, "get_account", {"customer_id": "nobody_0000"})
        local_style = await fail(support, "list_orders", {"customer_id": "cus_999999"})
        other_session = await fail(
            support, "get_account", {"customer_id": NOAH["id"], "session_id": "ses_not_noahs_home"}
        )

    assert unknown["code"] == local_style["code"] == other_session["code"] == "not_found"
    assert unknown["details"] == {"kind": "customer", "id": "nobody_0000"}
    assert "find_customer" in unknown["message"]
    assert other_session["details"]["kind"] == "shopping session"


async def test_each_support_call_is_logged_with_the_actor_and_the_customer_never_an_email(
    tau2_store: Database,
) -> None:
    with structlog.testing.capture_logs() as lines:
        async with _support(tau2_store) as support:
            await ok(support, "find_customer", email=NOAH["email"])
            await ok(support, "get_order", order_id=NOAH["order"], customer_id=NOAH["id"])
            await fail(support, "get_account", {"customer_id": "nobody_0000"})
            await ok(support, "get_account")

    calls = [line for line in lines if line["event"] == "tool_call"]
    assert [(c["tool"], c["principal"], c.get("role"), c.get("customer_id"), c["outcome"]) for c in calls] == [
        ("find_customer", SUPPORT, "support", NOAH["id"], "ok"),
        ("get_order", SUPPORT, "support", NOAH["id"], "ok"),
        ("get_account", SUPPORT, "support", "nobody_0000", "error"),
        ("get_account", SUPPORT, None, None, "ok"),
    ]
    assert NOAH["email"] not in str(lines)
