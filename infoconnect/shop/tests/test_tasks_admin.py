from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from infoconnect.shop import actions, tasks
from infoconnect.shop.models import Order, RefundRequest
from infoconnect.shop.tests.conftest import fund, make_address, wallet_balance

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_checkout_schedules_expiry_and_shipping_schedules_auto_confirmation(
    database_tasks, django_capture_on_commit_callbacks, buyer, merchant, scarf, address
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        order = actions.buy_now(
            buyer=buyer, sku_id=scarf[1].pk, quantity=1, address_id=address.pk, key="k"
        )
    expiry = DBTaskResult.objects.get()
    assert expiry.task_path == "infoconnect.shop.tasks.expire_order"
    assert expiry.args_kwargs == {"args": [order.pk], "kwargs": {}}
    assert expiry.run_after == order.expires_at
    fund(buyer, 20_000)
    actions.pay_order(buyer=buyer, order_id=order.pk)
    with django_capture_on_commit_callbacks(execute=True):
        shipped = actions.ship_order(
            merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="1"
        )
    # With the buyer's reminder a day before (see test_notifications.py).
    queued = DBTaskResult.objects.exclude(pk=expiry.pk)
    assert sorted(queued.values_list("task_path", flat=True)) == [
        "infoconnect.shop.tasks.auto_complete_order",
        "infoconnect.shop.tasks.remind_auto_confirm",
    ]
    confirm = queued.get(task_path="infoconnect.shop.tasks.auto_complete_order")
    assert confirm.run_after == shipped.shipped_at + timedelta(days=10)


def test_tasks_are_safe_to_run_twice(buyer, scarf, address):
    order = actions.buy_now(
        buyer=buyer, sku_id=scarf[1].pk, quantity=1, address_id=address.pk, key="k"
    )
    # Not due yet: the task changes nothing.
    assert tasks.expire_order.call(order.pk) is False
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tasks.expire_order.call(order.pk) is True
    assert tasks.expire_order.call(order.pk) is False
    assert tasks.auto_complete_order.call(order.pk) is False
    assert tasks.sweep_orders.call() == {"expired": 0, "completed": 0}


def completed_sale(person, merchant, sku, address, quantity=1) -> Order:
    """An order the person paid for, the merchant shipped and the person confirmed."""
    order = actions.buy_now(
        buyer=person, sku_id=sku.pk, quantity=quantity, address_id=address.pk, key="k"
    )
    fund(person, 20_000 * quantity)
    actions.pay_order(buyer=person, order_id=order.pk)
    actions.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="1")
    actions.confirm_receipt(buyer=person, order_id=order.pk)
    return order


def test_operator_decides_a_dispute_in_the_admin(make_user, buyer, merchant, scarf, address):
    carol = make_user("carol")
    sales = [
        completed_sale(buyer, merchant, scarf[1], address),
        completed_sale(carol, merchant, scarf[1], make_address(carol)),
    ]
    actions.request_refund(buyer=buyer, order_id=sales[0].pk, reason="Torn")
    actions.answer_refund(merchant=merchant, order_id=sales[0].pk, accept=False, note="No")
    refund = actions.dispute_refund(buyer=buyer, order_id=sales[0].pk)
    operator = make_user("operator", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    response = client.post(
        "/admin/shop/refundrequest/",
        {"action": "decide_refund_buyer", "_selected_action": [refund.pk]},
        follow=True,
    )
    assert "1 dispute decided." in response.content.decode()
    refund.refresh_from_db()
    assert (refund.state, refund.decision, refund.operator_id) == ("decided", "refund", operator.pk)
    assert wallet_balance(buyer) == 20_000
    # Deciding again changes nothing and says why.
    response = client.post(
        "/admin/shop/refundrequest/",
        {"action": "decide_keep_sale", "_selected_action": [refund.pk]},
        follow=True,
    )
    assert "The order is not in a state that allows this." in response.content.decode()
    assert RefundRequest.objects.get().decision == "refund"
    assert client.get(f"/admin/shop/order/{sales[0].pk}/change/").status_code == 200
    assert client.get("/admin/shop/product/").status_code == 200


def test_operator_decides_a_dispute_on_its_page_with_a_note(
    make_user, buyer, merchant, scarf, address
):
    order = completed_sale(buyer, merchant, scarf[1], address)
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="Torn")
    client = Client()
    client.force_login(make_user("operator", is_staff=True, is_superuser=True))
    refund = RefundRequest.objects.get()
    url = f"/admin/shop/refundrequest/{refund.pk}/change/"
    assert 'id="decide-dispute"' not in client.get(url).content.decode()  # not disputed yet
    actions.answer_refund(merchant=merchant, order_id=order.pk, accept=False, note="No")
    actions.dispute_refund(buyer=buyer, order_id=order.pk)
    page = client.get(url).content.decode()
    assert '<input type="submit" name="_decide_refund" value="Refund the buyer"' in page
    response = client.post(
        url, {"operator_note": "Photos show the tear.", "_decide_refund": "1"}, follow=True
    )
    assert "1 dispute decided." in response.content.decode()
    refund.refresh_from_db()
    assert (refund.state, refund.decision, refund.operator_note) == (
        "decided",
        "refund",
        "Photos show the tear.",
    )
    assert Order.objects.get(pk=order.pk).state == "refunded"
    assert wallet_balance(buyer) == 20_000
    assert 'id="decide-dispute"' not in response.content.decode()


