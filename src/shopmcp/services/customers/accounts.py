"""The account of a session's customer: finding it, showing it, and changing its default address."""

from sqlmodel import Session, col, func, select

from shopmcp.core.money import money
from shopmcp.models.checkout_public import ShippingAddress
from shopmcp.models.customer import Customer, CustomerAddress, WalletMethod
from shopmcp.models.customer_public import Account, CustomerKindName, SavedAddress, WalletMethodView
from shopmcp.models.order import Order
from shopmcp.models.shopping_session import DEFAULT_SESSION_KEY, ShoppingSession
from shopmcp.services.checkout.addresses import country_code, normalize_address
from shopmcp.services.customers.lookup import public_customer_id
from shopmcp.services.shopping_sessions import Scope, require_session


def customer_kind(session: ShoppingSession) -> CustomerKindName:
    """`principal` for a principal's default session, `episode` for any other (new_session, anonymous)."""
    return "principal" if session.default_key == DEFAULT_SESSION_KEY else "episode"


def find_customer(tx: Session, session_id: str) -> Customer | None:
    return tx.exec(select(Customer).where(Customer.session_id == session_id)).first()


def ensure_customer(tx: Session, session: ShoppingSession) -> Customer:
    """The session's customer, created on the first write to the account (the session is locked)."""
    found = find_customer(tx, session.id)
    if found is not None:
        return found
    customer = Customer(session_id=session.id, principal=session.principal, kind=customer_kind(session))
    tx.add(customer)
    tx.flush()
    return customer


def get_account(*, tx: Session, scope: Scope) -> Account:
    """The scope's account; an empty one (nothing saved yet) when the session has no customer row."""
    session = require_session(tx, scope)
    return account_view(tx, session, find_customer(tx, session.id))


def update_default_address(*, tx: Session, scope: Scope, address: ShippingAddress) -> Account:
    """Make `address` the account's default: a saved address equal to it, else a new saved one.

    Raises:
        ShopError: `not_found` for a session not the caller's (whatever the address); then `invalid_address`
            with every problem, before anything is written.
    """
    session = require_session(tx, scope, lock=True)
    normalized = normalize_address(address)
    customer = ensure_customer(tx, session)
    assert customer.id is not None
    saved = list(tx.exec(select(CustomerAddress).where(CustomerAddress.customer_id == customer.id)))
    fields = {**_address_fields(normalized), "country": _country_as_saved(saved, normalized.country)}
    chosen = next((row for row in saved if _address_fields_of(row) == fields), None)
    if chosen is None:
        position = (
            tx.exec(select(func.max(CustomerAddress.position)).where(CustomerAddress.customer_id == customer.id)).one()
            or 0
        ) + 1
        chosen = CustomerAddress.model_validate({"customer_id": customer.id, "position": position, **fields})
        saved.append(chosen)
    for row in saved:
        row.is_default = row is chosen
        tx.add(row)
    tx.flush()
    return account_view(tx, session, customer)


def _country_as_saved(saved: list[CustomerAddress], country: str) -> str:
    """`country` as the account's default address writes it, when that names the same country.

    Imported tau2 accounts write "USA"; keeping their spelling makes the tau2 export equal to what
    tau2's own tool writes for the same change (it stores the country as given), as order addresses do.
    """
    default = next((row for row in saved if row.is_default), None)
    if default is not None and country_code(default.country) == country:
        return default.country
    return country


def account_view(tx: Session, session: ShoppingSession, customer: Customer | None) -> Account:
    order_ids = list(
        tx.exec(select(Order.id).where(Order.session_id == session.id).order_by(col(Order.placed_at), col(Order.id)))
    )
    if customer is None:
        return Account(session_id=session.id, kind=customer_kind(session), order_ids=order_ids)
    addresses = tx.exec(
        select(CustomerAddress)
        .where(CustomerAddress.customer_id == customer.id)
        .order_by(col(CustomerAddress.is_default).desc(), col(CustomerAddress.position))
    )
    wallet = tx.exec(
        select(WalletMethod).where(WalletMethod.customer_id == customer.id).order_by(col(WalletMethod.position))
    )
    return Account(
        session_id=session.id,
        kind=customer_kind(session),
        customer_id=public_customer_id(customer),
        first_name=customer.first_name,
        last_name=customer.last_name,
        email=customer.email,
        addresses=[
            SavedAddress(address_id=row.id or 0, is_default=row.is_default, **_address_fields_of(row))
            for row in addresses
        ],
        payment_methods=[
            WalletMethodView(
                payment_method_id=method.id,
                kind=method.kind,
                brand=method.brand,
                last_four=method.last_four,
                balance=money(method.balance, method.currency) if method.balance is not None else None,
            )
            for method in wallet
        ],
        order_ids=order_ids,
    )


def _address_fields(address: ShippingAddress) -> dict[str, str | None]:
    return {
        "name": address.name,
        "line1": address.line1,
        "line2": address.line2,
        "city": address.city,
        "region": address.region,
        "postal_code": address.postal_code,
        "country": address.country,
    }


def _address_fields_of(row: CustomerAddress) -> dict[str, str | None]:
    return {
        "name": row.name,
        "line1": row.line1,
        "line2": row.line2,
        "city": row.city,
        "region": row.region,
        "postal_code": row.postal_code,
        "country": row.country,
    }
