"""Importing products: Shopify's CSV template, the JSON Lines format, re-imports, bad rows and hostile files."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mcp import Client
from sqlmodel import col, select

from shopmcp.db import Database
from shopmcp.models.catalog import Brand, Category, Offer, PriceHistory, Product, Seller, ShippingRate, Variant
from shopmcp.server import build_server
from shopmcp.services.catalog.refs import STORE_SELLER
from shopmcp.services.ingest.importers import ImportFormatError, ImportReport, import_catalog
from shopmcp.services.ingest.importers.export import export_records
from shopmcp.services.ingest.importers.html_text import html_to_text
from shopmcp.services.ingest.importers.records import parse_amount, to_minor_units
from shopmcp.services.ingest.importers.source import read_lines
from tests.conftest import make_settings
from tests.services.catalog_db import NewDatabase, dump_catalog, scalar

TEMPLATE = Path(__file__).resolve().parents[2] / "data" / "shopify_product_template.csv"
"""Shopify's own product CSV template, as downloaded from Shopify's help center."""
HEADER = next(csv.reader(TEMPLATE.read_text(encoding="utf-8").splitlines()))


def run_import(db: Database, content: str | bytes, file_format: str = "shopify-csv", **options: Any) -> ImportReport:
    data = content.encode() if isinstance(content, str) else content
    return import_catalog(db, io.BytesIO(data), format=file_format, source="test", **options)  # type: ignore[arg-type]


def csv_text(*rows: dict[str, str], header: list[str] = HEADER) -> str:
    """A Shopify CSV with the template's header and `rows` given by column name."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue()


def product_row(handle: str, **columns: str) -> dict[str, str]:
    base = {
        "Handle": handle,
        "Title": f"Product {handle}",
        "Vendor": "Testco",
        "Option1 Name": "Size",
        "Option1 Value": "M",
        "Variant SKU": f"SKU-{handle}-M",
        "Variant Price": "10.00",
        "Variant Inventory Tracker": "shopify",
        "Variant Inventory Qty": "5",
        "Status": "active",
    }
    return base | columns


def variant_row(handle: str, size: str, **columns: str) -> dict[str, str]:
    return {
        "Handle": handle,
        "Option1 Value": size,
        "Variant SKU": f"SKU-{handle}-{size}",
        "Variant Price": "10.00",
        "Variant Inventory Tracker": "shopify",
        "Variant Inventory Qty": "5",
    } | columns


def products_by_handle(db: Database) -> dict[str, Product]:
    with db.read() as tx:
        return {product.handle: product for product in tx.exec(select(Product)).all()}


def offers_of(db: Database, handle: str) -> dict[str, Offer]:
    """The product's offers by variant SKU."""
    with db.read() as tx:
        rows = tx.exec(
            select(Variant.sku, Offer)
            .join(Offer, col(Offer.variant_id) == col(Variant.id))
            .join(Product, col(Product.id) == col(Variant.product_id))
            .where(Product.handle == handle)
        ).all()
        return dict(rows)


# --- Shopify's own template -------------------------------------------------


def test_the_shopify_template_gives_three_products_with_their_variants(empty_catalog: Database) -> None:
    report = run_import(empty_catalog, TEMPLATE.read_bytes())

    assert report.ok
    assert (report.created, report.updated, report.skipped) == (3, 0, 0)
    with empty_catalog.read() as tx:
        variants = tx.exec(select(Product.handle, Variant).join(Variant)).all()
    per_product: dict[str, list[Variant]] = {}
    for handle, variant in variants:
        per_product.setdefault(handle, []).append(variant)
    assert {handle: len(found) for handle, found in per_product.items()} == {
        "example-shirt": 12,
        "example-pants": 3,
        "example-hat": 1,
    }
    shirt_options = {(v.options["Color"], v.options["Size"]) for v in per_product["example-shirt"]}
    assert shirt_options == {(c, s) for c in ("Green", "Blue", "Gray", "Purple") for s in ("S", "M", "L")}
    assert sorted(v.options["Size"] for v in per_product["example-pants"]) == ["28", "30", "40"]
    assert per_product["example-hat"][0].options == {}
    assert per_product["example-hat"][0].sku == "HAT_GRY_275"


