"""`shopmcp demo`: a scripted agent (no LLM) that shops for one task over the real MCP client, then grades it.

It starts `shopmcp serve` as a stdio subprocess with the same settings (so
the same database as a plain `shopmcp serve`), opens a new session, and works
from the task's conditions: search the category with the option filters and a
price bound, read each candidate with get_product, pick a variant and the
cheapest offer that fits (stock, express shipping when asked), add it to the
cart, apply the coupon, preview checkout with a sample address of the right
country, place the order (and cancel it when the task says so). Every call is
printed with a short view of its result, then the grade of the session's
final state, read through the `shop://sessions/{id}/state` resource.
"""

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.session import ClientRequestContext
from mcp.types import ElicitRequestParams, ElicitResult, ErrorData, TextResourceContents

from shopmcp.services.harness.tasks import (
    CouponUsed,
    Grade,
    OrderCancelled,
    OrderLineMatch,
    OrderTotal,
    ShippingMethodUsed,
    ShipToCountry,
    ShoppingTask,
    grade,
)

Print = Callable[[str], None]

SAMPLE_ADDRESSES: dict[str, dict[str, str]] = {
    "US": {
        "name": "Alex Doe",
        "line1": "1 Market St",
        "city": "San Francisco",
        "region": "CA",
        "postal_code": "94105",
        "country": "US",
    },
    "CA": {
        "name": "Sam Doe",
        "line1": "100 Queen St W",
        "city": "Toronto",
        "region": "ON",
        "postal_code": "M5H 2N2",
        "country": "CA",
    },
}
CANDIDATES = 5
TIMEOUT_SECONDS = 300


@dataclass
class Plan:
    """What the task's conditions ask for, as the agent reads them."""

    category: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    quantity: int = 1
    max_total: int | None = None
    min_total: int | None = None
    max_unit_price: int | None = None
    coupon: str | None = None
    method: str = "standard"
    country: str = "US"
    cancel: bool = False


def plan_for(task: ShoppingTask) -> Plan:
    plan = Plan()
    for condition in task.conditions:
        if isinstance(condition, OrderLineMatch):
            plan.category = condition.category or plan.category
            plan.options.update(condition.options)
            plan.quantity = max(plan.quantity, condition.min_quantity)
            if condition.max_unit_price is not None:
                plan.max_unit_price = condition.max_unit_price.amount
        elif isinstance(condition, OrderTotal):
            plan.max_total = condition.max.amount if condition.max else plan.max_total
            plan.min_total = condition.min.amount if condition.min else plan.min_total
        elif isinstance(condition, CouponUsed):
            plan.coupon = condition.code
        elif isinstance(condition, ShippingMethodUsed):
            plan.method = condition.method
        elif isinstance(condition, ShipToCountry):
            plan.country = condition.country.upper()
        elif isinstance(condition, OrderCancelled):
            plan.cancel = True
    return plan


class CallFailedError(Exception):
    def __init__(self, name: str, error: dict[str, Any]) -> None:
        super().__init__(f"{name}: {error.get('code')}")
        self.error = error


