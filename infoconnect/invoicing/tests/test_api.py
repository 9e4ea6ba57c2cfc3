"""The invoicing API: titles, a company's invoices and their PDFs, the merchant's invoices."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from infoconnect.invoicing.models import Invoice, InvoiceTitle, InvoicingSetting
from infoconnect.invoicing.tests.world import complete, make_world, ordered
from infoconnect.procurement.tests.factories import WRONG_CHECK, valid_uscc

pytestmark = pytest.mark.django_db

TITLE = {
    "name": "华夏设计（深圳）有限公司",
    "taxpayer_id": valid_uscc(11),
    "address_phone": "深圳市南山区科技园 0755-86000000",
    "bank_account": "建设银行科技园支行 44250100000000000001",
    "general_taxpayer": True,
}


def test_finance_adds_edits_confirms_and_archives_a_title(world, api_client):
    api = api_client(world.finance)
    base = f"/api/v1/companies/{world.company.pk}/invoice-titles"
    created = api.post(base, TITLE, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["verified"] is False and body["allows_special"] is True
    edited = api.put(
        f"{base}/{body['id']}",
        {**TITLE, "general_taxpayer": False, "bank_account": ""},
        content_type="application/json",
    )
    assert edited.json()["allows_special"] is False
    confirmed = api.post(f"{base}/{body['id']}/confirm")
    assert confirmed.json()["verified"] is True
    listed = api.get(base).json()
    assert [t["name"] for t in listed] == ["华夏设计有限公司", "华夏设计（深圳）有限公司"]
    archived = api.post(f"{base}/{body['id']}/archive")
    assert archived.json()["archived"] is True
    assert [t["name"] for t in api.get(base).json()] == ["华夏设计有限公司"]
    assert len(api.get(f"{base}?archived=true").json()) == 2


def test_bad_titles_are_422_with_the_field_and_nothing_is_saved(world, api_client):
    api = api_client(world.finance)
    base = f"/api/v1/companies/{world.company.pk}/invoice-titles"
    before = InvoiceTitle.objects.count()
    response = api.post(
        base, {**TITLE, "taxpayer_id": WRONG_CHECK}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_taxpayer_id"
    response = api.post(base, {**TITLE, "bank_account": "银" * 51}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "field_too_long"
    assert list(response.json()["fields"]) == ["bank_account"]
    assert InvoiceTitle.objects.count() == before


def test_a_buyer_and_another_company_may_not_touch_titles(world, api_client, make_user):
    base = f"/api/v1/companies/{world.company.pk}/invoice-titles"
    buyer = api_client(world.firm.people["designer"])
    response = buyer.post(base, TITLE, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "role_required")
    other = make_world(make_user, prefix="o_", code=valid_uscc(903))
    stranger = api_client(other.finance)
    response = stranger.get(base)
    assert (response.status_code, response.json()["code"]) == (404, "not_a_member")
    response = stranger.post(
        f"/api/v1/companies/{other.company.pk}/invoice-titles/{world.title.pk}/archive"
    )
    assert (response.status_code, response.json()["code"]) == (404, "invoice_title_not_found")


def test_a_company_reads_its_invoices_and_their_pdf(
    world, api_client, django_capture_on_commit_callbacks
):
    order = complete(world, ordered(world, quantity=3), django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get()
    api = api_client(world.firm.people["viewer"])
    base = f"/api/v1/companies/{world.company.pk}/invoices"
    (summary,) = api.get(base).json()
    assert summary["number"] == invoice.number and summary["total"] == 6_000
    detail = api.get(f"{base}/{invoice.pk}").json()
    assert detail["order_ids"] == [order.pk]
    assert (detail["net"], detail["tax"], detail["state"]) == (5_310, 690, "issued")
    assert detail["lines"][0]["name"] == "*计算机*Longjing"
    response = api.get(f"{base}/{invoice.pk}/pdf")
    assert response["Content-Type"] == "application/pdf"
    assert invoice.number in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    buyer = api_client(world.firm.people["designer"])
    assert buyer.get(base).status_code == 403


def test_the_merchant_issues_a_merged_invoice_once(
    world, api_client, make_user, django_capture_on_commit_callbacks
):
    ordered(world)
    api = api_client(world.merchant)
    response = api.put(
        f"/api/v1/merchant/invoicing/{world.company.pk}",
        {"mode": "monthly"},
        content_type="application/json",
    )
    assert response.json() == {"company_id": world.company.pk, "mode": "monthly"}
    complete(world, ordered(world, quantity=2), django_capture_on_commit_callbacks)
    month = timezone.localdate().strftime("%Y-%m")
    payload = {"company_id": world.company.pk, "month": month}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/merchant/invoices/merged",
            payload,
            content_type="application/json",
            headers={"Idempotency-Key": "merge-1"},
        )
    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["total"], body["scope"]) == ("requested", 4_000, "monthly")
    # A replay is the first answer; another request for the month is refused.
    replay = api.post(
        "/api/v1/merchant/invoices/merged",
        payload,
        content_type="application/json",
        headers={"Idempotency-Key": "merge-1"},
    )
    assert replay.json() == body
    again = api.post("/api/v1/merchant/invoices/merged", payload, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "month_invoiced")
    detail = api.get(f"/api/v1/merchant/invoices/{body['id']}").json()
    assert detail["state"] == "issued" and len(detail["number"]) == 20
    bad = api.post(
        "/api/v1/merchant/invoices/merged",
        {"company_id": world.company.pk, "month": "2026/11"},
        content_type="application/json",
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_month")
    rival = api_client(make_user("rival", kind="merchant", verified=True))
    assert rival.get(f"/api/v1/merchant/invoices/{body['id']}").status_code == 404
    assert rival.get("/api/v1/merchant/invoices").json() == []
    response = rival.put(
        f"/api/v1/merchant/invoicing/{world.company.pk}",
        {"mode": "per_order"},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (404, "not_a_customer")
    assert InvoicingSetting.objects.get().mode == "monthly"
    person = api_client(world.finance)
    assert person.get("/api/v1/merchant/invoices").json()["code"] == "not_a_merchant"
