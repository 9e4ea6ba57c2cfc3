"""Buyers and merchants hear what happened to their orders: each notification written once
(a replayed move, a retried task), to the right party only, nothing when the move fails; the
auto-confirm reminder's due job and its sweep; a paid checkout pays one INSERT for it."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from infoconnect.core import sweeps
from infoconnect.core.errors import DomainError
from infoconnect.core.pagination import PageParams
from infoconnect.shop import actions, notifications, tasks
from infoconnect.shop.lifecycle import orders, refunds
from infoconnect.shop.models import Order, RefundRequest
from infoconnect.shop.signals import order_moved, refund_moved
from infoconnect.shop.tests.companies import fund_company, place, purchase, verified_company
from infoconnect.shop.tests.conftest import fund, make_address
from infoconnect.social import selectors as social_selectors
from infoconnect.social.models import Notification

pytestmark = pytest.mark.django_db

REMINDER = "notification.auto_confirm_reminder"


def rows(user) -> list[tuple]:
    """What the user's notifications say, newest first."""
    return [
        (n.kind, n.order_id, n.actor_id, n.data)
        for n in social_selectors.notifications(user=user, page=PageParams())
    ]


def paid(buyer, sku, address, key="k") -> Order:
    return actions.buy_now(
        buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key=key, pay=True
    )


def shipped(buyer, merchant, sku, address, key="k") -> Order:
    order = paid(buyer, sku, address, key)
    return actions.ship_order(
        merchant=merchant, order_id=order.pk, carrier="SF Express", tracking_number="SF1234567"
    )


def completed(buyer, merchant, sku, address) -> Order:
    order = shipped(buyer, merchant, sku, address)
    return actions.confirm_receipt(buyer=buyer, order_id=order.pk)


# Paid orders ---------------------------------------------------------------------------


def test_the_merchant_hears_of_an_order_born_paid_once(buyer, merchant, scarf, address):
    fund(buyer, 20_000)
    order = paid(buyer, scarf[1], address)

    money = {"total": 12_900, "currency": "CNY"}
    assert rows(merchant) == [("order_paid", order.pk, buyer.pk, money)]
    assert rows(buyer) == []
    # The birth reported again (a replayed hook) writes no second row.
    orders.report(order, "place_paid", from_state="")
    assert Notification.objects.count() == 1
    notification = Notification.objects.get()
    assert (notification.key, notification.read_at) == (f"order:{order.pk}:paid", None)


def test_an_order_paid_later_is_heard_when_it_is_paid_not_when_placed(
    buyer, merchant, scarf, address
):
    order = actions.buy_now(
        buyer=buyer, sku_id=scarf[1].pk, quantity=2, address_id=address.pk, key="k"
    )
    assert not Notification.objects.exists()
    fund(buyer, 30_000)
    actions.pay_order(buyer=buyer, order_id=order.pk)
    assert rows(merchant) == [
        ("order_paid", order.pk, buyer.pk, {"total": 25_800, "currency": "CNY"})
    ]
    with pytest.raises(DomainError):
        actions.pay_order(buyer=buyer, order_id=order.pk)  # paid already: nothing new
    assert Notification.objects.count() == 1


def test_a_payment_that_fails_tells_nobody(buyer, merchant, scarf, address):
    order = actions.buy_now(
        buyer=buyer, sku_id=scarf[1].pk, quantity=1, address_id=address.pk, key="k"
    )
    with pytest.raises(DomainError) as refused:
        actions.pay_order(buyer=buyer, order_id=order.pk)  # an empty wallet
    assert refused.value.code == "insufficient_funds"
    assert not Notification.objects.exists()