class ScriptedAgent:
    """Shops for a task through an MCP client; see the module docstring."""

    def __init__(self, client: Client, out: Print) -> None:
        self.client = client
        self.out = out

    async def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        self.out(f"-> {name} {json.dumps(arguments, ensure_ascii=False)}")
        result = await self.client.call_tool(name, arguments)
        content = result.structured_content or {}
        if result.is_error:
            error = content.get("error", {"code": "error", "message": str(result.content)})
            self.out(f"   <- error {error.get('code')}: {error.get('message')}")
            raise CallFailedError(name, error)
        self.out(f"   <- {summarize(name, content)}")
        return content

    async def shop(self, task: ShoppingTask) -> str:
        """Do the task in a new session; returns the session id."""
        self.out(f"Task {task.id}: {task.instruction}")
        session_id = str((await self.call("new_session", {}))["session_id"])
        plan = plan_for(task)
        for product_id in await self._candidates(plan):
            if await self._try_product(plan, session_id, product_id, task.id):
                break
        else:
            self.out("No candidate worked out; the grade shows what is missing.")
        return session_id

    async def _candidates(self, plan: Plan) -> list[int]:
        arguments: dict[str, Any] = {"in_stock": True, "sort": "price_asc", "limit": CANDIDATES}
        if plan.category:
            arguments["category"] = plan.category
        if plan.options:
            arguments["options"] = plan.options
        ceiling = [plan.max_unit_price] if plan.max_unit_price else []
        if plan.max_total:  # leave room for shipping and tax
            ceiling.append(plan.max_total * 3 // (4 * plan.quantity))
        if ceiling:
            arguments["max_price"] = str(Decimal(min(ceiling)) / 100)
        if plan.min_total:  # a coupon's minimum applies to the subtotal, before the discount
            arguments["min_price"] = str(Decimal(plan.min_total + 1000) / 100)
        found = await self.call("search_products", arguments)
        return [int(item["id"]) for item in found["items"]]

    async def _try_product(self, plan: Plan, session_id: str, product_id: int, task_id: str) -> bool:
        # A concise product lists the variants in stock and the cheapest offers by standard shipping:
        # another method is a reason to ask for every offer with each method (detail="full").
        arguments: dict[str, Any] = {"product_id": product_id}
        if plan.method != "standard":
            arguments["detail"] = "full"
        detail = await self.call("get_product", arguments)
        pick = choose_offer(detail, plan)
        if pick is None:
            self.out("   (no variant and offer of this product fits; next candidate)")
            return False
        try:
            await self.call("add_to_cart", {**pick, "quantity": plan.quantity, "session_id": session_id})
            if plan.coupon:
                await self.call("apply_coupon", {"code": plan.coupon, "session_id": session_id})
            quote = await self.call(
                "preview_checkout",
                {
                    "session_id": session_id,
                    "shipping_address": SAMPLE_ADDRESSES.get(plan.country, SAMPLE_ADDRESSES["US"]),
                    "shipping_method": plan.method,
                    "payment_method": "test_card_visa",
                },
            )
            total = int(quote["total"]["amount"])
            if (plan.max_total and total > plan.max_total) or (plan.min_total and total < plan.min_total):
                raise CallFailedError("preview_checkout", {"code": "total_out_of_bounds"})
            order = await self.call(
                "place_order",
                {"quote_id": quote["quote_id"], "idempotency_key": f"demo-{task_id}", "session_id": session_id},
            )
        except CallFailedError:
            await self.call("clear_cart", {"session_id": session_id})
            return False
        if plan.cancel:
            arguments = {"order_id": order["order_id"], "reason": "changed_mind", "session_id": session_id}
            await self.call("cancel_order", arguments)
        return True


def choose_offer(detail: dict[str, Any], plan: Plan) -> dict[str, int] | None:
    """What add_to_cart should take: the cheapest listed offer of a variant with the plan's options, enough
    stock and the plan's shipping method; else, by standard shipping, the variant itself (the store picks
    its cheapest offer in stock)."""
    variants = [variant["id"] for variant in detail["variants"] if _has_options(variant, detail["options"], plan)]
    fitting = [
        offer
        for offer in detail["offers"]
        if offer["variant_id"] in variants
        and (offer["stock"] is None or offer["stock"] >= plan.quantity)
        and any(option["method"] == plan.method for option in offer["shipping"])
        and (plan.max_unit_price is None or offer["price"]["amount"] <= plan.max_unit_price)
    ]
    if fitting:
        return {"offer_id": int(min(fitting, key=lambda offer: (offer["price"]["amount"], offer["id"]))["id"])}
    if variants and plan.method == "standard" and len(detail["offers"]) < detail.get("offer_count", 0):
        return {"variant_id": int(variants[0])}
    return None


def _has_options(variant: dict[str, Any], names: dict[str, list[str]], plan: Plan) -> bool:
    """Whether a variant has the plan's option values: by its options (full) or its title, the values in order."""
    options = variant.get("options")
    if options is None:
        options = dict(zip(names, str(variant["title"]).split(" / "), strict=False))
    folded = {str(name).casefold(): str(value).casefold() for name, value in options.items()}
    return all(folded.get(name.casefold()) == value.casefold() for name, value in plan.options.items())


def summarize(name: str, content: dict[str, Any]) -> str:
    """A one-line view of a tool result."""
    if name == "new_session":
        return f"session {content['session_id']}"
    if name == "search_products":
        items = ", ".join(
            f"#{item['id']} {item['title']} ({item['price']['min']['formatted']})" for item in content["items"][:3]
        )
        return f"{content['total_count']} found; first: {items or 'none'}"
    if name == "get_product":
        return f"{content['title']}: {len(content['variants'])} variant(s), {content['offer_count']} offer(s)"
    if name in ("add_to_cart", "apply_coupon", "clear_cart"):
        coupon = content.get("coupon") or {}
        discount = f", coupon {coupon.get('code')} -{content['discount']['formatted']}" if coupon else ""
        return f"cart: {content['item_count']} item(s), total {content['total']['formatted']}{discount}"
    if name == "preview_checkout":
        return (
            f"quote {content['quote_id']}: {content['total']['formatted']} "
            f"(shipping {content['shipping']['formatted']}, tax {content['tax']['formatted']})"
        )
    if name in ("place_order", "cancel_order"):
        return f"order {content['order_id']} {content['status']}, total {content['total']['formatted']}"
    return json.dumps(content)[:120]


def server_parameters() -> StdioServerParameters:
    """`shopmcp serve` over stdio with this process's environment (the same settings and database).

    The server's log lines (stderr) would interleave with the demo's output, so
    it logs warnings only unless `SHOPMCP_LOG_LEVEL` says otherwise.
    """
    environment = {"SHOPMCP_LOG_LEVEL": "WARNING"} | dict(os.environ)
    return StdioServerParameters(command=sys.executable, args=["-m", "shopmcp", "serve"], env=environment)


def confirming_person(out: Print) -> Callable[..., Any]:
    """An elicitation callback standing in for the person: shows the server's question and confirms."""

    async def answer(_context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult | ErrorData:
        out(f"   ?? {params.message} -> yes")
        return ElicitResult(action="accept", content={"confirm": True})

    return answer


async def run_demo(task: ShoppingTask, out: Print, params: StdioServerParameters | None = None) -> Grade:
    """Shop for `task` through a `shopmcp serve` subprocess and grade the session it used."""
    with anyio.fail_after(TIMEOUT_SECONDS):
        async with Client(params or server_parameters(), elicitation_callback=confirming_person(out)) as client:
            agent = ScriptedAgent(client, out)
            session_id = await agent.shop(task)
            resource = await client.read_resource(f"shop://sessions/{session_id}/state")
    contents = resource.contents[0]
    assert isinstance(contents, TextResourceContents)
    return grade(task, json.loads(contents.text))
