"""The statement pages, CSV and PDF on both sides, the forms that confirm, dispute and answer,
and the proforma PDFs: exactly what a user sees, and who is refused."""

import csv
import io
import re

import pytest
from pypdf import PdfReader

from infoconnect.procurement.actions import statements as actions
from infoconnect.procurement.models import Quote, QuoteLine, QuoteRevision, Statement
from infoconnect.procurement.statement_reads import month_lines
from infoconnect.procurement.tests.factories import add
from infoconnect.procurement.tests.requisitions.world import draft
from infoconnect.procurement.tests.statements.world import at, credit, order_on_terms, payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def statement(w, toner):
    order_on_terms(w, [(w.sku_a, 2, 1300), (toner, 2, 600)], placed_at=at(w.month, 2))
    second = order_on_terms(w, [(w.sku_a, 1, 1300)], placed_at=at(w.month, 9), po_number="PO-9")
    payment(w, 200_000, paid_at=at(w.month, 10))
    credit(second, 10_000, closed_at=at(w.month, 12))
    return actions.issue_statement(merchant=w.merchant_a, company_id=w.company.pk, month=w.month)


def url(w, statement, tail=""):
    return f"/companies/{w.company.pk}/statements/{statement.pk}/{tail}"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_finance_sees_the_totals_lines_and_forms(client, w, statement):
    client.force_login(w.finance)
    response = client.get(url(w, statement))
    assert response.status_code == 200
    page = text(response)
    assert f"Statement S-{statement.pk} for {w.month:%Y-%m}" in page
    assert '<td data-testid="opening">¥0.00</td>' in page
    assert '<td data-testid="orders">¥9,391.00</td>' in page
    assert '<td data-testid="payments">−¥2,000.00</td>' in page
    assert '<td data-testid="credits">−¥100.00</td>' in page
    assert '<td data-testid="closing"><strong>¥7,291.00</strong></td>' in page
    assert page.count('data-testid="statement-line"') == 3
    assert "硒鼓 Toner (colour: red)" in page and "not invoiced" in page
    assert "Confirm statement" in page and "Dispute this line" in page
    assert "Pay ¥9,291.00 from the company wallet" in page


def test_the_pay_form_posts_the_statement_to_the_terms_page(client, w, statement, settings):
    client.force_login(w.finance)
    page = text(client.get(url(w, statement)))
    assert f'action="/companies/{w.company.pk}/payables/pay/"' in page
    assert f'name="statement_id" value="{statement.pk}"' in page
    assert f'name="merchant_id" value="{w.merchant_a.pk}"' in page
    assert "Pay ¥9,291.00 from the company wallet" in page
    # A viewer reads the statement but pays nothing.
    client.force_login(w.viewer)
    page = text(client.get(url(w, statement)))
    assert "from the company wallet" not in page and "Confirm statement" not in page


