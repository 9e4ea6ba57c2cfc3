"""The payment terms API: merchants grant and change terms, finance pays with an
Idempotency-Key, requisitions choose on terms and an invoice."""

import pytest

from infoconnect.procurement.models import PaymentTerms, Receivable, TermsPayment
from infoconnect.procurement.tests.api.helpers import new_body, patch, post
from infoconnect.procurement.tests.requisitions.world import FUNDING
from infoconnect.procurement.tests.terms.world import company_wallet, grant, on_terms
from infoconnect.shop.models import Order

pytestmark = pytest.mark.django_db


def test_a_merchant_grants_changes_and_withdraws_terms(api_client, world):
    shop = api_client(world.merchant_a)
    body = {"company_id": world.company.pk, "net_days": 30, "credit_limit": 500_000}
    response = post(shop, "/api/v1/payment_terms", body)
    assert response.status_code == 201, response.json()
    assert response.json() | {"display": ""} == {
        "company_id": world.company.pk,
        "company_name": world.company.legal_name,
        "merchant_id": world.merchant_a.pk,
        "net_days": 30,
        "credit_limit": 500_000,
        "outstanding": 0,
        "available": 500_000,
        "grace_days": 7,
        "active": True,
        "display": "",
    }
    assert response.json()["display"] == "Net 30 · ¥0.00 / ¥5,000.00"
    assert post(shop, "/api/v1/payment_terms", body).json()["code"] == "terms_exist"
    changed = shop.put(
        f"/api/v1/payment_terms/{world.company.pk}",
        {"net_days": 45, "credit_limit": 1},
        content_type="application/json",
    )
    assert (changed.status_code, changed.json()["code"]) == (422, "net_days_invalid")
    withdrawn = shop.delete(f"/api/v1/payment_terms/{world.company.pk}")
    assert withdrawn.json()["active"] is False
    assert [row["company_id"] for row in shop.get("/api/v1/payment_terms").json()] == [
        world.company.pk
    ]


def test_others_may_not_touch_a_merchants_terms(api_client, world):
    grant(world, world.merchant_a)
    other_shop = api_client(world.merchant_b)
    assert other_shop.get("/api/v1/payment_terms").json() == []
    refused = other_shop.delete(f"/api/v1/payment_terms/{world.company.pk}")
    assert (refused.status_code, refused.json()["code"]) == (404, "terms_not_found")
    person = api_client(world.buyer)
    body = {"company_id": world.company.pk, "net_days": 30, "credit_limit": 500}
    refused = post(person, "/api/v1/payment_terms", body)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_a_merchant")
    assert PaymentTerms.objects.get().active


def test_a_requisition_on_terms_through_the_api(api_client, world):
    grant(world, world.merchant_a)
    buyer = api_client(world.buyer)
    refused = post(
        buyer,
        "/api/v1/requisitions",
        new_body(world, (world.sku_a, 1), (world.sku_b, 1), payment_method="on_terms"),
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "merchant_grants_no_terms")
    made = post(
        buyer, "/api/v1/requisitions", new_body(world, (world.sku_a, 1), payment_method="on_terms")
    )
    assert made.status_code == 201, made.json()
    assert made.json()["payment_method"] == "on_terms"
    bad = patch(buyer, f"/api/v1/requisitions/{made.json()['id']}", {"invoice_kind": "special"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invoice_title_required")


def test_finance_pays_through_the_api_once_per_key(api_client, world):
    grant(world, world.merchant_a)
    order = Order.objects.get(requisition_id=on_terms(world, (world.sku_a, 1)).pk)
    receivable = Receivable.objects.get(order=order)
    finance = api_client(world.finance)
    listed = finance.get(
        f"/api/v1/companies/{world.company.pk}/receivables?merchant_id={world.merchant_a.pk}"
    )
    assert [(r["id"], r["open_amount"], r["state"]) for r in listed.json()] == [
        (receivable.pk, 310_000, "open")
    ]
    url = f"/api/v1/companies/{world.company.pk}/terms_payments"
    body = {"merchant_id": world.merchant_a.pk, "receivable_ids": [receivable.pk]}
    assert post(finance, url, body).json()["code"] == "idempotency_key_missing"
    first = post(finance, url, body, key="pay-1")
    assert first.status_code == 201, first.json()
    assert (first.json()["amount"], first.json()["commission"]) == (310_000, 6_200)
    again = post(finance, url, body, key="pay-1")
    assert again.json() == first.json()
    assert TermsPayment.objects.count() == 1
    assert company_wallet(world) == FUNDING - 310_000
    reused = post(finance, url, {**body, "receivable_ids": [999]}, key="pay-1")
    assert (reused.status_code, reused.json()["code"]) == (409, "idempotency_key_reused")


def test_a_buyer_may_not_pay_through_the_api(api_client, world):
    grant(world, world.merchant_a)
    receivable = Receivable.objects.get(
        order=Order.objects.get(requisition_id=on_terms(world, (world.sku_a, 1)).pk)
    )
    url = f"/api/v1/companies/{world.company.pk}/terms_payments"
    body = {"merchant_id": world.merchant_a.pk, "receivable_ids": [receivable.pk]}
    refused = post(api_client(world.buyer), url, body, key="k1")
    assert (refused.status_code, refused.json()["code"]) == (403, "role_required")
    refused = post(api_client(world.merchant_a), url, body, key="k2")
    assert (refused.status_code, refused.json()["code"]) == (404, "not_a_member")
    assert not TermsPayment.objects.exists()
    terms = api_client(world.buyer).get(f"/api/v1/companies/{world.company.pk}/payment_terms")
    assert [row["outstanding"] for row in terms.json()] == [310_000]
