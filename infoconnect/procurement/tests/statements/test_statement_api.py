"""The statements API: the company's reads and decisions, the merchant's issuing and answers,
proforma PDFs; errors in the common format, and who is refused."""

import io

import pytest
from pypdf import PdfReader

from infoconnect.procurement.models import Statement, StatementDispute
from infoconnect.procurement.statement_reads import month_lines
from infoconnect.procurement.tests.requisitions.world import draft
from infoconnect.procurement.tests.statements.world import at, order_on_terms, payment

pytestmark = pytest.mark.django_db


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


@pytest.fixture
def issued(w, api_client, toner):
    order_on_terms(w, [(w.sku_a, 2, 1300), (toner, 1, 600)], placed_at=at(w.month, 3))
    payment(w, 100_000, paid_at=at(w.month, 5))
    response = post(
        api_client(w.merchant_a),
        "/api/v1/merchant/statements",
        {"company_id": w.company.pk, "month": w.month.replace(day=17).isoformat()},
    )
    assert response.status_code == 201, response.content
    return Statement.objects.get(pk=response.json()["id"])


def test_the_merchant_issues_and_reads_its_statement(w, api_client, issued):
    client = api_client(w.merchant_a)
    body = client.get(f"/api/v1/merchant/statements/{issued.pk}").json()
    assert {
        k: body[k] for k in ("reference", "month", "state", "orders_total", "closing_balance")
    } == {
        "reference": f"S-{issued.pk}",
        "month": w.month.isoformat(),
        "state": "issued",
        "orders_total": 624_550,
        "closing_balance": 524_550,
    }
    assert [(x["item"], x["net"], x["tax"], x["invoice_number"]) for x in body["lines"]] == [
        ("Laser printer (colour: red)", 548_673, 71_327, ""),
        ("硒鼓 Toner (colour: red)", 4_292, 258, ""),
    ]
    assert [p["amount"] for p in body["payments"]] == [100_000]
    assert body["open_to_pay"] == 624_550
    again = post(
        client,
        "/api/v1/merchant/statements",
        {"company_id": w.company.pk, "month": w.month.isoformat()},
    )
    assert again.status_code == 409
    assert again.json()["code"] == "statement_exists"
    assert (
        post(
            client,
            "/api/v1/merchant/statements",
            {"company_id": w.company.pk, "month": "2026-13-01"},
        ).status_code
        == 422
    )
    other = api_client(w.merchant_b)
    assert other.get(f"/api/v1/merchant/statements/{issued.pk}").status_code == 404
    assert other.get("/api/v1/merchant/statements").json() == []


def test_the_company_reads_csv_and_pdf(w, api_client, issued):
    client = api_client(w.viewer)
    assert [s["id"] for s in client.get(f"/api/v1/companies/{w.company.pk}/statements").json()] == [
        issued.pk
    ]
    csv_response = client.get(f"/api/v1/companies/{w.company.pk}/statements/{issued.pk}/csv")
    assert csv_response.content.startswith(b"\xef\xbb\xbf")
    assert "硒鼓 Toner" in csv_response.content.decode("utf-8-sig")
    pdf = client.get(f"/api/v1/companies/{w.company.pk}/statements/{issued.pk}/pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "¥6,245.50" in text and "¥5,245.50" in text
    buyer = api_client(w.buyer).get(f"/api/v1/companies/{w.company.pk}/statements/{issued.pk}")
    assert buyer.status_code == 403 and buyer.json()["code"] == "role_required"


def test_finance_disputes_the_merchant_answers_finance_confirms(w, api_client, issued):
    finance = api_client(w.finance)
    base = f"/api/v1/companies/{w.company.pk}/statements/{issued.pk}"
    first, second = month_lines(issued).order_by("id").values_list("id", flat=True)
    bad = post(finance, f"{base}/disputes", {"lines": [{"order_line_id": first, "reason": ""}]})
    assert (bad.status_code, bad.json()["code"]) == (422, "dispute_invalid")
    viewer = post(
        api_client(w.viewer),
        f"{base}/disputes",
        {"lines": [{"order_line_id": first, "reason": "x"}]},
    )
    assert viewer.status_code == 403
    assert not StatementDispute.objects.exists()
    made = post(
        finance, f"{base}/disputes", {"lines": [{"order_line_id": second, "reason": "税率"}]}
    )
    assert made.status_code == 201
    (dispute,) = made.json()
    assert (dispute["order_line_id"], dispute["state"]) == (second, "open")
    assert post(finance, f"{base}/confirm").json()["code"] == "statement_invalid_state"

    answer_url = f"/api/v1/merchant/statement_disputes/{dispute['id']}/answer"
    assert post(api_client(w.merchant_b), answer_url, {"answer": "no"}).status_code == 404
    answered = post(api_client(w.merchant_a), answer_url, {"answer": "硒鼓 is 6%"})
    assert answered.json()["state"] == "answered"
    assert finance.get(base).json()["state"] == "issued"
    confirmed = post(finance, f"{base}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"


def test_proforma_pdfs(w, api_client):
    requisition = draft(w.world, (w.sku_a, 1))
    response = api_client(w.buyer).get(
        f"/api/v1/companies/{w.company.pk}/requisitions/{requisition.pk}/proforma.pdf"
    )
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Proforma — not a tax invoice" in text and "Total: ¥3,100.00" in text
    assert (
        api_client(w.merchant_a)
        .get(f"/api/v1/companies/{w.company.pk}/requisitions/{requisition.pk}/proforma.pdf")
        .status_code
        == 404
    )