def test_the_csv_opens_in_excel_with_its_chinese_and_adds_up(client, w, statement):
    client.force_login(w.viewer)
    response = client.get(url(w, statement, "statement.csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="statement-{statement.pk}-{w.month:%Y-%m}.csv"'
    )
    raw = response.content
    assert (
        raw.startswith(b"\xef\xbb\xbf")
        and b"\r\n" in raw
        and b"\n" not in raw.replace(b"\r\n", b"")
    )
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    head = {row[0]: row[1] for row in rows[:12] if len(row) == 2}
    assert head["Buyer"] == w.company.legal_name
    assert head["Closing balance"] == "7291.00"
    start = next(i for i, row in enumerate(rows) if row and row[0] == "Date")
    lines = [row for row in rows[start + 1 :] if row and row[0] != "" and row[0][0].isdigit()]
    assert [(r[6], r[7], r[12], r[13]) for r in lines] == [
        ("Laser printer (colour: red)", "2", "6200.00", "not invoiced"),
        ("硒鼓 Toner (colour: red)", "2", "91.00", "not invoiced"),
        ("Laser printer (colour: red)", "1", "3100.00", "not invoiced"),
    ]
    assert lines[0][3] == "Buyer" and lines[0][4] == "设计部"
    total = sum(round(float(r[12]) * 100) for r in lines)
    assert total == statement.orders_total
    assert all(round(float(r[9]) * 100) + round(float(r[11]) * 100) == round(float(r[12]) * 100)
               for r in lines)  # fmt: skip


def test_the_pdf_reads_back_with_its_figures(client, w, statement):
    client.force_login(w.finance)
    response = client.get(url(w, statement, "statement.pdf"))
    assert response["Content-Type"] == "application/pdf"
    content = pdf_text(response.content)
    assert f"Statement S-{statement.pk} · 对账单" in content
    for figure in ("¥9,391.00", "-¥2,000.00", "-¥100.00", "¥7,291.00", "硒鼓", "设计部"):
        assert figure in content
    assert "TP-" in content and "CN-" in content


def test_who_is_refused(client, w, statement, make_user):
    client.force_login(w.buyer)
    assert client.get(url(w, statement)).status_code == 403
    assert client.get(url(w, statement, "statement.csv")).status_code == 403
    stranger = make_user("li")
    client.force_login(stranger)
    assert client.get(url(w, statement, "statement.pdf")).status_code == 404
    client.force_login(w.merchant_b)
    assert client.get(f"/companies/merchant/statements/{statement.pk}/").status_code == 404
    client.force_login(w.buyer)
    assert client.get("/companies/merchant/statements/").status_code == 403


def test_finance_disputes_the_merchant_answers_finance_confirms(client, w, statement):
    line = month_lines(statement).order_by("id").first()
    client.force_login(w.finance)
    response = client.post(
        url(w, statement, "dispute/"), {"order_line_id": line.pk, f"reason_{line.pk}": "价格不对"}
    )
    assert response.status_code == 302
    page = text(client.get(url(w, statement)))
    assert "Dispute sent to the merchant." in page
    assert '<strong data-testid="statement-state">Disputed</strong>' in page
    assert '<span data-testid="dispute-reason">价格不对</span>' in page
    assert "Confirm statement" not in page

    client.force_login(w.merchant_a)
    dispute = statement.disputes.get()
    merchant_url = f"/companies/merchant/statements/{statement.pk}/"
    client.post(f"{merchant_url}disputes/{dispute.pk}/answer/", {"answer": ""})
    assert "Write an answer of up to 1,000 characters." in text(client.get(merchant_url))
    client.post(f"{merchant_url}disputes/{dispute.pk}/answer/", {"answer": "合同价 2026"})
    page = text(client.get(merchant_url))
    assert '<span data-testid="dispute-answer">合同价 2026</span>' in page
    assert '<strong data-testid="statement-state">Issued</strong>' in page

    client.force_login(w.finance)
    client.post(url(w, statement, "confirm/"))
    statement.refresh_from_db()
    assert statement.state == Statement.State.CONFIRMED
    assert "Statement confirmed." in text(client.get(url(w, statement)))


def test_a_bad_dispute_says_why_and_writes_nothing(client, w, statement):
    line = month_lines(statement).order_by("id").first()
    client.force_login(w.finance)
    client.post(url(w, statement, "dispute/"), {"order_line_id": line.pk})
    page = text(client.get(url(w, statement)))
    assert "Choose lines of this statement, each once, with a reason" in page
    statement.refresh_from_db()
    assert statement.state == Statement.State.ISSUED and not statement.disputes.exists()
    client.force_login(w.buyer)
    assert client.post(url(w, statement, "confirm/")).status_code == 403


def test_the_merchant_issues_from_its_page(client, w):
    order_on_terms(w, [(w.sku_a, 1, 1300)], placed_at=at(w.month, 2))
    client.force_login(w.merchant_a)
    page = text(client.get("/companies/merchant/statements/"))
    assert f'<option value="{w.company.pk}">{w.company.legal_name}</option>' in page
    response = client.post(
        "/companies/merchant/statements/issue/",
        {"company_id": w.company.pk, "month": f"{w.month:%Y-%m}"},
    )
    statement = Statement.objects.get()
    assert response["Location"] == f"/companies/merchant/statements/{statement.pk}/"
    assert statement.orders_total == 310_000
    client.post(
        "/companies/merchant/statements/issue/",
        {"company_id": w.company.pk, "month": f"{w.month:%Y-%m}"},
    )
    assert "already been issued" in text(client.get("/companies/merchant/statements/"))
    client.post("/companies/merchant/statements/issue/", {"company_id": w.company.pk, "month": "x"})
    assert "a month that has ended" in text(client.get("/companies/merchant/statements/"))
    assert Statement.objects.count() == 1
    csv_response = client.get(f"/companies/merchant/statements/{statement.pk}/statement.csv")
    assert "¥" not in csv_response.content.decode("utf-8-sig")
    assert "3100.00" in csv_response.content.decode("utf-8-sig")


def test_the_requisition_proforma(client, w, make_user):
    requisition = draft(w.world, (w.sku_a, 2))
    client.force_login(w.buyer)
    page = text(client.get(f"/companies/{w.company.pk}/requisitions/{requisition.pk}/"))
    assert "Proforma (PDF, not a tax invoice)" in page
    response = client.get(f"/companies/{w.company.pk}/requisitions/{requisition.pk}/proforma.pdf")
    assert response["Content-Type"] == "application/pdf"
    content = pdf_text(response.content)
    assert "形式发票 — 非税务发票 / Proforma — not a tax invoice" in content
    assert "shop_a Trading Co., Ltd." in content and w.company.legal_name in content
    # ¥6,200.00 at 13%: net ¥5,486.73, tax ¥713.27.
    for figure in ("¥5,486.73", "¥713.27", "Total: ¥6,200.00"):
        assert figure in content
    # A member who neither asked for it nor oversees it does not see it.
    member = make_user("clerk")
    add(w.company, w.admin, member)
    client.force_login(member)
    assert (
        client.get(
            f"/companies/{w.company.pk}/requisitions/{requisition.pk}/proforma.pdf"
        ).status_code
        == 404
    )


def quote(w, *, priced=True):
    made = Quote.objects.create(
        company=w.company, merchant=w.merchant_a, requester=w.buyer, state="quoted", revision=2
    )
    request = QuoteRevision.objects.create(quote=made, number=1, kind="request", author=w.buyer)
    QuoteLine.objects.create(revision=request, position=1, title="笔记本电脑", quantity=10)
    if priced:
        offer = QuoteRevision.objects.create(
            quote=made, number=2, kind="quote", author=w.merchant_a, total=4_520_000
        )
        QuoteLine.objects.create(
            revision=offer, position=1, title="笔记本电脑", quantity=10, unit_price=452_000
        )
    return made


def test_the_quote_proforma(client, w, make_user):
    priced = quote(w)
    client.force_login(w.buyer)
    response = client.get(f"/companies/{w.company.pk}/quotes/{priced.pk}/proforma.pdf")
    content = pdf_text(response.content)
    assert f"Q-{priced.pk}-R2" in content and "笔记本电脑" in content
    assert "¥40,000.00" in content and "¥5,200.00" in content
    assert "Total: ¥45,200.00" in content
    client.force_login(w.merchant_a)
    assert client.get(f"/companies/merchant/quotes/{priced.pk}/proforma.pdf").status_code == 200
    client.force_login(w.merchant_b)
    assert client.get(f"/companies/merchant/quotes/{priced.pk}/proforma.pdf").status_code == 404
    client.force_login(make_user("li"))
    assert (
        client.get(f"/companies/{w.company.pk}/quotes/{priced.pk}/proforma.pdf").status_code == 404
    )
    unpriced = quote(w, priced=False)
    client.force_login(w.buyer)
    response = client.get(f"/companies/{w.company.pk}/quotes/{unpriced.pk}/proforma.pdf")
    assert response.status_code == 409


def test_the_page_and_csv_in_chinese(client, w, statement):
    client.force_login(w.finance)
    page = text(client.get(url(w, statement), headers={"accept-language": "zh-hans"}))
    assert "期末余额" in page and "确认对账单" in page and "未开票" in page
    raw = client.get(url(w, statement, "statement.csv"), headers={"accept-language": "zh-hans"})
    rows = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig"), newline="")))
    assert ["期末余额", "7291.00"] in rows