def test_a_company_order_paid_from_its_wallet_is_heard_and_one_on_terms_is_not(
    make_user, buyer, merchant, scarf
):
    company = verified_company(make_user, buyer)
    fund_company(company, buyer, 100_000)
    (bought,) = place(buyer, [(scarf[1], 1)], pay=True, company=purchase(company))
    (on_terms,) = place(
        buyer, [(scarf[1], 1)], key="req-42", company=replace(purchase(company), on_terms=True)
    )
    assert on_terms.state == "on_terms"
    assert [(kind, order_id) for kind, order_id, *_ in rows(merchant)] == [
        ("order_paid", bought.pk)
    ]


def test_the_paid_notification_costs_checkout_one_insert(buyer, scarf, address):
    fund(buyer, 20_000)
    with CaptureQueriesContext(connection) as captured:
        paid(buyer, scarf[1], address)
    touching = [q["sql"] for q in captured.captured_queries if "social_notification" in q["sql"]]
    assert len(touching) == 1
    assert touching[0].startswith("INSERT")


# Shipping and the auto-confirm reminder ------------------------------------------------


def test_the_buyer_hears_of_the_shipment_with_its_tracking_number_once(
    buyer, merchant, scarf, address
):
    fund(buyer, 20_000)
    order = shipped(buyer, merchant, scarf[1], address)

    assert rows(buyer) == [
        (
            "order_shipped",
            order.pk,
            merchant.pk,
            {
                "total": 12_900,
                "currency": "CNY",
                "carrier": "SF Express",
                "tracking_number": "SF1234567",
            },
        )
    ]
    assert [kind for kind, *_ in rows(merchant)] == ["order_paid"]
    # The move told again (a replayed signal) writes nothing more.
    order_moved.send(sender=Order, order=order, verb="ship", from_state="paid", actor_id=None)
    assert Notification.objects.filter(recipient=buyer).count() == 1


def test_a_refused_shipment_tells_nobody(make_user, buyer, merchant, scarf, address):
    fund(buyer, 20_000)
    order = paid(buyer, scarf[1], address)
    with pytest.raises(DomainError) as refused:
        actions.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="")
    assert refused.value.code == "validation_error"
    other = make_user("rival", kind="merchant", verified=True)
    with pytest.raises(DomainError) as refused:
        actions.ship_order(merchant=other, order_id=order.pk, carrier="SF", tracking_number="1")
    assert refused.value.code == "order_not_found"
    assert not Notification.objects.filter(recipient=buyer).exists()


