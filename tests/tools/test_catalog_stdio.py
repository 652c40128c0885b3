"""The catalog tools over stdio: `shopmcp serve` as a subprocess, driven by the SDK's stdio client.

A fresh data directory gets the demo store on first start (tests/test_bootstrap.py
checks that part); here an agent's whole read-side trip runs over the real
transport: search, narrow by a facet, read a product and its resource,
compare sellers, complete a category name.
"""

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult, ResourceTemplateReference, TextResourceContents

from shopmcp.services.ingest.generator import vocabulary

SHOPMCP = str(Path(sys.executable).parent / "shopmcp")
DEMO_PRODUCTS = 1_000
TIMEOUT_SECONDS = 120


def _content(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    content = result.structured_content
    assert isinstance(content, dict)
    return content


async def test_an_agent_finds_reads_and_compares_products_over_stdio(tmp_path: Path) -> None:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SHOPMCP_")} | {
        "SHOPMCP_ENV": "development",
        "SHOPMCP_DATA_DIR": str(tmp_path / "data"),
        "SHOPMCP_DEMO_PRODUCTS": str(DEMO_PRODUCTS),
        "SHOPMCP_LOG_LEVEL": "WARNING",
    }
    server = StdioServerParameters(command=SHOPMCP, args=["serve"], env=environment)

    with anyio.fail_after(TIMEOUT_SECONDS):
        async with Client(server) as client:
            found = _content(
                await client.call_tool("search_products", {"detail": "full", "query": vocabulary.COMMON_TERM})
            )
            category = found["facets"]["category"]["values"][0]
            narrowed = _content(
                await client.call_tool(
                    "search_products",
                    {
                        "detail": "full",
                        "query": vocabulary.COMMON_TERM,
                        "category": category["value"],
                        "sort": "price_asc",
                        "limit": 3,
                    },
                )
            )
            first, second = narrowed["items"][0]["id"], narrowed["items"][1]["id"]
            product = _content(await client.call_tool("get_product", {"detail": "full", "product_id": first}))
            resource = await client.read_resource(f"shop://products/{first}")
            compared = _content(
                await client.call_tool(
                    "compare_prices", {"detail": "full", "product_ids": [first, second], "quantity": 2}
                )
            )
            completion = await client.complete(
                ResourceTemplateReference(type="ref/resource", uri="shop://categories/{category}"),
                {"name": "category", "value": category["value"][:3]},
            )
            missing = await client.call_tool("get_product", {"detail": "full", "product_id": 2**31 - 1})

    assert found["total_count_exact"] is True
    assert DEMO_PRODUCTS * 0.25 < found["total_count"] < DEMO_PRODUCTS * 0.45
    assert narrowed["total_count"] == category["count"]
    prices = [item["price"]["min"]["amount"] for item in narrowed["items"]]
    assert prices == sorted(prices)
    assert product["id"] == first
    assert product["offers"]
    contents = resource.contents[0]
    assert isinstance(contents, TextResourceContents)
    assert json.loads(contents.text) == product
    assert [entry["product_id"] for entry in compared["products"]] == [first, second]
    assert all(entry["offers"] for entry in compared["products"])
    assert category["value"] in completion.completion.values
    assert missing.is_error
    assert missing.structured_content is not None
    assert missing.structured_content["error"]["code"] == "not_found"
