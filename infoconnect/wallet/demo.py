"""The wallet's demo data: the people's top-ups, and orders in each state a demo shows.

Top-ups go through the sandbox provider's real flow: a payment is opened, then the
provider's signed ``payment.succeeded`` notification is handled as the webhook would handle
it. Its notification id is fixed per person, so a second seed finds it and tops up nothing.
The orders are bought, shipped and confirmed through the shop's actions (escrow, then the
merchant's balance less commission); each has a fixed checkout key and only moves forward
to the state it is seeded in, so a second seed changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infoconnect.shop import actions as shop
from infoconnect.shop import demo as shop_demo
from infoconnect.shop.models import Order
from infoconnect.wallet import actions
from infoconnect.wallet.models import ProviderNotification
from infoconnect.wallet.providers import get_provider
from infoconnect.wallet.providers.sandbox import PAYMENT_SUCCEEDED, SandboxProvider

if TYPE_CHECKING:
    from infoconnect.core.management.demo import DemoContext

TOPUP_FEN = 50_000  # ¥500.00 each
TOPUPS = ["lihua", "wangfang", "demo"]

State = Order.State

# checkout key, buyer, merchant, product title, SKU attributes, quantity, seeded state,
# (carrier, tracking number) once shipped
ORDERS = [
    (
        "demo-seed-completed-tea",
        "lihua",
        "greentea_shop",
        "West Lake Longjing, first flush",
        {"weight": "50 g tin"},
        2,
        State.COMPLETED,
        ("SF Express", "SF1402638817"),
    ),
    (
        "demo-seed-completed-stand",
        "wangfang",
        "bytegadgets",
        "Aluminium laptop stand",
        {"colour": "grey"},
        1,
        State.COMPLETED,
        ("JD Logistics", "JDV004512238871"),
    ),
    (
        "demo-seed-shipped-dock",
        "lihua",
        "bytegadgets",
        "USB-C dock, 8 in 1",
        {"colour": "space grey"},
        1,
        State.SHIPPED,
        ("SF Express", "SF1402639254"),
    ),
    (
        "demo-seed-paid-biluochun",
        "wangfang",
        "greentea_shop",
        "Biluochun green tea",
        {"weight": "100 g"},
        1,
        State.PAID,
        None,
    ),
]


def topup_marker(username: str) -> str:
    """The sandbox notification id of a person's demo top-up."""
    return f"evt_demo_topup_{username}"


def seed_topups(context: DemoContext) -> None:
    provider = get_provider(SandboxProvider.name)
    for username in TOPUPS:
        marker = topup_marker(username)
        if ProviderNotification.objects.filter(
            provider=provider.name, notification_id=marker
        ).exists():
            continue
        payment = actions.start_topup(user_id=context.users[username].pk, amount=TOPUP_FEN)
        # What the sandbox sends once the payer confirms on its page, signed as it signs.
        body, headers = provider.build_notification(
            event=PAYMENT_SUCCEEDED,
            object_ref=payment.provider_ref,
            amount=payment.amount,
            currency=payment.currency,
            notification_id=marker,
        )
        actions.handle_provider_notification(
            provider_name=provider.name, body=body, headers=headers
        )
        context.log(f"topped up {username}'s wallet")


def seed_orders(context: DemoContext) -> None:
    for key, buyer_name, merchant_name, title, attributes, quantity, target, shipping in ORDERS:
        buyer, merchant = context.users[buyer_name], context.users[merchant_name]
        order = Order.objects.filter(buyer_id=buyer.pk, checkout_key=key).first()
        if order is None:
            sku = shop_demo.product(merchant, title).skus.get(attributes=attributes)
            order = shop.buy_now(
                buyer=buyer,
                sku_id=sku.pk,
                quantity=quantity,
                address_id=shop_demo.address(buyer).pk,
                key=key,
                pay=True,
            )
            context.log(f"{buyer_name} paid order {order.pk}")
        if order.state == State.PAID and target in (State.SHIPPED, State.COMPLETED):
            carrier, tracking_number = shipping
            order = shop.ship_order(
                merchant=merchant,
                order_id=order.pk,
                carrier=carrier,
                tracking_number=tracking_number,
            )
        if order.state == State.SHIPPED and target == State.COMPLETED:
            order = shop.confirm_receipt(buyer=buyer, order_id=order.pk)


def seed(context: DemoContext) -> None:
    seed_topups(context)
    seed_orders(context)