def test_saving_a_note_never_undoes_an_answer_given_meanwhile(
    monkeypatch, make_user, buyer, merchant, scarf, address
):
    from infoconnect.shop.admin import RefundRequestAdmin

    order = completed_sale(buyer, merchant, scarf[1], address)
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="Torn")
    load = RefundRequestAdmin.get_object

    def load_then_the_merchant_accepts(self, request, object_id, from_field=None):
        refund = load(self, request, object_id, from_field)
        if request.method == "POST":
            actions.answer_refund(merchant=merchant, order_id=order.pk, accept=True)
        return refund

    monkeypatch.setattr(RefundRequestAdmin, "get_object", load_then_the_merchant_accepts)
    client = Client()
    client.force_login(make_user("operator", is_staff=True, is_superuser=True))
    refund = RefundRequest.objects.get()
    client.post(
        f"/admin/shop/refundrequest/{refund.pk}/change/",
        {"operator_note": "Watching this one.", "_save": "Save"},
    )
    refund.refresh_from_db()
    assert (refund.state, refund.operator_note) == ("accepted", "Watching this one.")
    assert Order.objects.get(pk=order.pk).state == "refunded"


def test_the_admin_shows_money_as_yuan(make_user, buyer, merchant, scarf, address):
    order = completed_sale(buyer, merchant, scarf[1], address, quantity=2)
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="Torn")
    client = Client()
    client.force_login(make_user("operator", is_staff=True, is_superuser=True))
    listing = client.get("/admin/shop/order/").content.decode()
    assert '<td class="field-shown_total">¥258.00</td>' in listing
    page = client.get(f"/admin/shop/order/{order.pk}/change/").content.decode()
    assert '<div class="readonly">¥258.00</div>' in page
    assert '<div class="readonly">¥5.16</div>' in page  # the commission, 2%
    inline = " ".join(page.split())
    assert '<td class="field-shown_unit_price"> <p>¥129.00</p> </td>' in inline
    refunds = client.get("/admin/shop/refundrequest/").content.decode()
    assert '<td class="field-order_total">¥258.00</td>' in refunds


def test_admin_is_for_staff(buyer):
    client = Client()
    client.force_login(buyer)
    assert client.get("/admin/shop/refundrequest/").status_code == 302


def test_editing_a_product_in_the_admin_never_puts_sold_units_back(
    monkeypatch, make_user, buyer, merchant, scarf, address
):
    from infoconnect.shop.admin import ProductAdmin

    product, sku = scarf
    save_product = ProductAdmin.save_model

    def save_then_a_sale_commits(self, request, obj, form, change):
        # A buyer's order takes 2 units between the admin reading the SKU and saving it.
        save_product(self, request, obj, form, change)
        actions.buy_now(buyer=buyer, sku_id=sku.pk, quantity=2, address_id=address.pk, key="k")

    monkeypatch.setattr(ProductAdmin, "save_model", save_then_a_sale_commits)
    client = Client()
    client.force_login(make_user("operator", is_staff=True, is_superuser=True))
    response = client.post(
        f"/admin/shop/product/{product.pk}/change/",
        {
            "merchant": merchant.pk,
            "title": "Silk scarf",
            "description": "Hand-rolled edges.",
            "status": "active",
            "max_per_order": 3,
            "created_at_0": "2026-03-01",
            "created_at_1": "09:00:00",
            "updated_at_0": "2026-03-01",
            "updated_at_1": "09:00:00",
            "skus-TOTAL_FORMS": 1,
            "skus-INITIAL_FORMS": 1,
            "skus-0-id": sku.pk,
            "skus-0-product": product.pk,
            "skus-0-attributes": '{"colour": "blue"}',
            "skus-0-price": 13_900,
            "skus-0-currency": "CNY",
            "skus-0-is_active": "on",
            "skus-0-tax_rate": 1300,
            "images-TOTAL_FORMS": 0,
            "images-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    sku.refresh_from_db()
    assert (sku.price, sku.attributes, sku.stock) == (13_900, {"colour": "blue"}, 3)
