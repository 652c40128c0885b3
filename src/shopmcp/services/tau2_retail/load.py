"""Importing tau2-bench retail's db.json into an empty store, in one transaction."""

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, func, select

from shopmcp.models.catalog import Offer, Product, Seller, ShippingRate, Variant, VariantOption
from shopmcp.models.customer import Customer, CustomerAddress, WalletMethod
from shopmcp.models.external import ExternalRef
from shopmcp.models.order import Order, OrderFulfilment, OrderLine, OrderPayment, OrderStatusChange
from shopmcp.models.shopping_session import DEFAULT_SESSION_KEY
from shopmcp.models.types import utcnow
from shopmcp.services.catalog.aggregates import refresh_products
from shopmcp.services.orders.status import TAU2_STATUSES
from shopmcp.services.shopping_sessions import ensure_keyed_session
from shopmcp.services.tau2_retail.common import CURRENCY, SELLER, SOURCE, address_to_ours, cents
from shopmcp.services.tau2_retail.records import Tau2Order, Tau2Product, Tau2Store, Tau2User


class StoreNotEmptyError(Exception):
    """The store already holds products, customers or orders: an import would mix two stores."""


class Tau2DataError(ValueError):
    """The file is not tau2 retail data, or its records contradict each other."""


@dataclass(frozen=True)
class ImportCounts:
    products: int
    variants: int
    users: int
    payment_methods: int
    orders: int


@dataclass
class _Catalog:
    seller: Seller
    variants: dict[str, tuple[Product, Variant, Offer]]
    """tau2 item id -> its rows."""


def load(tx: Session, *, data: dict[str, Any]) -> ImportCounts:
    """Write tau2's products, users and orders into the (empty) store behind `tx`.

    Raises:
        StoreNotEmptyError: products, customers or orders exist already.
        Tau2DataError: `data` is not tau2 retail's db.json, or refers to records it does not hold.
    """
    try:
        store = Tau2Store.model_validate(data)
    except ValidationError as error:
        raise Tau2DataError(f"not tau2 retail data: {error}") from error
    _check_empty(tx)
    catalog = _load_catalog(tx, store)
    sessions = {user_id: _load_user(tx, user, position) for position, (user_id, user) in enumerate(store.users.items())}
    users_orders: dict[str, list[str]] = {user_id: [] for user_id in store.users}
    for position, order in enumerate(store.orders.values()):
        if order.user_id not in sessions:
            raise Tau2DataError(f"order {order.order_id} belongs to user {order.user_id}, who is not in the file")
        user = store.users[order.user_id]
        _load_order(tx, catalog, order, sessions[order.user_id], f"{user.name.first_name} {user.name.last_name}")
        _ref(tx, "order", order.order_id, order.order_id, position)
        users_orders[order.user_id].append(order.order_id)
    for user_id, user in store.users.items():
        # A user's order list is exported from the orders themselves, so it must be theirs in file order.
        if user.orders != users_orders[user_id]:
            raise Tau2DataError(f"user {user_id}'s orders list does not match the orders of that user")
    tx.flush()
    return ImportCounts(
        products=len(store.products),
        variants=len(catalog.variants),
        users=len(store.users),
        payment_methods=sum(len(user.payment_methods) for user in store.users.values()),
        orders=len(store.orders),
    )


def _check_empty(tx: Session) -> None:
    for table in (Product, Customer, Order):
        if tx.exec(select(func.count()).select_from(table)).one():
            raise StoreNotEmptyError(
                f"the store already has {table.__tablename__} rows; import tau2 retail data into an empty store "
                "(a new database, or `shopmcp db reset` is not enough: it generates a catalog)"
            )


def _ref(tx: Session, kind: str, external_id: str, local_id: object, position: int, **layout: Any) -> None:
    tx.add(
        ExternalRef(
            source=SOURCE, kind=kind, external_id=external_id, local_id=str(local_id), position=position, layout=layout
        )
    )


def _load_catalog(tx: Session, store: Tau2Store) -> _Catalog:
    seller = Seller(name=SELLER, slug="tau2-retail")
    tx.add(seller)
    tx.flush()
    assert seller.id is not None
    # tau2 charges no shipping: a free standard rate lets imported products go through checkout.
    tx.add(ShippingRate(seller_id=seller.id, method="standard", price=0, currency=CURRENCY, min_days=3, max_days=5))
    catalog = _Catalog(seller=seller, variants={})
    product_ids: list[int] = []
    for position, product in enumerate(store.products.values()):
        product_ids.append(_load_product(tx, catalog, product, position))
    refresh_products(tx, product_ids)
    return catalog