def test_the_shopify_template_prices_stock_and_tracking(empty_catalog: Database) -> None:
    run_import(empty_catalog, TEMPLATE.read_bytes())

    shirt, pants, hat = (offers_of(empty_catalog, h) for h in ("example-shirt", "example-pants", "example-hat"))
    assert {(o.price, o.compare_at_price, o.stock, o.track_inventory) for o in shirt.values()} == {
        (2500, None, 0, False)
    }
    assert {sku: (o.price, o.compare_at_price, o.stock, o.track_inventory) for sku, o in pants.items()} == {
        "PNT_DEN_285": (9500, 6495, 20, True),
        "PNT_DEN_305": (9500, 6495, 15, True),
        "PNT_DEN_405": (9500, 6495, 10, True),
    }
    assert [(o.price, o.compare_at_price, o.stock, o.condition) for o in hat.values()] == [
        (1799, 2299, 50, "refurbished")
    ]
    assert {o.currency for o in [*shirt.values(), *pants.values(), *hat.values()]} == {"USD"}


def test_the_shopify_template_products_carry_their_details(empty_catalog: Database) -> None:
    run_import(empty_catalog, TEMPLATE.read_bytes())

    products = products_by_handle(empty_catalog)
    shirt = products["example-shirt"]
    assert {h: p.status for h, p in products.items()} == {
        "example-shirt": "active",
        "example-pants": "draft",
        "example-hat": "archived",
    }
    assert shirt.title == "Example T-Shirt"
    assert shirt.description.startswith("This t-shirt is as simple as it gets.")
    assert "<p>" not in shirt.description
    assert shirt.tags == ["Made to Order", "Shirt Tag"]
    assert shirt.attributes["product_type"] == "Shirts"
    assert shirt.attributes["seo_title"] == "Example T-Shirt | Test Store"
    assert shirt.image_url == "https://burst.shopifycdn.com/photos/tshirts.jpg?width=1500"
    # The shirt is made to order: untracked, so in stock with zero units counted.
    assert (shirt.min_price, shirt.max_price, shirt.offer_count, shirt.in_stock) == (2500, 2500, 12, True)
    with empty_catalog.read() as tx:
        category = tx.get(Category, shirt.category_id)
        brand = tx.get(Brand, shirt.brand_id)
        seller = tx.exec(select(Seller).where(Seller.name == STORE_SELLER)).one()
        rates = tx.exec(select(ShippingRate).where(ShippingRate.seller_id == seller.id)).all()
    assert category is not None
    assert category.path == "Apparel & Accessories > Clothing > Clothing Tops > T-Shirts"
    assert category.depth == 3
    assert brand is not None
    assert brand.name == "Acme"
    assert {(r.method, r.price, r.min_days, r.max_days, r.free_over) for r in rates} == {
        ("standard", 499, 3, 5, 5000),
        ("express", 1499, 1, 2, None),
    }


async def test_draft_and_archived_template_products_are_never_found_by_search(empty_catalog: Database) -> None:
    run_import(empty_catalog, TEMPLATE.read_bytes())

    async with Client(build_server(make_settings(empty_catalog), db=empty_catalog)) as client:
        result = await client.call_tool("search_products", {"query": "example"})
        by_category = await client.call_tool("search_products", {"query": "", "brand": "Acme"})

    for found in (result, by_category):
        assert not found.is_error
        assert found.structured_content is not None
        assert [item["title"] for item in found.structured_content["items"]] == ["Example T-Shirt"]


