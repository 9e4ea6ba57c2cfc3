"""An order taken through its steps, for the tests of what buyers and merchants hear of it."""

from infoconnect.shop import actions
from infoconnect.shop.tests.conftest import fund, make_address, make_product


def open_shop(make_user, **names) -> tuple:
    """(merchant, buyer, sku, address): a verified merchant selling a ¥129.00 scarf and a buyer
    with an address and ¥500.00 in the wallet."""
    merchant = make_user(
        "acme", kind="merchant", verified=True, display_name=names.get("merchant", "")
    )
    buyer = make_user("alice", display_name=names.get("buyer", ""))
    _product, sku = make_product(merchant, title="Silk scarf", price=12_900, stock=5)
    fund(buyer, 50_000)
    return merchant, buyer, sku, make_address(buyer)


def shipped_order(shop: tuple, key: str = "k"):
    """Bought and paid in one step, then shipped with SF Express SF1234567."""
    merchant, buyer, sku, address = shop
    order = actions.buy_now(
        buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key=key, pay=True
    )
    return actions.ship_order(
        merchant=merchant, order_id=order.pk, carrier="SF Express", tracking_number="SF1234567"
    )