def test_shipping_queues_the_reminder_for_a_day_before_the_order_confirms_itself(
    settings, buyer, merchant, scarf, address, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    fund(buyer, 20_000)
    order = paid(buyer, scarf[1], address)
    with django_capture_on_commit_callbacks(execute=True):
        order = actions.ship_order(
            merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="1"
        )
    queued = {task.task_path: task for task in DBTaskResult.objects.all()}
    reminder = queued["infoconnect.shop.tasks.remind_auto_confirm"]
    assert reminder.args_kwargs == {"args": [order.pk], "kwargs": {}}
    assert reminder.run_after == order.shipped_at + timedelta(days=9)
    assert queued["infoconnect.shop.tasks.auto_complete_order"].run_after == (
        order.shipped_at + timedelta(days=10)
    )


def test_the_reminder_task_writes_once_and_only_in_the_last_day(buyer, merchant, scarf, address):
    fund(buyer, 20_000)
    order = shipped(buyer, merchant, scarf[1], address)
    day_nine = order.shipped_at + timedelta(days=9, minutes=1)

    assert notifications.remind_auto_confirm(order_id=order.pk) is False  # too early
    assert notifications.remind_auto_confirm(order_id=order.pk, now=day_nine) is True
    assert notifications.remind_auto_confirm(order_id=order.pk, now=day_nine) is True  # again
    reminders = Notification.objects.filter(recipient=buyer, kind="order_auto_confirm")
    assert reminders.count() == 1
    confirms_at = order.shipped_at + timedelta(days=10)
    assert reminders.get().data == {
        "total": 12_900,
        "currency": "CNY",
        "confirms_at": confirms_at.isoformat(),
    }
    assert reminders.get().actor_id == merchant.pk
    # Past its confirmation time it would say something untrue: it says nothing.
    Notification.objects.filter(kind="order_auto_confirm").delete()
    late = order.shipped_at + timedelta(days=10, minutes=1)
    assert notifications.remind_auto_confirm(order_id=order.pk, now=late) is False
    assert not reminders.exists()


def test_the_reminder_task_skips_an_order_no_longer_shipped(buyer, merchant, scarf, address):
    fund(buyer, 20_000)
    order = shipped(buyer, merchant, scarf[1], address)
    actions.confirm_receipt(buyer=buyer, order_id=order.pk)
    day_nine = order.shipped_at + timedelta(days=9, minutes=1)
    assert tasks.remind_auto_confirm.call(order.pk) is False
    assert notifications.remind_auto_confirm(order_id=order.pk, now=day_nine) is False
    assert not Notification.objects.filter(kind="order_auto_confirm").exists()


def test_the_sweep_sends_a_reminder_its_task_lost_exactly_once(
    make_user, buyer, merchant, scarf, address
):
    # The test backend cannot defer a task: the reminder queued at shipping is lost, as when
    # a worker is down.
    fund(buyer, 20_000)
    order = shipped(buyer, merchant, scarf[1], address)
    carol = make_user("carol")
    fund(carol, 20_000)

    later = shipped(carol, merchant, scarf[1], make_address(carol), key="c")
    Order.objects.filter(pk=later.pk).update(shipped_at=order.shipped_at + timedelta(days=2))
    day_nine = order.shipped_at + timedelta(days=9, minutes=1)

    assert sweeps.run(app_label="social")[REMINDER] == 0
    assert sweeps.run(app_label="social", now=day_nine)[REMINDER] == 1
    assert sweeps.run(app_label="social", now=day_nine)[REMINDER] == 0
    assert [(kind, order_id) for kind, order_id, *_ in rows(buyer)][0] == (
        "order_auto_confirm",
        order.pk,
    )
    assert not Notification.objects.filter(recipient=carol, kind="order_auto_confirm").exists()
    # The shop's own sweep is unchanged by it; the whole sweep runs both.
    assert set(sweeps.run(app_label="shop")) == {"order.expire", "order.auto_complete"}
    assert sweeps.run(now=day_nine)[REMINDER] == 0


def test_the_sweep_leaves_a_reminder_already_sent_by_its_task(buyer, merchant, scarf, address):
    fund(buyer, 20_000)
    order = shipped(buyer, merchant, scarf[1], address)
    day_nine = order.shipped_at + timedelta(days=9, minutes=1)
    notifications.remind_auto_confirm(order_id=order.pk, now=day_nine)
    assert sweeps.run(app_label="social", now=day_nine)[REMINDER] == 0
    assert Notification.objects.filter(kind="order_auto_confirm").count() == 1


# Refunds -------------------------------------------------------------------------------


def kinds(user) -> list[tuple[str, dict]]:
    """(kind, what the refund notification adds) for the user, oldest first."""
    extra = ("refund_id", "amount", "answer", "decision")
    return [
        (kind, {k: v for k, v in data.items() if k in extra})
        for kind, _order_id, _actor, data in reversed(rows(user))
    ]


def test_a_declined_disputed_and_decided_refund_is_heard_by_each_party_once(
    make_user, buyer, merchant, scarf, address
):
    fund(buyer, 20_000)
    order = completed(buyer, merchant, scarf[1], address)
    refund = actions.request_refund(buyer=buyer, order_id=order.pk, reason="Torn")
    actions.answer_refund(merchant=merchant, order_id=order.pk, accept=False, note="Worn")
    actions.dispute_refund(buyer=buyer, order_id=order.pk, note="It came torn")
    operator = make_user("op", is_staff=True)
    actions.decide_refund(operator=operator, refund_id=refund.pk, decision="refund")

    money = {"refund_id": refund.pk, "amount": 12_900}
    assert kinds(buyer) == [
        ("order_shipped", {}),
        ("refund_answered", {**money, "answer": "decline"}),
        ("refund_decided", {**money, "decision": "refund"}),
    ]
    assert kinds(merchant) == [
        ("order_paid", {}),
        ("refund_requested", money),
        ("refund_disputed", money),
        ("refund_decided", {**money, "decision": "refund"}),
    ]
    actors = dict(
        Notification.objects.filter(order_id=order.pk).values_list("kind", "actor_id").distinct()
    )
    assert actors["refund_requested"] == buyer.pk
    assert actors["refund_answered"] == merchant.pk
    assert actors["refund_decided"] == operator.pk
    # Every move told again (a replayed signal) writes nothing more.
    count = Notification.objects.count()
    refund.refresh_from_db()
    for verb in ("request", "decline", "dispute", "decide"):
        refund_moved.send(
            sender=RefundRequest, refund=refund, verb=verb, from_state="", actor_id=None
        )
    assert Notification.objects.count() == count


def test_an_accepted_refund_is_heard_by_the_buyer(buyer, merchant, scarf, address):
    fund(buyer, 20_000)
    order = completed(buyer, merchant, scarf[1], address)
    refund = actions.request_refund(buyer=buyer, order_id=order.pk, reason="Wrong size")
    actions.answer_refund(merchant=merchant, order_id=order.pk, accept=True)
    assert kinds(buyer)[-1] == (
        "refund_answered",
        {"refund_id": refund.pk, "amount": 12_900, "answer": "accept"},
    )
    assert [kind for kind, _ in kinds(merchant)] == ["order_paid", "refund_requested"]


def test_a_return_is_heard_when_accepted_and_when_the_goods_arrive(buyer, merchant, scarf, address):
    fund(buyer, 20_000)
    order = completed(buyer, merchant, scarf[1], address)
    refund = actions.request_refund(buyer=buyer, order_id=order.pk, reason="Wrong colour")
    refunds.move(refund, "accept_return", context={"actor_id": merchant.pk})
    refunds.move(refund, "ship_return", context={"actor_id": buyer.pk}, return_tracking="YT1")
    refunds.move(refund, "receive_return", context={"actor_id": merchant.pk})
    answers = [data.get("answer") for kind, data in kinds(buyer) if kind == "refund_answered"]
    assert answers == ["accept_return", "receive_return"]
    assert [kind for kind, _ in kinds(merchant)] == ["order_paid", "refund_requested"]


def test_a_refused_refund_answer_tells_nobody(make_user, buyer, merchant, scarf, address):
    fund(buyer, 20_000)
    order = completed(buyer, merchant, scarf[1], address)
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="Torn")
    with pytest.raises(DomainError) as refused:
        actions.answer_refund(merchant=merchant, order_id=order.pk, accept=False, note="")
    assert refused.value.code == "validation_error"
    rival = make_user("rival", kind="merchant", verified=True)
    with pytest.raises(DomainError):
        actions.answer_refund(merchant=rival, order_id=order.pk, accept=True)
    assert not Notification.objects.filter(kind="refund_answered").exists()


def test_each_party_sees_only_its_own_order_notifications(
    make_user, buyer, merchant, scarf, address
):
    fund(buyer, 20_000)
    order = completed(buyer, merchant, scarf[1], address)
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="Torn")
    stranger = make_user("mallory")

    buyer_kinds = {kind for kind, *_ in rows(buyer)}
    merchant_kinds = {kind for kind, *_ in rows(merchant)}
    assert buyer_kinds == {"order_shipped"}
    assert merchant_kinds == {"order_paid", "refund_requested"}
    assert rows(stranger) == []
    assert social_selectors.unread_notification_count(user=buyer) == 1
    assert social_selectors.unread_notification_count(user=merchant) == 2