async def test_option_values_of_an_imported_catalog_are_words_search_reads(empty_catalog: Database) -> None:
    run_import(empty_catalog, TEMPLATE.read_bytes())

    async with Client(build_server(make_settings(empty_catalog), db=empty_catalog)) as client:
        found = await client.call_tool("search_products", {"query": "purple v-neck tshirt polyester"})

    content = found.structured_content
    assert content is not None
    assert [item["title"] for item in content["items"]] == ["Example T-Shirt"]
    assert content["items"][0]["matched_options"] == {"color": "Purple"}
    assert any("no product matches 'v neck', 'polyester'" in message for message in content["messages"])


# --- Re-imports ---------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(empty_catalog: Database) -> None:
    run_import(empty_catalog, TEMPLATE.read_bytes())
    before = dump_catalog(empty_catalog)

    report = run_import(empty_catalog, TEMPLATE.read_bytes())

    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert dump_catalog(empty_catalog) == before


def test_a_changed_price_updates_the_offer_and_appends_price_history(empty_catalog: Database) -> None:
    run_import(empty_catalog, csv_text(product_row("mug"), variant_row("mug", "L", **{"Variant Price": "12.00"})))

    report = run_import(
        empty_catalog,
        csv_text(
            product_row("mug", **{"Variant Price": "8.50"}), variant_row("mug", "L", **{"Variant Price": "12.00"})
        ),
    )

    assert (report.updated, report.unchanged, report.counts.price_changes) == (1, 0, 1)
    offers = offers_of(empty_catalog, "mug")
    with empty_catalog.read() as tx:
        history = tx.exec(
            select(PriceHistory.price)
            .where(PriceHistory.offer_id == offers["SKU-mug-M"].id)
            .order_by(col(PriceHistory.id))
        ).all()
    assert history == [1000, 850]
    assert offers["SKU-mug-M"].price == 850
    assert products_by_handle(empty_catalog)["mug"].min_price == 850


def test_a_variant_left_out_of_a_reimport_is_no_longer_offered(empty_catalog: Database) -> None:
    run_import(empty_catalog, csv_text(product_row("cap"), variant_row("cap", "L")))

    report = run_import(empty_catalog, csv_text(product_row("cap")))

    assert report.counts.offers_deactivated == 1
    offers = offers_of(empty_catalog, "cap")
    assert {sku: offer.active for sku, offer in offers.items()} == {"SKU-cap-M": True, "SKU-cap-L": False}
    assert products_by_handle(empty_catalog)["cap"].offer_count == 1


def test_a_variant_without_sku_is_matched_by_its_options(empty_catalog: Database) -> None:
    rows = (product_row("tote", **{"Variant SKU": ""}), variant_row("tote", "L", **{"Variant SKU": ""}))
    run_import(empty_catalog, csv_text(*rows))

    report = run_import(empty_catalog, csv_text(*rows))

    assert report.unchanged == 1
    assert scalar(empty_catalog, "SELECT count(*) FROM variant") == 2


# --- Bad rows ---------------------------------------------------------------------


BAD_FILE = (
    "Handle,Title,Body (HTML),Option1 Name,Option1 Value,Variant Price,Variant Inventory Qty,Status\n"
    'good-one,Good One,"<p>First paragraph.</p>\n<p>Second\nparagraph.</p>",Size,S,10.00,3,active\n'  # lines 2-4
    "good-one,,,,M,11.00,4,\n"  # line 5
    "bad-price,Bad Price,,Size,S,-5,1,active\n"  # line 6
    "bad-qty,Bad Qty,,Size,S,5.00,lots,active\n"  # line 7
    'bad-status,"Bad\nStatus",,Size,S,5.00,1,sold\n'  # lines 8-9
    "bad-option,Bad Option,,Size,,5.00,1,active\n"  # line 10
    "negative,Negative,,Size,S,5.00,-2,active\n"  # line 11
    "good-two,Good Two,,Size,S,7.25,0,active\n"  # line 12
    "bad-later,Bad Later,,Size,S,5.00,1,active\n"  # line 13
    "bad-later,,,,M,12.345,1,\n"  # line 14
)


