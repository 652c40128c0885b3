"""The shopping_assistant prompt."""

from mcp import Client


async def test_the_prompt_teaches_the_checkout_steps_and_carries_the_request(client: Client) -> None:
    listed = {prompt.name: prompt for prompt in (await client.list_prompts()).prompts}
    plain = await client.get_prompt("shopping_assistant", {})
    with_request = await client.get_prompt("shopping_assistant", {"request": "a rain jacket under $100"})

    assert "shopping_assistant" in listed
    guide = plain.messages[0].content.text  # type: ignore[union-attr]
    for step in ("search_products", "compare_prices", "preview_checkout", "place_order", "idempotency_key"):
        assert step in guide
    assert "explicit yes" in guide
    assert with_request.messages[0].content.text.endswith("a rain jacket under $100")  # type: ignore[union-attr]
