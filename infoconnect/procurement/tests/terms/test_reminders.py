"""Finance is reminded three days before and on the due date, each exactly once."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from infoconnect.core import sweeps
from infoconnect.messaging.models import Message
from infoconnect.procurement.actions.terms_payments import pay_receivables
from infoconnect.procurement.actions.terms_reminders import send_reminder
from infoconnect.procurement.lifecycle import terms_reminders
from infoconnect.procurement.models import Receivable, TermsReminder
from infoconnect.procurement.tests.terms.world import deliver, grant, on_terms
from infoconnect.shop.models import Order

pytestmark = pytest.mark.django_db


def delivered(world) -> Receivable:
    grant(world, world.merchant_a, net_days=7)
    order = Order.objects.get(requisition_id=on_terms(world, (world.sku_a, 1)).pk)
    deliver(order, world)
    return Receivable.objects.get(order=order)


def reminders_to(user) -> list[str]:
    return list(
        Message.objects.filter(conversation__participants__user=user, body__contains="order #")
        .order_by("pk")
        .values_list("body", flat=True)
    )


def test_each_reminder_goes_to_finance_once_at_its_time(world):
    receivable = delivered(world)
    before, on_due = receivable.reminders.order_by("send_at")
    assert not send_reminder(termsreminder_id=before.pk)  # not yet its time
    later = before.send_at + timedelta(minutes=1)
    assert send_reminder(termsreminder_id=before.pk, now=later)
    assert not send_reminder(termsreminder_id=before.pk, now=later)
    day = date_format(receivable.due_on, "DATE_FORMAT")
    assert reminders_to(world.finance) == [
        f"¥3,100.00 for order #{receivable.order_id} from shop_a shop falls due on {day}. "
        "Pay it on the company's payables page."
    ]
    assert reminders_to(world.buyer) == []
    # The sweep sends the day's reminder once, however often it runs.
    at_due = on_due.send_at + timedelta(minutes=1)
    counts = sweeps.run(now=at_due, app_label="procurement")
    assert counts["termsreminder.send"] == 1
    assert sweeps.run(now=at_due, app_label="procurement")["termsreminder.send"] == 0
    texts = reminders_to(world.finance)
    assert len(texts) == 2 and "is due today" in texts[1]
    assert set(TermsReminder.objects.values_list("state", flat=True)) == {"sent"}


def test_a_paid_amount_is_not_reminded(world):
    receivable = delivered(world)
    pay_receivables(
        user=world.finance, company_id=world.company.pk, merchant_id=world.merchant_a.pk,
        receivable_ids=[receivable.pk],
    )  # fmt: skip
    assert set(receivable.reminders.values_list("state", flat=True)) == {"dropped"}
    far = timezone.now() + timedelta(days=30)
    assert sweeps.run(now=far, app_label="procurement")["termsreminder.send"] == 0
    assert reminders_to(world.finance) == []
    assert terms_reminders.allows(receivable.reminders.first(), "send") is False