def test_bad_rows_are_reported_with_their_physical_line_and_the_good_products_land(empty_catalog: Database) -> None:
    report = run_import(empty_catalog, BAD_FILE)

    assert set(products_by_handle(empty_catalog)) == {"good-one", "good-two"}
    assert (report.created, report.skipped, report.error_count) == (2, 6, 6)
    lines = {error.line: (error.handle, error.message) for error in report.errors}
    assert set(lines) == {6, 7, 8, 10, 11, 14}
    assert "negative" in lines[6][1]
    assert "not a whole number" in lines[7][1]
    assert "Status 'sold'" in lines[8][1]
    assert lines[10] == ("bad-option", "Option1 Value is empty; every variant needs a value for 'Size'")
    assert "stock cannot be negative" in lines[11][1]
    assert "decimal places" in lines[14][1]
    assert "line 14 (bad-later)" in report.summary()
    assert products_by_handle(empty_catalog)["good-one"].description == "First paragraph.\nSecond paragraph."


def test_a_strict_import_with_a_bad_row_writes_nothing(empty_catalog: Database) -> None:
    report = run_import(empty_catalog, BAD_FILE, strict=True)

    assert report.rolled_back
    assert report.error_count == 6
    assert "nothing written" in report.summary()
    for table in ("product", "variant", "offer", "price_history", "brand", "category", "seller"):
        assert scalar(empty_catalog, f"SELECT count(*) FROM {table}") == 0


def test_a_strict_import_of_a_good_file_writes_everything(empty_catalog: Database) -> None:
    report = run_import(empty_catalog, TEMPLATE.read_bytes(), strict=True)

    assert report.ok
    assert not report.rolled_back
    assert report.created == 3


def test_rows_of_one_handle_must_be_together(empty_catalog: Database) -> None:
    content = csv_text(product_row("a"), product_row("b"), variant_row("a", "L"))

    report = run_import(empty_catalog, content)

    assert [(e.line, e.handle) for e in report.errors] == [(4, "a")]
    assert "keep a product's rows together" in report.errors[0].message


def test_a_sku_belonging_to_another_product_is_refused(empty_catalog: Database) -> None:
    content = csv_text(
        product_row("first", **{"Variant SKU": "SAME"}), product_row("second", **{"Variant SKU": "SAME"})
    )

    report = run_import(empty_catalog, content)

    assert set(products_by_handle(empty_catalog)) == {"first"}
    assert [(e.line, e.handle) for e in report.errors] == [(3, "second")]
    assert "already belongs to product 'first'" in report.errors[0].message


def test_offers_belong_to_the_seller_the_import_names(empty_catalog: Database) -> None:
    run_import(empty_catalog, csv_text(product_row("lamp")), seller="Lamp House")

    with empty_catalog.read() as tx:
        seller = tx.exec(select(Seller).join(Offer)).one()
    assert seller.name == "Lamp House"


# --- Hostile files ------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"Name,Price\nshirt,10\n", id="not-shopify"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, id="binary"),
        pytest.param(b"\xff\xfeH\x00a\x00n\x00d\x00l\x00e\x00", id="utf-16"),
    ],
)
def test_a_file_that_is_not_a_product_csv_is_refused_as_a_whole(empty_catalog: Database, content: bytes) -> None:
    with pytest.raises(ImportFormatError):
        run_import(empty_catalog, content)

    assert scalar(empty_catalog, "SELECT count(*) FROM product") == 0


