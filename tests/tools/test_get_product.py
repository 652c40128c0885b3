"""get_product through the in-memory client: variants, every offer with shipping and delivery, the 30-day low."""

from datetime import UTC, datetime, timedelta

from mcp import Client

from shopmcp.db import Database
from tests.calls import ok
from tests.factories import CatalogBuilder, OfferSpec, VariantSpec
from tests.tools.catalog_calls import fail


async def test_a_product_in_full(client: Client, database: Database) -> None:
    build = CatalogBuilder(database)
    category = build.category("Apparel")
    brand = build.brand("Weave")
    cheap = build.seller("Cheap", rating=3.9, standard=(499, 3, 5), express=(1299, 1, 2), free_over=5000)
    quick = build.seller("Quick", rating=4.9, standard=(0, 2, 3), express=None)
    product = build.product(
        "Linen shirt",
        category=category,
        brand=brand,
        description="Breathable linen.",
        attributes={"material": "linen", "fit": "regular"},
        variants=[
            VariantSpec(
                options={"Color": "Sand", "Size": "M"},
                sku=f"LIN-SAND-M-{build.tag}",
                offers=[
                    OfferSpec(
                        seller=cheap,
                        price=2999,
                        stock=4,
                        compare_at_price=3999,
                        handling_days=1,
                        history=[(40, 2500), (20, 3500)],
                    ),
                    OfferSpec(seller=quick, price=3499, stock=0),
                ],
            ),
            VariantSpec(
                options={"Color": "Sand", "Size": "L"},
                offers=[OfferSpec(seller=quick, price=3299, stock=2, condition="refurbished")],
            ),
        ],
    )
    today = datetime.now(UTC).date()

    result = await ok(client, "get_product", {"detail": "full", "product_id": product.id})

    assert result["title"] == product.title
    assert result["description"] == "Breathable linen."
    assert result["brand"] == brand.name
    assert result["category"]["slug"] == category.slug
    assert result["attributes"] == {"material": "linen", "fit": "regular"}
    assert result["availability"] == "in_stock"
    assert result["options"] == {"Color": ["Sand"], "Size": ["M", "L"]}
    # The range is over offers in stock: the sold-out 34.99 does not count.
    assert result["price"]["min"]["formatted"] == "$29.99"
    assert result["price"]["max"]["formatted"] == "$32.99"

    medium, large = result["variants"]
    assert medium["sku"] == f"LIN-SAND-M-{build.tag}"
    assert medium["options"] == {"Color": "Sand", "Size": "M"}
    assert medium["available"] is True
    assert medium["lowest_price"]["amount"] == 2999
    assert large["lowest_price"]["amount"] == 3299

    offers = result["offers"]
    assert [offer["price"]["amount"] for offer in offers] == [2999, 3299, 3499]
    first = offers[0]
    assert first["seller"] == {"id": cheap.id, "name": cheap.name, "rating": 3.9, "rating_count": 100}
    assert first["compare_at_price"]["formatted"] == "$39.99"
    assert first["availability"] == "in_stock"
    assert first["stock"] == 4
    assert first["condition"] == "new"
    # 25.00 held until 20 days ago, so it is the low of the last 30 days.
    assert first["lowest_price_30d"]["amount"] == 2500
    standard, express = first["shipping"]
    assert standard["method"] == "standard"
    assert standard["cost"]["amount"] == 499
    assert standard["free_over"]["amount"] == 5000
    assert standard["delivery"] == {
        "min_days": 4,
        "max_days": 6,
        "earliest": (today + timedelta(days=4)).isoformat(),
        "latest": (today + timedelta(days=6)).isoformat(),
    }
    assert express["cost"]["amount"] == 1299
    assert offers[1]["condition"] == "refurbished"
    assert offers[2]["availability"] == "out_of_stock"
    assert [option["method"] for option in offers[2]["shipping"]] == ["standard"]
    assert offers[2]["shipping"][0]["cost"]["amount"] == 0
    assert result["lowest_price_30d"]["amount"] == 2500


async def test_made_to_order_offers_have_no_stock_limit(client: Client, database: Database) -> None:
    from sqlmodel import select

    from shopmcp.models.catalog import Offer
    from shopmcp.services.catalog.aggregates import refresh_products

    build = CatalogBuilder(database)
    seller = build.seller("Maker")
    product = build.product(
        "Custom mug", variants=[VariantSpec(offers=[OfferSpec(seller=seller, price=1500, stock=0)])]
    )
    with database.write() as tx:
        offer = tx.exec(select(Offer).where(Offer.product_id == product.id)).one()
        offer.track_inventory = False
        tx.flush()
        refresh_products(tx, [product.id])  # type: ignore[list-item]

    result = await ok(client, "get_product", {"detail": "full", "product_id": product.id})

    (offer_detail,) = result["offers"]
    assert offer_detail["availability"] == "made_to_order"
    assert offer_detail["stock"] is None
    assert result["availability"] == "in_stock"
    assert result["variants"][0]["available"] is True


async def test_inactive_offers_are_not_shown(client: Client, database: Database) -> None:
    build = CatalogBuilder(database)
    seller, gone = build.seller("Stays"), build.seller("Gone")
    product = build.product(
        "Desk lamp",
        variants=[
            VariantSpec(offers=[OfferSpec(seller=seller, price=2000), OfferSpec(seller=gone, price=10, active=False)])
        ],
    )

    result = await ok(client, "get_product", {"detail": "full", "product_id": product.id})

    assert [offer["seller"]["name"] for offer in result["offers"]] == [seller.name]


async def test_draft_archived_and_unknown_products_are_not_found(client: Client, database: Database) -> None:
    build = CatalogBuilder(database)
    seller = build.seller("Hidden")
    offers = [VariantSpec(offers=[OfferSpec(seller=seller, price=100)])]
    draft = build.product("Draft", variants=offers, status="draft")
    archived = build.product("Archived", variants=offers, status="archived")

    for product_id in (draft.id, archived.id, 2**31 - 1):
        error = await fail(client, "get_product", {"detail": "full", "product_id": product_id})
        assert error["code"] == "not_found"
        assert "search_products" in error["message"]
        assert error["resolution"] == "recoverable"
