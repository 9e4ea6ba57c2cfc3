"""VAT invoices: a company's invoice titles and invoices under /v1/companies/{id}/, the
merchant's under /v1/merchant/invoices.

Titles are managed by finance members and company-wide admins (finance confirms them);
invoices are read by finance, admins and viewers. Not a member is a 404 (``not_a_member``), a
member without the role a 403 (``role_required``). A merchant reads only what it issued, sets
how it invoices each company and issues a month's merged invoice; issuing moves no money and
one month has one merged invoice, so the Idempotency-Key is optional there.
"""

from datetime import date, datetime

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router, Schema, Status
from pydantic import Field

from infoconnect.api.schemas import ErrorOut, StrictSchema
from infoconnect.core.idempotency import api_response
from infoconnect.invoicing import pdf, selectors
from infoconnect.invoicing.actions import issuing, titles
from infoconnect.invoicing.models import Invoice, InvoiceTitle

router = Router(tags=["invoices"])


ERRORS = dict.fromkeys((400, 401, 403, 404, 409, 422), ErrorOut)


class TitleIn(StrictSchema):
    name: str
    taxpayer_id: str = Field(description="The buyer's unified social credit code")
    address_phone: str = Field("", description="At most 100 bytes in GBK")
    bank_account: str = Field("", description="At most 100 bytes in GBK")
    general_taxpayer: bool = False


class TitleOut(Schema):
    id: int
    name: str
    taxpayer_id: str
    address_phone: str
    bank_account: str
    general_taxpayer: bool
    allows_special: bool
    verified: bool
    archived: bool


class InvoiceLineOut(Schema):
    position: int
    name: str
    tax_code: str
    spec: str
    unit: str
    quantity: int
    unit_price: int = Field(description="Tax-inclusive, in fen")
    amount: int = Field(description="Tax-inclusive, in fen; negative on a red-letter invoice")
    net: int
    tax: int
    tax_rate: int = Field(description="Basis points: 1300 = 13%")


class InvoiceOut(Schema):
    id: int
    number: str
    state: str = Field(description="requested, issued or refused")
    refusal_reason: str
    kind: str = Field(description="normal (电子普通发票) or special (增值税专用发票)")
    scope: str = Field(description="order or monthly")
    month: date | None
    company_id: int
    merchant_id: int
    original_id: int | None = Field(description="The invoice a red-letter invoice reverses")
    buyer: dict
    seller: dict
    currency: str
    total: int
    net: int
    tax: int
    order_ids: list[int]
    lines: list[InvoiceLineOut]
    created_at: datetime
    issued_at: datetime | None


class InvoiceSummaryOut(Schema):
    id: int
    number: str
    state: str
    kind: str
    scope: str
    month: date | None
    company_id: int
    original_id: int | None
    total: int
    currency: str
    created_at: datetime
    issued_at: datetime | None


class MergedIn(StrictSchema):
    company_id: int
    month: str = Field(description="YYYY-MM")


class ModeIn(StrictSchema):
    mode: str = Field(description="per_order or monthly")


class ModeOut(Schema):
    company_id: int
    mode: str


def _title(title: InvoiceTitle) -> dict:
    return {
        "id": title.pk,
        "name": title.name,
        "taxpayer_id": title.taxpayer_id,
        "address_phone": title.address_phone,
        "bank_account": title.bank_account,
        "general_taxpayer": title.general_taxpayer,
        "allows_special": title.allows_special,
        "verified": title.verified_at is not None,
        "archived": title.archived_at is not None,
    }


def _summary(invoice: Invoice) -> dict:
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "state": invoice.state,
        "kind": invoice.kind,
        "scope": invoice.scope,
        "month": invoice.month,
        "company_id": invoice.company_id,
        "original_id": invoice.original_id,
        "total": invoice.total,
        "currency": invoice.currency,
        "created_at": invoice.created_at,
        "issued_at": invoice.issued_at,
    }


def _invoice(invoice: Invoice) -> dict:
    return {
        **_summary(invoice),
        "refusal_reason": invoice.refusal_reason,
        "merchant_id": invoice.merchant_id,
        "buyer": invoice.buyer,
        "seller": invoice.seller,
        "net": invoice.net,
        "tax": invoice.tax,
        "order_ids": [row.order_id for row in invoice.orders.all()],
        "lines": [
            {
                "position": line.position,
                "name": line.name,
                "tax_code": line.tax_code,
                "spec": line.spec,
                "unit": line.unit,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "amount": line.amount,
                "net": line.net,
                "tax": line.tax,
                "tax_rate": line.tax_rate,
            }
            for line in invoice.lines.all()
        ],
    }


def _fields(payload: TitleIn) -> titles.TitleFields:
    return titles.TitleFields(
        name=payload.name,
        taxpayer_id=payload.taxpayer_id,
        address_phone=payload.address_phone,
        bank_account=payload.bank_account,
        general_taxpayer=payload.general_taxpayer,
    )


def _pdf(invoice: Invoice) -> HttpResponse:
    response = HttpResponse(pdf.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename(invoice)}"'
    return response


# --- titles --------------------------------------------------------------------------------


