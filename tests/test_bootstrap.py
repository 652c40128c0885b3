"""First start with default settings: `shopmcp serve` on stdio creates its database and fills it with the demo store."""

import os
import sys
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters

from shopmcp.services.ingest.generator import vocabulary

SHOPMCP = str(Path(sys.executable).parent / "shopmcp")
DEMO_PRODUCTS = 1_000
TIMEOUT_SECONDS = 120


async def test_a_fresh_data_directory_gets_the_demo_store_before_the_first_answer(tmp_path: Path) -> None:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SHOPMCP_")} | {
        "SHOPMCP_ENV": "development",
        "SHOPMCP_DATA_DIR": str(tmp_path / "data"),
        "SHOPMCP_DEMO_PRODUCTS": str(DEMO_PRODUCTS),
        "SHOPMCP_LOG_LEVEL": "WARNING",
    }
    server = StdioServerParameters(command=SHOPMCP, args=["serve"], env=environment)

    with anyio.fail_after(TIMEOUT_SECONDS):
        async with Client(server) as client:
            categories = await client.call_tool("list_categories", {})
            found = await client.call_tool("search_products", {"query": vocabulary.COMMON_TERM, "limit": 5})

    assert (tmp_path / "data" / "shopmcp.db").is_file()
    assert categories.structured_content is not None
    assert len(categories.structured_content["categories"]) >= 10
    active = categories.structured_content["total_products"]
    assert DEMO_PRODUCTS * 0.95 < active <= DEMO_PRODUCTS
    assert found.structured_content is not None
    assert active * 0.25 < found.structured_content["total_count"] < active * 0.45
    assert len(found.structured_content["items"]) == 5
