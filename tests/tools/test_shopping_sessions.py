"""Sessions: minted ids, the default session, who the caller is on each transport, and the cart resources."""

import base64
import json
import secrets
from collections.abc import Callable, Iterator

import anyio
import pytest
from mcp import Client
from mcp.server import MCPServer
from mcp.server.auth.middleware.auth_context import auth_context_var
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from sqlalchemy import func
from sqlmodel import select

from shopmcp.app_context import AppContext, build_app_context
from shopmcp.callers import ANONYMOUS, caller_of, resolve_scope
from shopmcp.db import Database
from shopmcp.models.shopping_session import ShoppingSession
from tests.calls import ok
from tests.conftest import make_settings
from tests.tools.shopping import Shopper, Store, small_store

ServerFactory = Callable[..., MCPServer[AppContext]]


@pytest.fixture
def store(database: Database) -> Store:
    return small_store(database)


@pytest.fixture
def app(database: Database) -> AppContext:
    return build_app_context(make_settings(database, principal=f"local-{secrets.token_hex(3)}"), database)


@pytest.fixture
def token() -> Iterator[Callable[[AccessToken], None]]:
    """Set the verified bearer token of the current context, as the SDK's auth middleware does."""
    resets = []

    def set_token(access_token: AccessToken) -> None:
        resets.append(auth_context_var.set(AuthenticatedUser(access_token)))

    yield set_token
    for reset in reversed(resets):
        auth_context_var.reset(reset)


def _sessions_of(database: Database, principal: str) -> int:
    with database.read() as tx:
        count = select(func.count()).select_from(ShoppingSession).where(ShoppingSession.principal == principal)
        return tx.exec(count).one()


async def test_new_session_mints_unguessable_distinct_ids(client: Client) -> None:
    ids = [(await ok(client, "new_session"))["session_id"] for _ in range(20)]

    assert len(set(ids)) == len(ids)
    for session_id in ids:
        prefix, random_part = session_id.split("_", 1)
        assert prefix == "ses"
        assert len(base64.urlsafe_b64decode(random_part + "==")) * 8 >= 128


async def test_concurrent_first_calls_share_one_default_session(
    server_factory: ServerFactory, database: Database
) -> None:
    principal = f"fresh-{secrets.token_hex(4)}"
    seen: list[str] = []
    async with Client(server_factory(principal=principal)) as client:

        async def first_call() -> None:
            seen.append((await ok(client, "view_cart"))["session_id"])

        with anyio.fail_after(60):
            async with anyio.create_task_group() as group:
                for _ in range(12):
                    group.start_soon(first_call)

    assert len(seen) == 12
    assert len(set(seen)) == 1
    assert _sessions_of(database, principal) == 1


async def test_unknown_session_ids_are_not_found_and_create_nothing(client: Client, database: Database) -> None:
    error = (await client.call_tool("view_cart", {"session_id": "ses_made_up"})).structured_content

    assert error is not None
    assert error["error"]["code"] == "not_found"
    assert "new_session" in error["error"]["message"]
    refused = (await client.call_tool("view_cart", {"session_id": "x" * 65})).structured_content
    assert refused is not None
    assert refused["error"]["code"] == "invalid_arguments"


def test_the_caller_on_each_transport(token: Callable[[AccessToken], None]) -> None:
    local = caller_of(None, "local")
    anonymous_modern = caller_of({"host": "127.0.0.1"}, "local")
    anonymous_legacy = caller_of({"mcp-session-id": "abc123"}, "local")
    token(AccessToken(token="t", client_id="client-7", scopes=[], subject="user-42"))
    with_subject = caller_of({"mcp-session-id": "abc123"}, "local")
    token(AccessToken(token="t", client_id="client-7", scopes=[]))
    client_only = caller_of({}, "local")

    assert (local.principal, local.default_key) == ("local", "default")
    assert (anonymous_modern.principal, anonymous_modern.default_key) == (ANONYMOUS, None)
    assert (anonymous_legacy.principal, anonymous_legacy.default_key) == (ANONYMOUS, "transport:abc123")
    assert (with_subject.principal, with_subject.default_key) == ("user-42", "default")
    assert client_only.principal == "client-7"


def test_anonymous_callers_get_sessions_by_transport(app: AppContext, database: Database) -> None:
    transport = f"t-{secrets.token_hex(4)}"

    modern = {resolve_scope({}, app, None).session_id for _ in range(3)}
    legacy = {resolve_scope({"mcp-session-id": transport}, app, None).session_id for _ in range(3)}
    other_legacy = resolve_scope({"mcp-session-id": f"{transport}-2"}, app, None).session_id
    local = {resolve_scope(None, app, None).session_id for _ in range(2)}

    assert len(modern) == 3, "a 2026-07-28 anonymous client gets a new session per call without session_id"
    assert len(legacy) == 1, "a handshake-era client keeps the session of its transport session"
    assert other_legacy not in legacy
    assert len(local) == 1
    scopes = {resolve_scope({}, app, session_id).principal for session_id in modern | legacy}
    assert scopes == {ANONYMOUS}


async def test_the_cart_resources_match_view_cart(server_factory: ServerFactory, store: Store) -> None:
    async with Client(server_factory(principal=f"reader-{secrets.token_hex(3)}")) as client:
        await ok(client, "add_to_cart", {"product_id": store.cable.id, "quantity": 2})
        default_cart = await ok(client, "view_cart")
        shopper = await Shopper.start(client)
        await shopper.ok("add_to_cart", product_id=store.headphones.id)
        session_cart = await shopper.cart()

        default_resource = await client.read_resource("shop://cart")
        session_resource = await client.read_resource(f"shop://sessions/{shopper.session_id}/cart")

    assert json.loads(default_resource.contents[0].text) == default_cart  # type: ignore[union-attr]
    assert json.loads(session_resource.contents[0].text) == session_cart  # type: ignore[union-attr]
