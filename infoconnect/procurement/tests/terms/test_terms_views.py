"""The terms pages: the merchant's companies on terms, the cart's payment choice and the
company's payables, paid by finance."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from infoconnect.procurement.actions import statements as statement_actions
from infoconnect.procurement.models import PaymentTerms, Receivable, TermsPayment
from infoconnect.procurement.tests.requisitions.world import FUNDING, draft
from infoconnect.procurement.tests.terms.world import company_wallet, grant, on_terms
from infoconnect.shop import actions as shop
from infoconnect.shop.models import Order

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_merchant_grants_terms_by_the_companys_code(world):
    shop = client_for(world.merchant_a)
    response = shop.post(
        reverse("procurement:terms_grant"),
        {
            "uscc": world.company.uscc,
            "net_days": "30",
            "credit_limit": "8000.00",
            "grace_days": "7",
        },
        follow=True,
    )
    assert "Payment terms granted." in response.text
    terms = PaymentTerms.objects.get()
    assert (terms.net_days, terms.credit_limit) == (30, 800_000)
    page = shop.get(reverse("procurement:merchant_terms")).text
    assert world.company.legal_name in page and "¥0.00 / ¥8,000.00" in page
    refused = shop.post(
        reverse("procurement:terms_grant"),
        {"uscc": world.company.uscc, "net_days": "45", "credit_limit": "10"},
    )
    assert refused.status_code == 422
    assert "Choose terms of 0 (due on delivery), 7, 15, 30, 60 or 90 days." in refused.text
    assert client_for(world.buyer).get(reverse("procurement:merchant_terms")).status_code == 403


def test_the_cart_offers_terms_only_when_every_merchant_grants_them(world):
    grant(world, world.merchant_a)
    draft(world, (world.sku_a, 1), (world.sku_b, 1))
    buyer = client_for(world.buyer)
    page = buyer.get(reverse("procurement:requisition_cart", args=[world.company.pk])).text
    assert 'value="on_terms"' not in page
    assert "these merchants grant the company no payment terms: shop_b" in page
    grant(world, world.merchant_b)
    page = buyer.get(reverse("procurement:requisition_cart", args=[world.company.pk])).text
    assert 'value="on_terms"' in page


def test_finance_pays_from_the_payables_page(world):
    grant(world, world.merchant_a)
    order = Order.objects.get(requisition_id=on_terms(world, (world.sku_a, 1)).pk)
    receivable = Receivable.objects.get(order=order)
    finance = client_for(world.finance)
    url = reverse("procurement:payables", args=[world.company.pk])
    page = finance.get(url).text
    assert "Due ¥0.00 · overdue ¥0.00 · not delivered yet ¥3,100.00" in page
    assert "Pay ¥3,100.00" in page
    key = str(uuid.uuid4())
    form = {"key": key, "merchant_id": world.merchant_a.pk, "receivable_id": receivable.pk}
    pay_url = reverse("procurement:terms_pay", args=[world.company.pk])
    done = finance.post(pay_url, form, follow=True)
    assert "Paid ¥3,100.00 from the company wallet (payment TP-" in done.text
    finance.post(pay_url, form)  # the same form again pays nothing more
    assert TermsPayment.objects.count() == 1
    assert company_wallet(world) == FUNDING - 310_000
    assert "Nothing owed." in finance.get(url).text


def test_a_buyer_neither_sees_nor_pays_the_payables(world):
    grant(world, world.merchant_a)
    order = Order.objects.get(requisition_id=on_terms(world, (world.sku_a, 1)).pk)
    buyer = client_for(world.buyer)
    assert buyer.get(reverse("procurement:payables", args=[world.company.pk])).status_code == 403
    refused = buyer.post(
        reverse("procurement:terms_pay", args=[world.company.pk]),
        {"key": "k", "merchant_id": world.merchant_a.pk,
         "receivable_id": Receivable.objects.get(order=order).pk},
    )  # fmt: skip
    assert refused.status_code == 403
    assert not TermsPayment.objects.exists()


def test_confirming_an_order_on_terms_says_it_is_now_due(world):
    grant(world, world.merchant_a)
    order = Order.objects.get(requisition_id=on_terms(world, (world.sku_a, 1)).pk)
    shop.ship_order(
        merchant=world.merchant_a, order_id=order.pk, carrier="SF", tracking_number="SF1"
    )
    url = f"/companies/{world.company.pk}/orders/{order.pk}/confirm/"
    response = client_for(world.buyer).post(url, {"key": "k-terms"}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        f"Receipt of order {order.pk} confirmed. It is now due on the merchant's terms."
    ]
    assert Receivable.objects.get(order=order).state == Receivable.State.DUE


def test_finance_pays_a_statement_from_its_page(world):
    grant(world, world.merchant_a)
    order = Order.objects.get(requisition_id=on_terms(world, (world.sku_a, 1)).pk)
    month = timezone.localdate().replace(day=1)
    # Issued once the month is over (as the sweep does on the 1st).
    statement = statement_actions.issue_statement(
        merchant=world.merchant_a,
        company_id=world.company.pk,
        month=month,
        now=timezone.now() + timedelta(days=32),
    )
    finance = client_for(world.finance)
    page = finance.get(f"/companies/{world.company.pk}/statements/{statement.pk}/").text
    assert "Pay ¥3,100.00 from the company wallet" in page
    key = page.split('name="key" value="', 1)[1].split('"', 1)[0]
    form = {"key": key, "merchant_id": world.merchant_a.pk, "statement_id": statement.pk}
    done = finance.post(
        reverse("procurement:terms_pay", args=[world.company.pk]), form, follow=True
    )
    assert "Paid ¥3,100.00 from the company wallet (payment TP-" in done.text
    assert Receivable.objects.get(order=order).state == Receivable.State.SETTLED
    assert company_wallet(world) == FUNDING - 310_000