@pytest.mark.parametrize(
    ("broken_row", "reason"),
    [
        pytest.param(b"bad,Bad\x00Title,,Size,S,5.00,1,active\n", "NUL", id="nul-byte"),
        pytest.param(b"bad,Caf\xe9,,Size,S,5.00,1,active\n", "UTF-8", id="latin-1"),
        pytest.param(b'bad,"' + b"x" * (5 * 1024 * 1024) + b'",,Size,S,5.00,1,active\n', "field", id="huge-field"),
        pytest.param(b"bad," + b"T" * 600 + b",,Size,S,5.00,1,active\n", "500", id="long-title"),
        pytest.param(b"bad,Bad,,Size,S,1e9,1,active\n", "not an amount", id="exponent"),
        pytest.param(b"bad,Bad,,Size,S,99999999999.99,1,active\n", "more than this store", id="too-big"),
        pytest.param(b"bad,Bad,,Size,S,NaN,1,active\n", "not an amount", id="nan"),
        pytest.param(b"bad,Bad,,Size,S,,1,active\n", "Variant Price is empty", id="no-price"),
    ],
)
def test_a_hostile_row_is_refused_with_its_line_and_the_rest_lands(
    empty_catalog: Database, broken_row: bytes, reason: str
) -> None:
    header = b"Handle,Title,Body (HTML),Option1 Name,Option1 Value,Variant Price,Variant Inventory Qty,Status\n"
    before, after = b"fine,Fine,,Size,S,5.00,1,active\n", b"also-fine,Also Fine,,Size,S,6.00,1,active\n"
    content = header + before + broken_row + after

    report = run_import(empty_catalog, content)

    assert set(products_by_handle(empty_catalog)) == {"fine", "also-fine"}
    assert [error.line for error in report.errors] == [3]
    assert reason in report.errors[0].message


def test_an_unterminated_quote_is_reported_not_crashed_on(empty_catalog: Database) -> None:
    header = b"Handle,Title,Variant Price\n"

    report = run_import(empty_catalog, header + b'ok,Ok,5.00\nbroken,"Never closed,5.00\nmore,More,5.00\n')

    assert set(products_by_handle(empty_catalog)) == {"ok"}
    assert [error.line for error in report.errors] == [3]


def test_an_empty_file_imports_nothing(empty_catalog: Database) -> None:
    report = run_import(empty_catalog, b"")

    assert report.ok
    assert report.created == 0


def test_overlong_lines_are_flagged_and_skipped() -> None:
    lines = list(read_lines(io.BytesIO(b"short\n" + b"y" * 100 + b"\nafter\n"), max_bytes=50))

    assert [(line.number, line.too_long, line.text) for line in lines] == [
        (1, False, "short\n"),
        (2, True, "\n"),
        (3, False, "after\n"),
    ]


# --- JSON Lines ---------------------------------------------------------------


RECORDS: list[dict[str, Any]] = [
    {
        "handle": "trail-runner-2",
        "title": "Trail Runner 2",
        "description": "A light trail shoe.",
        "brand": "Stridely",
        "category": "Shoes > Running Shoes",
        "status": "active",
        "attributes": {"drop_mm": 6, "surface": "trail", "waterproof": False},
        "tags": ["running", "trail"],
        "image_url": "https://example.com/tr2.jpg",
        "rating": 4.6,
        "review_count": 128,
        "created_at": "2025-03-01T08:30:00Z",
        "variants": [
            {
                "sku": "TR2-9",
                "options": {"Size": "9"},
                "offers": [
                    {"price": "89.99", "compare_at_price": 10999, "stock": 4},
                    {
                        "seller": "Trail Depot",
                        "price": 8499,
                        "stock": 0,
                        "condition": "refurbished",
                        "handling_days": 2,
                    },
                ],
            },
            {"sku": "TR2-10", "options": {"Size": "10"}, "offers": [{"price": 8999, "track_inventory": False}]},
        ],
    },
    {
        "handle": "desk-lamp",
        "title": "Desk Lamp",
        "category": ["Home", "Lighting"],
        "status": "draft",
        "variants": [{"offers": [{"price": "19", "active": False}]}],
    },
]


def jsonl(*records: dict[str, Any]) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


