"""The shop's declared lifecycles: what each state allows, a refused move writes nothing, and
the one sweep makes each due move exactly once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from infoconnect.core import sweeps
from infoconnect.core.errors import DomainError
from infoconnect.shop import actions
from infoconnect.shop.lifecycle import BOUGHT_STATES, orders, refunds
from infoconnect.shop.models import Order, OrderEvent, RefundRequest, Sku
from infoconnect.shop.tests.conftest import fund, make_address, merchant_balance, wallet_balance

pytestmark = pytest.mark.django_db

State = Order.State


def test_what_each_order_state_allows():
    allowed = {state: orders.verbs_from(state) for state in State.values}
    assert allowed == {
        "awaiting_payment": ["pay", "cancel", "expire"],
        "paid": ["ship", "cancel", "refund"],
        "shipped": ["complete", "auto_complete", "refund"],
        "completed": ["refund"],
        "cancelled": [],
        "expired": [],
        "refunded": [],
        "on_terms": ["ship", "cancel"],
    }
    assert [s for s in State.values if orders.allows(Order(state=s), "cancel")] == [
        "awaiting_payment",
        "paid",
        "on_terms",
    ]
    assert orders.sources("cancel") == ("awaiting_payment", "paid", "on_terms")
    assert BOUGHT_STATES == ("paid", "shipped", "completed")


def test_what_each_refund_state_allows():
    allowed = {state: refunds.verbs_from(state) for state in RefundRequest.State.values}
    assert allowed == {
        "requested": ["accept", "accept_return", "decline", "withdraw"],
        "accepted": [],
        "declined": ["dispute", "withdraw"],
        "disputed": ["decide"],
        "decided": [],
        "awaiting_return": ["ship_return", "withdraw"],
        "return_shipped": ["receive_return", "decline"],
        "withdrawn": [],
    }


def test_templates_ask_the_lifecycle():
    template = Template('{% if order|allows:"cancel" %}cancel{% else %}no{% endif %}')
    shown = {s: template.render(Context({"order": Order(state=s)})) for s in State.values}
    assert [s for s, html in shown.items() if html == "cancel"] == [
        "awaiting_payment",
        "paid",
        "on_terms",
    ]


def test_a_move_from_a_wrong_state_raises_and_writes_nothing(
    buyer, merchant, scarf, address, django_capture_on_commit_callbacks
):
    order = actions.buy_now(
        buyer=buyer, sku_id=scarf[1].pk, quantity=1, address_id=address.pk, key="k"
    )
    before = list(Order.objects.filter(pk=order.pk).values())
    with django_capture_on_commit_callbacks() as queued:
        with pytest.raises(DomainError) as refused:
            actions.ship_order(
                merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="1"
            )
        with pytest.raises(DomainError):
            actions.confirm_receipt(buyer=buyer, order_id=order.pk)
    assert (refused.value.code, refused.value.status) == ("invalid_state", 409)
    assert list(Order.objects.filter(pk=order.pk).values()) == before
    assert list(OrderEvent.objects.values_list("kind", flat=True)) == ["placed"]
    assert queued == []


def test_a_row_that_moved_first_is_refused(buyer, merchant, scarf, address):
    order = actions.buy_now(
        buyer=buyer, sku_id=scarf[1].pk, quantity=1, address_id=address.pk, key="k"
    )
    stale = Order.objects.get(pk=order.pk)
    actions.cancel_order(person=buyer, order_id=order.pk)
    # The copy in hand still says awaiting payment; the row does not.
    assert orders.allows(stale, "expire")
    assert orders.move(stale, "expire", strict=False, closed_at=timezone.now()) is False
    with pytest.raises(DomainError) as refused:
        orders.move(stale, "expire", closed_at=timezone.now())
    assert refused.value.code == "invalid_state"
    assert Order.objects.get(pk=order.pk).state == "cancelled"
    assert list(OrderEvent.objects.values_list("kind", flat=True)) == ["placed", "cancelled"]
    assert Sku.objects.get(pk=scarf[1].pk).stock == 5


def test_the_sweep_expires_and_auto_completes_due_orders_exactly_once(
    make_user, buyer, merchant, scarf, address
):
    sku = scarf[1]
    unpaid = actions.buy_now(buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="u")
    carol = make_user("carol")
    fund(carol, 20_000)
    shipped = actions.buy_now(
        buyer=carol, sku_id=sku.pk, quantity=1, address_id=make_address(carol).pk, key="s"
    )
    actions.pay_order(buyer=carol, order_id=shipped.pk)
    actions.ship_order(merchant=merchant, order_id=shipped.pk, carrier="SF", tracking_number="1")
    assert sweeps.run(app_label="shop") == {"order.expire": 0, "order.auto_complete": 0}
    later = timezone.now() + timedelta(days=10, minutes=1)
    assert sweeps.run(app_label="shop", now=later) == {"order.expire": 1, "order.auto_complete": 1}
    assert sweeps.run(app_label="shop", now=later) == {"order.expire": 0, "order.auto_complete": 0}
    assert Order.objects.get(pk=unpaid.pk).state == "expired"
    assert Order.objects.get(pk=shipped.pk).state == "completed"
    kinds = list(OrderEvent.objects.order_by("pk").values_list("order_id", "kind"))
    assert [k for o, k in kinds if o == unpaid.pk] == ["placed", "expired"]
    assert [k for o, k in kinds if o == shipped.pk] == [
        "placed",
        "paid",
        "shipped",
        "auto_completed",
    ]
    assert Sku.objects.get(pk=sku.pk).stock == 4  # the unpaid unit back once, the sold one gone
    assert merchant_balance(merchant) == 12_642  # paid once, less 2% commission
    assert wallet_balance(carol) == 20_000 - 12_900


def test_born_paid_queues_no_expiry(
    settings, buyer, scarf, address, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    fund(buyer, 20_000)
    with django_capture_on_commit_callbacks(execute=True):
        order = actions.buy_now(
            buyer=buyer, sku_id=scarf[1].pk, quantity=1, address_id=address.pk, key="k", pay=True
        )
    assert order.state == "paid"
    assert list(OrderEvent.objects.values_list("kind", "from_state", "to_state")) == [
        ("placed", "", "awaiting_payment"),
        ("paid", "awaiting_payment", "paid"),
    ]
    assert not DBTaskResult.objects.exists()


def test_placing_costs_no_query_for_the_hook(buyer, scarf, address):
    """Buy-now's statements are the read, the order with its lines and history, and the stock
    (the lifecycle's hook only queues the expiry)."""
    with CaptureQueriesContext(connection) as queries:
        actions.buy_now(buyer=buyer, sku_id=scarf[1].pk, quantity=1, address_id=address.pk, key="k")
    expected = {"postgresql": 5, "sqlite": 7}[connection.vendor]
    assert len(queries.captured_queries) == expected
