"""Finding a customer for the support role: by email, or by name and postal code; a customer's home by id.

The support role itself (who holds it) is decided by the caller layer (`callers.py`); these functions
only answer which customer an email, a name or an id names. A customer's public id is the id an imported
store gave it (tau2's user_id), else `cus_<row id>`: the same id `get_account` shows.
"""

import re
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from shopmcp.core.errors import ErrorCode, ShopError, invalid_input, not_found
from shopmcp.models.customer import Customer, CustomerAddress
from shopmcp.models.customer_public import CustomerMatch, CustomerMatches
from shopmcp.models.safe_text import has_nul
from shopmcp.services.shopping_sessions import Scope

MAX_MATCHES = 10
_LOCAL_ID = re.compile(r"cus_([1-9][0-9]{0,8})")


def public_customer_id(customer: Customer) -> str:
    """The id tools show and take for `customer`."""
    return customer.external_id or f"cus_{customer.id}"


def customer_not_found(customer_id: str) -> ShopError:
    """The one answer for a customer id that does not exist or is not the caller's to act for."""
    return not_found(
        "customer",
        customer_id,
        "Leave customer_id out to act on this session's own account; with the support role, find_customer "
        "gives a customer's id.",
    )


def find_customers(
    *,
    tx: Session,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    postal_code: str | None = None,
) -> CustomerMatches:
    """The customers whose email is `email` (any case), or whose first and last name (any case) and default
    address's postal code (any case, spaces ignored) are the ones given; oldest account first.

    Raises:
        ShopError: `invalid_input` for a NUL character (PostgreSQL text cannot hold one); `invalid_arguments`
            unless exactly one way is given (email alone, or all three of the name and postal code);
            `not_found` when no customer matches.
    """
    values = (email, first_name, last_name, postal_code)
    if has_nul(values):
        raise invalid_input("find_customer's text holds a NUL character (\\x00); send it without that character.")
    given = [bool(value and value.strip()) for value in values]
    if email and given == [True, False, False, False]:
        statement, hint = _by_email(email.strip())
    elif first_name and last_name and postal_code and given == [False, True, True, True]:
        statement, hint = _by_name(first_name.strip(), last_name.strip(), postal_code)
    else:
        raise _one_way()
    rows = tx.exec(statement.order_by(col(Customer.id)).limit(MAX_MATCHES)).all()
    if not rows:
        raise ShopError(ErrorCode.NOT_FOUND, f"No customer matches. {hint}", details={"kind": "customer"})
    return CustomerMatches(
        customers=[
            CustomerMatch(customer_id=public_customer_id(row), first_name=row.first_name, last_name=row.last_name)
            for row in rows
        ]
    )


# The look-ups compare lower(column) to lower(value) so that both backends answer from the models'
# ix_customer_email_lower and ix_customer_name_lower (models/customer.py) instead of reading every
# customer; a differently spelled expression (upper, ilike, casefold in Python) would not use them.
def _by_email(email: str) -> tuple[SelectOfScalar[Customer], str]:
    condition: ColumnElement[bool] = func.lower(col(Customer.email)) == func.lower(email)
    return (
        select(Customer).where(condition),
        "Check the address with the person, or find them by first_name, last_name and postal_code.",
    )


def _by_name(first_name: str, last_name: str, postal_code: str) -> tuple[SelectOfScalar[Customer], str]:
    statement = (
        select(Customer)
        .join(CustomerAddress, col(CustomerAddress.customer_id) == col(Customer.id))
        .where(
            col(CustomerAddress.is_default),
            func.lower(col(Customer.first_name)) == func.lower(first_name),
            func.lower(col(Customer.last_name)) == func.lower(last_name),
            _spaceless_upper(col(CustomerAddress.postal_code)) == _spaceless_upper(postal_code),
        )
    )
    hint = (
        "The postal code is the one of the account's default address. Check the spelling with the person, "
        "or find them by email."
    )
    return statement, hint


def customer_home(*, tx: Session, customer_id: str) -> Scope | None:
    """The principal and home session of the customer `customer_id` names (as `public_customer_id` spells it)."""
    customer = tx.exec(select(Customer).where(Customer.external_id == customer_id)).first()
    local = _LOCAL_ID.fullmatch(customer_id)
    if customer is None and local is not None:
        customer = tx.exec(
            select(Customer).where(Customer.id == int(local[1]), col(Customer.external_id).is_(None))
        ).first()
    return Scope(principal=customer.principal, session_id=customer.session_id) if customer else None


def customer_id_of(*, tx: Session, scope: Scope) -> str | None:
    """The public id of the scope's customer, if the session is the principal's and has one."""
    customer = tx.exec(
        select(Customer).where(Customer.session_id == scope.session_id, Customer.principal == scope.principal)
    ).first()
    return public_customer_id(customer) if customer else None


def _spaceless_upper(value: Any) -> ColumnElement[str]:
    """A postal code as compared: upper case, no spaces ("k1a 0b1" is "K1A0B1"), for a column or a text."""
    return func.upper(func.replace(value, " ", ""))


def _one_way() -> ShopError:
    return ShopError(
        ErrorCode.INVALID_ARGUMENTS,
        "find_customer takes either email, or first_name, last_name and postal_code together. "
        "Ask the person for one of them and call find_customer again.",
        details={
            "tool": "find_customer",
            "fields": [
                {"field": "email", "problem": "give it alone", "accepts": "an email address"},
                {
                    "field": "first_name, last_name, postal_code",
                    "problem": "give all three together",
                    "accepts": "the account's name and its default address's postal code",
                },
            ],
        },
    )
