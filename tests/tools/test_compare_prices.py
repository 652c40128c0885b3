"""compare_prices through the in-memory client: landed cost, cheapest and fastest, stock, price history."""

from typing import Any

from mcp import Client

from shopmcp.db import Database
from shopmcp.models.catalog import Product
from tests.calls import ok
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec
from tests.tools.catalog_calls import fail, rejected


def build_kettles(database: Database) -> tuple[CatalogBuilder, Product, dict[str, int]]:
    """A kettle sold by three sellers whose ranking changes with the quantity."""
    build = CatalogBuilder(database)
    budget = build.seller("Budget", rating=3.8, standard=(800, 5, 8), express=(2000, 2, 3))
    freebie = build.seller("Freebie", rating=4.2, standard=(600, 3, 4), express=None, free_over=5000)
    rapid = build.seller("Rapid", rating=4.9, standard=(300, 2, 3), express=(900, 1, 1))
    kettle = build.product(
        "Kettle",
        attributes={"capacity": "1.7 l", "power": "2200 W"},
        variants=[
            VariantSpec(
                options={"color": "Steel"},
                offers=[
                    OfferSpec(seller=budget, price=2000, stock=5, history=[(25, 2400)]),
                    OfferSpec(seller=freebie, price=2600, stock=2, history=[(25, 2600)]),
                    OfferSpec(seller=rapid, price=2700, stock=50, handling_days=1, history=[(25, 2000)]),
                ],
            )
        ],
    )
    return build, kettle, {"budget": budget.id or 0, "freebie": freebie.id or 0, "rapid": rapid.id or 0}


def by_seller(product: dict[str, Any], sellers: dict[str, int]) -> dict[str, dict[str, Any]]:
    offers = product["offers"]
    assert isinstance(offers, list)
    names = {seller_id: name for name, seller_id in sellers.items()}
    return {names[offer["seller"]["id"]]: offer for offer in offers}


async def test_offers_rank_by_landed_cost_with_free_shipping_thresholds(client: Client, database: Database) -> None:
    _, kettle, sellers = build_kettles(database)

    one = await ok(client, "compare_prices", {"detail": "full", "product_ids": [kettle.id]})
    two = await ok(client, "compare_prices", {"detail": "full", "product_ids": [kettle.id], "quantity": 2})

    # One unit: 20.00 + 8.00 = 28.00; 26.00 + 6.00 = 32.00; 27.00 + 3.00 = 30.00.
    (product,) = one["products"]
    assert [offer["landed_cost"]["amount"] for offer in product["offers"]] == [2800, 3000, 3200]
    assert product["cheapest_offer_id"] == product["offers"][0]["offer_id"]
    offers = by_seller(product, sellers)
    assert offers["budget"]["cheapest_method"] == "standard"
    assert offers["rapid"]["fastest_delivery"]["max_days"] == 2  # one day handling + express
    assert product["fastest_offer_id"] == offers["rapid"]["offer_id"]
    # Two units: Freebie's 52.00 crosses its 50.00 threshold and ships free.
    (product,) = two["products"]
    landed = {name: offer["landed_cost"]["amount"] for name, offer in by_seller(product, sellers).items()}
    assert landed == {"budget": 4800, "freebie": 5200, "rapid": 5700}
    freebie = by_seller(product, sellers)["freebie"]
    assert freebie["shipping"][0]["cost"]["amount"] == 0
    assert freebie["subtotal"]["formatted"] == "$52.00"


async def test_offers_that_cannot_supply_the_quantity_are_flagged_and_ranked_last(
    client: Client, database: Database
) -> None:
    _, kettle, sellers = build_kettles(database)

    result = await ok(client, "compare_prices", {"detail": "full", "product_ids": [kettle.id], "quantity": 6})

    (product,) = result["products"]
    assert [offer["can_fulfill"] for offer in product["offers"]] == [True, False, False]
    offers = by_seller(product, sellers)
    assert product["offers"][0]["offer_id"] == offers["rapid"]["offer_id"]
    assert product["cheapest_offer_id"] == product["fastest_offer_id"] == offers["rapid"]["offer_id"]
    assert offers["budget"]["stock"] == 5

    none = await ok(client, "compare_prices", {"detail": "full", "product_ids": [kettle.id], "quantity": 51})
    assert none["products"][0]["cheapest_offer_id"] is None
    assert any("can supply 51" in message for message in none["messages"])


