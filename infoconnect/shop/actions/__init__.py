"""Every write the shop makes, one module per use-case family.

- ``rules``: price, text and quantity rules, commission, who may sell (checked by the others)
- ``catalog``: products, SKUs, stock, product cards on posts
- ``images``: product images and their thumbnails
- ``cart``: the cart and delivery addresses
- ``checkout``: checkout and buy-now (the writes themselves are in ``shop/placing.py``)
- ``orders``: an order after it is placed (pay, ship, confirm, cancel, expire)
- ``refunds``: refund requests (before receipt or after, partial, returns), with
  ``refund_settlement`` (what a request is worth, the grant) and ``refund_evidence`` (photos)
- ``payments``: pay in one step (the wallet, or the provider for what it lacks)

Order and refund states move only along the edges declared in ``shop/lifecycle.py``. The
public names are re-exported here, so ``from infoconnect.shop import actions;
actions.buy_now(...)`` works for every caller (``actions.checkout`` is the function; the
module is ``infoconnect.shop.actions.checkout``).
"""

from infoconnect.shop.actions.cart import (
    add_address,
    add_to_cart,
    delete_address,
    remove_cart_line,
    set_cart_quantity,
)
from infoconnect.shop.actions.catalog import (
    add_sku,
    adjust_stock,
    archive_product,
    attach_product_to_post,
    create_product,
    publish_product,
    update_product,
    update_sku,
)
from infoconnect.shop.actions.checkout import buy_now, check_line, checkout
from infoconnect.shop.actions.images import add_product_image, delete_product_image
from infoconnect.shop.actions.orders import (
    auto_complete_order,
    auto_complete_shipped_orders,
    cancel_order,
    confirm_receipt,
    confirm_receipt_for,
    expire_order,
    expire_unpaid_orders,
    pay_order,
    release_stock,
    ship_order,
)
from infoconnect.shop.actions.payments import (
    PAY_IN_ONE_STEP_SCOPE,
    OneStepPayment,
    pay_in_one_step,
)
from infoconnect.shop.actions.refunds import (
    answer_refund,
    decide_refund,
    dispute_refund,
    request_refund,
)
from infoconnect.shop.actions.rules import (
    MAX_ATTRIBUTES,
    MAX_PRICE,
    TEXT_FIELD_LABELS,
    commission_for,
    largest_order_total,
    require_merchant,
)

__all__ = [
    "PAY_IN_ONE_STEP_SCOPE",
    "OneStepPayment",
    "pay_in_one_step",
    "MAX_ATTRIBUTES",
    "MAX_PRICE",
    "TEXT_FIELD_LABELS",
    "add_address",
    "add_product_image",
    "add_sku",
    "add_to_cart",
    "adjust_stock",
    "answer_refund",
    "archive_product",
    "attach_product_to_post",
    "auto_complete_order",
    "auto_complete_shipped_orders",
    "buy_now",
    "cancel_order",
    "check_line",
    "checkout",
    "commission_for",
    "confirm_receipt",
    "confirm_receipt_for",
    "create_product",
    "decide_refund",
    "delete_address",
    "delete_product_image",
    "dispute_refund",
    "expire_order",
    "expire_unpaid_orders",
    "largest_order_total",
    "pay_order",
    "publish_product",
    "release_stock",
    "remove_cart_line",
    "request_refund",
    "require_merchant",
    "set_cart_quantity",
    "ship_order",
    "update_product",
    "update_sku",
]