@router.get("/v1/companies/{company_id}/invoice-titles", response={200: list[TitleOut], **ERRORS})
def list_titles(request: HttpRequest, company_id: int, archived: bool = False):
    membership = selectors.require_any_role(
        user=request.auth, company_id=company_id, roles=selectors.INVOICE_ROLES
    )
    return [
        _title(t)
        for t in selectors.titles_of(company_id=membership.company_id, include_archived=archived)
    ]


@router.post("/v1/companies/{company_id}/invoice-titles", response={201: TitleOut, **ERRORS})
def add_title(request: HttpRequest, company_id: int, payload: TitleIn):
    title = titles.add_title(user=request.auth, company_id=company_id, fields=_fields(payload))
    return Status(201, _title(title))


@router.put(
    "/v1/companies/{company_id}/invoice-titles/{title_id}", response={200: TitleOut, **ERRORS}
)
def edit_title(request: HttpRequest, company_id: int, title_id: int, payload: TitleIn):
    """Replace the title's fields; it needs finance's confirmation again."""
    title = titles.edit_title(
        user=request.auth, company_id=company_id, title_id=title_id, fields=_fields(payload)
    )
    return _title(title)


@router.post(
    "/v1/companies/{company_id}/invoice-titles/{title_id}/archive",
    response={200: TitleOut, **ERRORS},
)
def archive_title(request: HttpRequest, company_id: int, title_id: int):
    return _title(titles.archive_title(user=request.auth, company_id=company_id, title_id=title_id))


@router.post(
    "/v1/companies/{company_id}/invoice-titles/{title_id}/confirm",
    response={200: TitleOut, **ERRORS},
)
def confirm_title(request: HttpRequest, company_id: int, title_id: int):
    """Finance confirms the title: orders may ask invoices for it."""
    return _title(titles.verify_title(user=request.auth, company_id=company_id, title_id=title_id))


# --- a company's invoices ------------------------------------------------------------------


def _company_reader(request: HttpRequest, company_id: int):
    return selectors.require_any_role(
        user=request.auth, company_id=company_id, roles=selectors.INVOICE_ROLES
    )


@router.get(
    "/v1/companies/{company_id}/invoices", response={200: list[InvoiceSummaryOut], **ERRORS}
)
def company_invoices(request: HttpRequest, company_id: int):
    membership = _company_reader(request, company_id)
    return [_summary(i) for i in selectors.company_invoices(company_id=membership.company_id)]


@router.get(
    "/v1/companies/{company_id}/invoices/{invoice_id}", response={200: InvoiceOut, **ERRORS}
)
def company_invoice(request: HttpRequest, company_id: int, invoice_id: int):
    membership = _company_reader(request, company_id)
    return _invoice(
        selectors.company_invoice(company_id=membership.company_id, invoice_id=invoice_id)
    )


@router.get("/v1/companies/{company_id}/invoices/{invoice_id}/pdf", response={200: None, **ERRORS})
def company_invoice_pdf(request: HttpRequest, company_id: int, invoice_id: int):
    membership = _company_reader(request, company_id)
    return _pdf(selectors.company_invoice(company_id=membership.company_id, invoice_id=invoice_id))


# --- the merchant's ------------------------------------------------------------------------


@router.get("/v1/merchant/invoices", response={200: list[InvoiceSummaryOut], **ERRORS})
def merchant_invoices(request: HttpRequest):
    return [_summary(i) for i in selectors.merchant_invoices(merchant=request.auth)]


# Before the {invoice_id} paths, which would take "merged" for an id.
@router.post("/v1/merchant/invoices/merged", response={201: InvoiceOut, **ERRORS})
def issue_merged(
    request: HttpRequest,
    payload: MergedIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Issue the company's merged invoice (集中开票) for the month: requested now, issued or
    refused by the provider shortly after (read it again)."""
    return api_response(
        request,
        key=idempotency_key,
        scope="invoicing.issue_merged",
        params={"company_id": payload.company_id, "month": payload.month},
        work=lambda: _invoice(
            issuing.issue_monthly(
                merchant=request.auth, company_id=payload.company_id, month=payload.month
            )
        ),
        status=201,
        key_required=False,
    )


@router.get("/v1/merchant/invoices/{invoice_id}", response={200: InvoiceOut, **ERRORS})
def merchant_invoice(request: HttpRequest, invoice_id: int):
    return _invoice(selectors.merchant_invoice(merchant=request.auth, invoice_id=invoice_id))


@router.get("/v1/merchant/invoices/{invoice_id}/pdf", response={200: None, **ERRORS})
def merchant_invoice_pdf(request: HttpRequest, invoice_id: int):
    return _pdf(selectors.merchant_invoice(merchant=request.auth, invoice_id=invoice_id))


@router.put("/v1/merchant/invoicing/{company_id}", response={200: ModeOut, **ERRORS})
def set_mode(request: HttpRequest, company_id: int, payload: ModeIn):
    """How the merchant invoices the company: per_order (on completion) or monthly."""
    setting = issuing.set_mode(merchant=request.auth, company_id=company_id, mode=payload.mode)
    return {"company_id": setting.company_id, "mode": setting.mode}