async def test_price_against_its_30_day_low_and_time_weighted_average(client: Client, database: Database) -> None:
    _, kettle, sellers = build_kettles(database)

    result = await ok(client, "compare_prices", {"detail": "full", "product_ids": [kettle.id]})

    offers = by_seller(result["products"][0], sellers)
    # Budget: 24.00 for 24 of the 30 days, then 20.00 for the last day: now at its low.
    budget = offers["budget"]["price_insight"]
    assert budget["low_30d"]["amount"] == 2000
    assert budget["verdict"] == "lowest_in_30_days"
    # Rapid: 20.00 for 24 days and 27.00 for 1 day: (2000*24 + 2700*1) / 25 = 2028.
    rapid = offers["rapid"]["price_insight"]
    assert rapid["average_30d"]["amount"] == 2028
    assert rapid["low_30d"]["amount"] == 2000
    assert rapid["verdict"] == "above_average"
    freebie = offers["freebie"]["price_insight"]
    assert freebie["average_30d"]["amount"] == freebie["current"]["amount"] == 2600


async def test_several_products_side_by_side(client: Client, database: Database) -> None:
    build, kettle, _ = build_kettles(database)
    seller = build.seller("Other")
    other = build.product(
        "Travel kettle",
        attributes={"capacity": "0.5 l", "foldable": True},
        variants=[VariantSpec(offers=[OfferSpec(seller=seller, price=1500)])],
    )

    result = await ok(client, "compare_prices", {"detail": "full", "product_ids": [other.id, kettle.id, other.id]})

    assert [product["product_id"] for product in result["products"]] == [other.id, kettle.id]
    rows = {row["name"]: row["values"] for row in result["attributes"]}
    assert rows["capacity"] == ["0.5 l", "1.7 l"]
    assert "power" not in rows
    assert "foldable" not in rows
    assert rows["lowest landed cost"] == ["$19.99", "$28.00"]
    assert rows["brand"] == [None, None]


async def test_ship_to_country_is_checked_and_echoed(client: Client, database: Database) -> None:
    _, kettle, _ = build_kettles(database)

    result = await ok(client, "compare_prices", {"detail": "full", "product_ids": [kettle.id], "ship_to_country": "de"})
    error = await fail(
        client, "compare_prices", {"detail": "full", "product_ids": [kettle.id], "ship_to_country": "XX"}
    )
    too_long = await rejected(client, "compare_prices", {"product_ids": [kettle.id], "ship_to_country": "USA"})

    assert result["ship_to_country"] == "DE"
    assert error["code"] == "invalid_input"
    assert "ISO 3166" in error["message"]
    assert "ship_to_country" in too_long


async def test_unknown_or_hidden_products_are_named_in_the_error(client: Client, database: Database) -> None:
    build, kettle, _ = build_kettles(database)
    seller = build.seller("Drafty")
    draft = build.product(
        "Draft kettle", status="draft", variants=[VariantSpec(offers=[OfferSpec(seller=seller, price=1)])]
    )

    error = await fail(client, "compare_prices", {"detail": "full", "product_ids": [kettle.id, draft.id, 2**31 - 1]})

    assert error["code"] == "not_found"
    assert error["details"]["missing"] == [draft.id, 2**31 - 1]
    assert "search_products" in error["message"]


async def test_bounds_on_ids_and_quantity(client: Client) -> None:
    cases: list[dict[str, Any]] = [
        {"product_ids": []},
        {"product_ids": list(range(1, 12))},
        {"product_ids": [0]},
        {"product_ids": [1], "quantity": 0},
        {"product_ids": [1], "quantity": 1000},
    ]
    for args in cases:
        await rejected(client, "compare_prices", args)