def test_jsonl_records_come_back_out_as_they_went_in(empty_catalog: Database) -> None:
    report = run_import(empty_catalog, jsonl(*RECORDS), "jsonl")

    assert report.ok
    with empty_catalog.read() as tx:
        exported = [record.model_dump(mode="json", exclude_none=True) for record in export_records(tx)]
    runner, lamp = exported
    assert runner["variants"][0]["offers"] == [
        {
            "seller": STORE_SELLER,
            "price": 8999,
            "compare_at_price": 10999,
            "currency": "USD",
            "stock": 4,
            "track_inventory": True,
            "condition": "new",
            "handling_days": 0,
            "active": True,
        },
        {
            "seller": "Trail Depot",
            "price": 8499,
            "currency": "USD",
            "stock": 0,
            "track_inventory": True,
            "condition": "refurbished",
            "handling_days": 2,
            "active": True,
        },
    ]
    assert runner["variants"][1]["offers"][0]["track_inventory"] is False
    expected = {key: value for key, value in RECORDS[0].items() if key != "variants"}
    expected["created_at"] = "2025-03-01T08:30:00Z"
    assert {key: runner[key] for key in expected} == expected
    assert lamp["category"] == "Home > Lighting"
    assert lamp["status"] == "draft"
    assert lamp["variants"][0]["sku"].startswith("desk-lamp:")
    assert lamp["variants"][0]["offers"][0]["active"] is False


def test_an_exported_catalog_imports_into_an_identical_one(new_database: NewDatabase) -> None:
    source, copy = new_database(), new_database()
    run_import(source, TEMPLATE.read_bytes())
    run_import(source, jsonl(*RECORDS), "jsonl")
    with source.read() as tx:
        exported = jsonl(*(record.model_dump(mode="json", exclude_none=True) for record in export_records(tx)))

    report = run_import(copy, exported, "jsonl")

    assert report.created == 5
    with copy.read() as tx:
        again = jsonl(*(record.model_dump(mode="json", exclude_none=True) for record in export_records(tx)))
    assert again == exported
    assert run_import(copy, exported, "jsonl").unchanged == 5


def product_line(offers: list[dict[str, Any]] | None = None, **fields: Any) -> str:
    """A JSON Lines product with one variant and the given offers and fields."""
    record = {"handle": "x", "title": "X", "variants": [{"offers": offers or [{"price": 1}]}]}
    return json.dumps(record | fields)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        pytest.param("{not json", "not valid JSON", id="syntax"),
        pytest.param("[1, 2]", "expected a JSON object", id="array"),
        pytest.param(product_line([{"price": 49.99}]), "minor units", id="float"),
        pytest.param(product_line([{"price": -1}]), "negative", id="negative"),
        pytest.param(product_line([{"price": 1, "stock": -3}]), "stock", id="stock"),
        pytest.param(product_line(colour="red"), "colour", id="unknown-field"),
        pytest.param(product_line(variants=[]), "variants", id="no-variants"),
        pytest.param(product_line(title=7), "title", id="wrong-type"),
        pytest.param(product_line(title="X\u0000"), "NUL", id="nul"),
        pytest.param("[" * 100_000 + "]" * 100_000, "nested too deeply", id="deep"),
        pytest.param(product_line([{"price": 1, "currency": "XYZ"}]), "ISO 4217", id="currency"),
        pytest.param(
            product_line([{"price": 1, "currency": "EUR"}, {"seller": "B", "price": 2, "currency": "USD"}]),
            "several currencies",
            id="mixed-currencies",
        ),
        pytest.param(product_line(handle="h" * 300), "handle", id="long-handle"),
        pytest.param(product_line(image_url="javascript:alert(1)"), "image_url", id="bad-url"),
    ],
)
def test_a_bad_jsonl_line_is_refused_with_its_line_number(empty_catalog: Database, line: str, reason: str) -> None:
    content = jsonl(RECORDS[1]) + "\n" + line + "\n" + jsonl(RECORDS[0])

    report = run_import(empty_catalog, content, "jsonl")

    assert [error.line for error in report.errors] == [3]
    assert reason in report.errors[0].message
    assert set(products_by_handle(empty_catalog)) == {"desk-lamp", "trail-runner-2"}


