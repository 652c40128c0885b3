"""Checkout in two steps, one transaction each: a quote (`quote.preview_checkout`), then the order
(`place_order.place_order`), with the person's confirmation in between where the client can ask
(`confirmation`); `addresses` checks the shipping address.
"""

from shopmcp.services.checkout.addresses import normalize_address
from shopmcp.services.checkout.confirmation import confirmation_declined, confirmation_question
from shopmcp.services.checkout.place_order import place_order
from shopmcp.services.checkout.quote import preview_checkout

__all__ = ["confirmation_declined", "confirmation_question", "normalize_address", "place_order", "preview_checkout"]
