"""The cart of a shopping session: what the cart tools call (`operations`), each returning the whole cart.

`lines` loads a cart's lines, `choose_offer` decides which offer add_to_cart means, `priced`
prices a cart (the one path to a price, for the cart, the quote and the order alike),
`snapshot` is the priced cart as data, `views` its public shape, and `coupons` whether a
coupon may be used now.
"""

from shopmcp.services.cart.operations import (
    add_to_cart,
    apply_coupon,
    clear_cart,
    remove_coupon,
    remove_from_cart,
    update_cart_item,
    view_cart,
)

__all__ = [
    "add_to_cart",
    "apply_coupon",
    "clear_cart",
    "remove_coupon",
    "remove_from_cart",
    "update_cart_item",
    "view_cart",
]