def test_the_readme_example_line_imports_as_documented(empty_catalog: Database) -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    example = next(line for line in readme.splitlines() if line.startswith('{"handle": "trail-runner-2"'))

    report = run_import(empty_catalog, example + "\n", "jsonl")

    assert report.ok
    with empty_catalog.read() as tx:
        offers = tx.exec(select(Seller.name, Offer.price, Offer.compare_at_price).join(Offer)).all()
    assert sorted(offers, key=repr) == [
        (STORE_SELLER, 8999, 10999),
        (STORE_SELLER, 8999, None),
        ("Trail Depot", 8499, None),
    ]
    product = products_by_handle(empty_catalog)["trail-runner-2"]
    # Trail Depot's offer is sold out, so the price range is over the two in stock.
    assert (product.min_price, product.max_price, product.offer_count, product.in_stock) == (8999, 8999, 3, True)


def test_a_repeated_jsonl_handle_is_refused(empty_catalog: Database) -> None:
    report = run_import(empty_catalog, jsonl(RECORDS[1], RECORDS[1]), "jsonl")

    assert [(e.line, e.message) for e in report.errors] == [
        (2, "handle already used on line 1; give each product one line")
    ]


def test_a_jsonl_line_in_another_encoding_is_refused(empty_catalog: Database) -> None:
    content = jsonl(RECORDS[1]).encode() + '{"handle": "caf\u00e9"}\n'.encode("latin-1")

    report = run_import(empty_catalog, content, "jsonl")

    assert [(e.line, e.message) for e in report.errors] == [(2, "not valid UTF-8 text; save the file as UTF-8")]


# --- HTML descriptions -------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("<p>First paragraph.</p>\n<p>Second\nparagraph.</p>", "First paragraph.\nSecond paragraph."),
        ("<ul><li>One &amp; two</li><li>three <b>bold</b> end</li></ul>", "One & two\nthree bold end"),
        ("a < b and c > d", "a < b and c > d"),
        ("x<!-- hidden -->y", "xy"),
        ('a<SCRIPT>var x = "<p>";</ScRiPt>b<style>p {}</style>', "ab"),
        ("caf&eacute;&nbsp;&#x263A;", "café ☺"),
        ("plain  text\nacross lines", "plain text across lines"),
        ("x<!-- never closed" + "<!--" * 100_000, "x"),
        ("<" * 200_000 + "tail", "<" * 200_000 + "tail"),
        ("<a" * 100_000, "<a" * 100_000),
        ("<p>" * 100_000 + "end", "end"),
        ("<script>" * 100_000, ""),
    ],
)
def test_a_shopify_body_becomes_the_text_a_browser_shows(body: str, text: str) -> None:
    assert html_to_text(body) == text


# --- Money ------------------------------------------------------------------------


@given(cents=st.integers(min_value=0, max_value=2**31 - 1))
def test_a_decimal_price_string_is_exactly_its_cents(cents: int) -> None:
    text = f"{cents // 100}.{cents % 100:02d}"

    assert to_minor_units(parse_amount(text), "USD") == cents
    assert to_minor_units(parse_amount(cents), "USD") == cents


@given(amount=st.decimals(min_value=0, max_value=10**6, places=3).filter(lambda d: d != d.quantize(Decimal("0.01"))))
def test_more_decimal_places_than_the_currency_has_are_refused(amount: Decimal) -> None:
    with pytest.raises(ValueError, match="decimal places"):
        to_minor_units(parse_amount(str(amount)), "USD")


def test_yen_have_no_minor_units() -> None:
    assert to_minor_units(parse_amount("1500"), "JPY") == 1500
    with pytest.raises(ValueError, match="decimal places"):
        to_minor_units(parse_amount("1500.5"), "JPY")