def _load_product(tx: Session, catalog: _Catalog, record: Tau2Product, position: int) -> int:
    now = utcnow()
    product = Product(handle=f"tau2-{record.product_id}", title=record.name, currency=CURRENCY, created_at=now)
    tx.add(product)
    tx.flush()
    assert product.id is not None
    assert catalog.seller.id is not None
    _ref(tx, "product", record.product_id, product.id, position)
    for variant_position, variant_record in enumerate(record.variants.values()):
        if variant_record.item_id in catalog.variants:
            raise Tau2DataError(f"item {variant_record.item_id} appears in two products")
        variant = Variant(
            product_id=product.id,
            sku=f"tau2-{variant_record.item_id}",
            title=" / ".join(variant_record.options.values()) or "Default",
            options=dict(variant_record.options),
            position=variant_position,
        )
        tx.add(variant)
        tx.flush()
        assert variant.id is not None
        for name, value in variant_record.options.items():
            tx.add(VariantOption(variant_id=variant.id, name=name.lower(), value=value, product_id=product.id))
        # Untracked inventory: tau2 has no stock counts, only whether an item can be bought.
        offer = Offer(
            variant_id=variant.id,
            product_id=product.id,
            seller_id=catalog.seller.id,
            price=cents(variant_record.price),
            currency=CURRENCY,
            track_inventory=False,
            active=variant_record.available,
            updated_at=now,
        )
        tx.add(offer)
        # JSONB keeps no key order, so the order of the option names is kept with the id.
        _ref(tx, "variant", variant_record.item_id, variant.id, variant_position, options=list(variant_record.options))
        catalog.variants[variant_record.item_id] = (product, variant, offer)
    tx.flush()
    return product.id


def _load_user(tx: Session, user: Tau2User, position: int) -> str:
    """The user as a principal with its default session and customer; returns the session id."""
    session_id = ensure_keyed_session(tx=tx, principal=user.user_id, default_key=DEFAULT_SESSION_KEY)
    customer = Customer(
        session_id=session_id,
        principal=user.user_id,
        kind="principal",
        external_id=user.user_id,
        first_name=user.name.first_name,
        last_name=user.name.last_name,
        email=user.email,
    )
    tx.add(customer)
    tx.flush()
    assert customer.id is not None
    _ref(tx, "customer", user.user_id, customer.id, position)
    tx.add(
        CustomerAddress.model_validate(
            {
                "customer_id": customer.id,
                "position": 1,
                "is_default": True,
                **address_to_ours(user.address.model_dump(), None),
            }
        )
    )
    for method_position, (key, method) in enumerate(user.payment_methods.items()):
        if key != method.id:
            raise Tau2DataError(f"user {user.user_id}'s payment method {key} has id {method.id}")
        tx.add(
            WalletMethod(
                id=method.id,
                customer_id=customer.id,
                position=method_position,
                kind=method.source,
                brand=method.brand,
                last_four=method.last_four,
                balance=cents(method.balance) if method.balance is not None else None,
                currency=CURRENCY,
            )
        )
    return session_id


def _load_order(tx: Session, catalog: _Catalog, record: Tau2Order, session_id: str, name: str) -> None:
    status = TAU2_STATUSES.get(record.status)
    if status is None:
        raise Tau2DataError(f"order {record.order_id} has status {record.status!r}, not one of tau2's")
    total = sum(cents(item.price) for item in record.items)
    now = utcnow()
    first_method = record.payment_history[0].payment_method_id if record.payment_history else ""
    order = Order(
        id=record.order_id,
        session_id=session_id,
        quote_id=None,
        status=status.value,
        currency=CURRENCY,
        subtotal=total,
        discount_total=0,
        shipping_total=0,
        tax_total=0,
        total=total,
        shipments=[],
        shipping_address=address_to_ours(record.address.model_dump(), name),
        shipping_method="standard",
        payment_method=first_method,
        payment_id=f"imported:{record.order_id}",
        placed_at=now,
        updated_at=now,
    )
    tx.add(order)
    tx.flush()
    for position, item in enumerate(record.items):
        if item.item_id not in catalog.variants:
            raise Tau2DataError(f"order {record.order_id} has item {item.item_id}, which no product has")
        product, variant, offer = catalog.variants[item.item_id]
        assert product.id is not None
        assert variant.id is not None
        assert offer.id is not None
        price = cents(item.price)
        tx.add(
            OrderLine(
                order_id=order.id,
                position=position,
                offer_id=offer.id,
                product_id=product.id,
                variant_id=variant.id,
                seller_id=offer.seller_id,
                product_title=item.name,
                variant_title=variant.title,
                seller_name=SELLER,
                unit_price=price,
                quantity=1,
                subtotal=price,
                discount=0,
                tax=0,
                total=price,
                stock_decremented=False,
                options=[[option, value] for option, value in item.options.items()],
            )
        )
    for position, fulfilment in enumerate(record.fulfillments):
        unknown = [item_id for item_id in fulfilment.item_ids if item_id not in catalog.variants]
        if unknown:
            raise Tau2DataError(f"order {record.order_id} fulfils items no product has: {unknown}")
        tx.add(
            OrderFulfilment(
                order_id=order.id,
                position=position,
                tracking_ids=list(fulfilment.tracking_id),
                variant_ids=[catalog.variants[item_id][1].id or 0 for item_id in fulfilment.item_ids],
            )
        )
    for position, payment in enumerate(record.payment_history):
        tx.add(
            OrderPayment(
                order_id=order.id,
                position=position,
                kind=payment.transaction_type,
                amount=cents(payment.amount),
                payment_method_id=payment.payment_method_id,
                created_at=now,
            )
        )
    tx.add(
        OrderStatusChange(
            order_id=order.id, from_status=None, to_status=status.value, note=f"imported from {SOURCE}", changed_at=now
        )
    )
