"""The invoicing pages: a company's titles and invoices, the merchant's invoices."""

import io

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from infoconnect.invoicing.models import Invoice, InvoiceTitle, InvoicingSetting
from infoconnect.invoicing.tests.world import complete, make_world, ordered
from infoconnect.procurement.models import PaymentTerms, PriceList, Receivable
from infoconnect.procurement.tests.factories import valid_uscc
from infoconnect.shop.models import Order

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def issued(world, django_capture_on_commit_callbacks):
    order = complete(world, ordered(world, quantity=3), django_capture_on_commit_callbacks)
    return Invoice.objects.get(), order


def test_finance_adds_a_title_from_the_page(world):
    client = client_for(world.finance)
    url = f"/companies/{world.company.pk}/invoice-titles/"
    page = client.get(url)
    assert page.status_code == 200 and "华夏设计有限公司" in page.content.decode()
    response = client.post(
        url,
        {
            "name": "华夏分公司",
            "taxpayer_id": valid_uscc(5),
            "address_phone": "",
            "bank_account": "",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "Invoice title 华夏分公司 added; finance confirms it before orders use it." in body
    assert "Awaiting finance's confirmation" in body
    title = InvoiceTitle.objects.get(name="华夏分公司")
    response = client.post(f"{url}{title.pk}/confirm/", follow=True)
    assert "Title confirmed: orders may use it." in response.content.decode()


def test_a_too_long_field_is_shown_on_that_field_and_nothing_is_saved(world):
    client = client_for(world.finance)
    response = client.post(
        f"/companies/{world.company.pk}/invoice-titles/",
        {
            "name": "华夏分公司",
            "taxpayer_id": valid_uscc(5),
            "address_phone": "上" * 51,
            "bank_account": "",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'data-field="address_phone"' in body
    assert "Registered address and phone takes at most 100 bytes in GBK" in body
    assert not InvoiceTitle.objects.filter(name="华夏分公司").exists()


def test_a_buyer_may_not_open_the_titles_and_another_company_sees_nothing(world, make_user):
    buyer = client_for(world.firm.people["designer"])
    response = buyer.get(f"/companies/{world.company.pk}/invoice-titles/")
    assert response.status_code == 403
    other = make_world(make_user, prefix="o_", code=valid_uscc(901))
    stranger = client_for(other.finance)
    assert stranger.get(f"/companies/{world.company.pk}/invoice-titles/").status_code == 404
    response = stranger.post(
        f"/companies/{other.company.pk}/invoice-titles/{world.title.pk}/archive/"
    )
    assert response.status_code == 404
    world.title.refresh_from_db()
    assert world.title.archived_at is None


def test_a_viewer_reads_the_invoice_and_downloads_its_pdf(world, issued):
    invoice, order = issued
    client = client_for(world.firm.people["viewer"])
    listing = client.get(f"/companies/{world.company.pk}/invoices/").content.decode()
    assert invoice.number in listing and "¥60.00" in listing
    page = client.get(f"/companies/{world.company.pk}/invoices/{invoice.pk}/").content.decode()
    assert f"Invoice {invoice.number}" in page
    assert "*计算机*Longjing" in page and "¥53.10" in page and "¥6.90" in page and "13%" in page
    assert f"#{order.pk}" in page
    assert 'id="invoice-pay"' not in page
    response = client.get(f"/companies/{world.company.pk}/invoices/{invoice.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{invoice.number}.pdf"'
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert invoice.number in text and "陆拾元整" in text


def test_a_buyer_and_another_company_may_not_read_invoices(world, issued, make_user):
    invoice, _order = issued
    buyer = client_for(world.firm.people["designer"])
    assert buyer.get(f"/companies/{world.company.pk}/invoices/").status_code == 403
    other = make_world(make_user, prefix="o_", code=valid_uscc(902))
    stranger = client_for(other.finance)
    assert stranger.get(f"/companies/{world.company.pk}/invoices/{invoice.pk}/").status_code == 404
    # Through its own company's address, another company's invoice does not exist.
    response = stranger.get(f"/companies/{other.company.pk}/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 404


def test_finance_is_offered_to_pay_the_invoices_orders_still_owed_on_terms(
    world, issued, monkeypatch
):
    invoice, order = issued
    terms = PaymentTerms.objects.create(
        merchant=world.merchant, company=world.company, credit_limit=1_000_000, outstanding=6_000
    )
    Receivable.objects.create(
        terms=terms,
        order=order,
        company=world.company,
        merchant=world.merchant,
        amount=6_000,
        paid=1_000,
        state=Receivable.State.DUE,
    )
    url = f"/companies/{world.company.pk}/invoices/{invoice.pk}/"
    page = client_for(world.finance).get(url).content.decode()
    assert f'action="/companies/{world.company.pk}/payables/pay/"' in page
    assert "Pay ¥50.00 from the company wallet" in page
    assert f'name="invoice_id" value="{invoice.pk}"' in page
    # A viewer reads the invoice but does not pay it.
    assert (
        'id="invoice-pay"' not in client_for(world.firm.people["viewer"]).get(url).content.decode()
    )


def set_monthly(client, world) -> str:
    """The merchant invoices the company merged monthly; the page it lands on."""
    response = client.post(
        "/shop/manage/invoices/mode/",
        {"company_id": world.company.pk, "mode": "monthly"},
        follow=True,
    )
    return response.content.decode()


def test_the_merchant_sets_monthly_issues_the_merged_invoice_and_reads_it(
    world, django_capture_on_commit_callbacks
):
    ordered(world)
    client = client_for(world.merchant)
    page = client.get("/shop/manage/invoices/").content.decode()
    month = timezone.localdate().strftime("%Y-%m")
    assert f"Issue merged invoice for {month}" in page
    assert "Huaxia Design: Merged monthly (集中开票)." in set_monthly(client, world)
    assert InvoicingSetting.objects.get().mode == "monthly"
    complete(world, ordered(world, quantity=2), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/shop/manage/invoices/merged/",
            {"company_id": world.company.pk, "month": month},
            follow=True,
        )
    body = response.content.decode()
    assert f"Merged invoice for {month} requested from the invoice provider." in body
    # Asked for, and the provider's answer comes after: the page says so.
    assert '<td id="invoice-state">Requested' in body
    invoice = Invoice.objects.get()
    assert invoice.state == Invoice.State.ISSUED
    page = client.get(f"/shop/manage/invoices/{invoice.pk}/").content.decode()
    assert f"Invoice {invoice.number}" in page and f"Merged for {month}" in page
    again = client.post(
        "/shop/manage/invoices/merged/",
        {"company_id": world.company.pk, "month": month},
        follow=True,
    )
    assert "merged invoice for that month has already been issued" in again.content.decode()
    pdf = client.get(f"/shop/manage/invoices/{invoice.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"


def test_a_company_with_terms_or_a_price_list_is_listed_before_its_first_order(world, make_user):
    """Merged invoicing is chosen before the first order is invoiced, so a company that has
    the merchant's terms or a price list of its is offered it, not only one that ordered."""
    assert Order.objects.count() == 0
    client = client_for(world.merchant)
    assert 'id="invoicing-companies"' not in client.get("/shop/manage/invoices/").content.decode()
    PaymentTerms.objects.create(
        merchant=world.merchant, company=world.company, credit_limit=1_000_000
    )
    PriceList.objects.create(merchant=world.merchant, company=world.company, name="Framework")
    page = client.get("/shop/manage/invoices/").content.decode()
    assert page.count(f'id="invoicing-company-{world.company.pk}"') == 1
    assert f"How you invoice {world.company.legal_name}" in page
    assert "Huaxia Design: Merged monthly (集中开票)." in set_monthly(client, world)
    # A price list alone makes the company a customer too.
    pricing = make_user("pricing", kind="merchant", verified=True)
    PriceList.objects.create(merchant=pricing, company=world.company, name="2026 framework")
    priced = client_for(pricing).get("/shop/manage/invoices/").content.decode()
    assert priced.count(f'id="invoicing-company-{world.company.pk}"') == 1
    rival = client_for(make_user("rival", kind="merchant", verified=True))
    assert 'id="invoicing-companies"' not in rival.get("/shop/manage/invoices/").content.decode()


def test_another_merchant_sees_none_of_it(world, issued, make_user):
    invoice, _order = issued
    rival = client_for(make_user("rival", kind="merchant", verified=True))
    assert invoice.number not in rival.get("/shop/manage/invoices/").content.decode()
    assert rival.get(f"/shop/manage/invoices/{invoice.pk}/").status_code == 404
    assert rival.get(f"/shop/manage/invoices/{invoice.pk}/pdf/").status_code == 404
    response = rival.post(
        "/shop/manage/invoices/merged/",
        {"company_id": world.company.pk, "month": timezone.localdate().strftime("%Y-%m")},
        follow=True,
    )
    assert "That company does not buy from you." in response.content.decode()
    assert Invoice.objects.count() == 1
    person = client_for(world.finance)
    assert person.get("/shop/manage/invoices/").status_code == 403


def test_the_company_page_links_invoices_for_those_who_read_them(world):
    url = f"/companies/{world.company.pk}/"
    finance = client_for(world.finance).get(url).content.decode()
    assert 'id="company-invoices-link"' in finance
    assert 'id="company-invoice-titles-link"' in finance
    viewer = client_for(world.firm.people["viewer"]).get(url).content.decode()
    assert 'id="company-invoices-link"' in viewer
    assert 'id="company-invoice-titles-link"' not in viewer
    buyer = client_for(world.firm.people["designer"]).get(url).content.decode()
    assert 'id="company-invoices-link"' not in buyer


def test_the_merchant_finds_its_invoices_from_its_orders(world):
    page = client_for(world.merchant).get("/shop/manage/orders/").content.decode()
    assert 'href="/shop/manage/invoices/" id="merchant-invoices-link"' in page
