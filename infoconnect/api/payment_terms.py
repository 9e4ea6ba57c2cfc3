"""Payment terms (账期) under /v1/: a merchant's terms for its companies (grant, change,
withdraw), a company's terms per merchant and what it owes, and paying receivables from the
company wallet (``Idempotency-Key`` required: it moves money).

A merchant sees only its own terms; a company's terms and receivables are its members' (not a
member: 404 ``not_a_member``), and paying is finance's (403 ``role_required``).
"""

from datetime import date, datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Router, Schema, Status
from pydantic import Field

from infoconnect.api.schemas import ErrorOut, StrictSchema
from infoconnect.core.idempotency import api_response
from infoconnect.core.money import format_money
from infoconnect.procurement import selectors, terms_reads
from infoconnect.procurement.actions import terms, terms_payments
from infoconnect.procurement.models import PaymentTerms, Receivable, Role, TermsPayment
from infoconnect.shop.actions.rules import require_merchant

router = Router(tags=["payment terms"])
PAY_SCOPE = "api.terms_pay"


ERRORS = dict.fromkeys((400, 401, 403, 404, 409, 422), ErrorOut)


class TermsIn(StrictSchema):
    net_days: int = Field(..., description="0 (due on delivery), 7, 15, 30, 60 or 90")
    credit_limit: int = Field(..., strict=True, description="In fen")
    grace_days: int | None = Field(None, description="0 to 90; 7 when left out")


class GrantIn(TermsIn):
    company_id: int


class TermsOut(Schema):
    company_id: int
    company_name: str
    merchant_id: int
    net_days: int
    credit_limit: int = Field(description="In fen")
    outstanding: int = Field(description="Placed on terms and not yet paid or credited, in fen")
    available: int = Field(description="Credit left, in fen")
    grace_days: int
    active: bool
    display: str


class ReceivableOut(Schema):
    id: int
    order_id: int
    merchant_id: int
    amount: int
    credited: int
    paid: int
    open_amount: int
    state: str = Field(description="open (not delivered yet), due, or settled")
    due_on: date | None
    overdue: bool


class PayIn(StrictSchema):
    merchant_id: int
    receivable_ids: list[int] | None = None
    statement_id: int | None = None
    invoice_id: int | None = None


class TermPaymentOut(Schema):
    id: int
    reference: str
    company_id: int
    merchant_id: int
    amount: int
    commission: int
    receivable_ids: list[int]
    created_at: datetime


def _terms(row: PaymentTerms) -> dict:
    return {
        "company_id": row.company_id,
        "company_name": row.company.legal_name,
        "merchant_id": row.merchant_id,
        "net_days": row.net_days,
        "credit_limit": row.credit_limit,
        "outstanding": row.outstanding,
        "available": row.credit_limit - row.outstanding,
        "grace_days": row.grace_days,
        "active": row.active,
        "display": f"{row.get_net_days_display()} · "
        f"{format_money(row.outstanding)} / {format_money(row.credit_limit)}",
    }


def _receivable(row: Receivable, today: date) -> dict:
    return {
        "id": row.pk,
        "order_id": row.order_id,
        "merchant_id": row.merchant_id,
        "amount": row.amount,
        "credited": row.credited,
        "paid": row.paid,
        "open_amount": row.open_amount,
        "state": row.state,
        "due_on": row.due_on,
        "overdue": terms_reads.is_overdue(row, today),
    }


def _payment(payment: TermsPayment) -> dict:
    return {
        "id": payment.pk,
        "reference": payment.reference,
        "company_id": payment.company_id,
        "merchant_id": payment.merchant_id,
        "amount": payment.amount,
        "commission": payment.commission,
        "receivable_ids": sorted(payment.items.values_list("receivable_id", flat=True)),
        "created_at": payment.created_at,
    }


# --- the merchant's side -------------------------------------------------------------------


@router.get("/v1/payment_terms", response={200: list[TermsOut], **ERRORS})
def merchant_terms(request: HttpRequest):
    """The calling merchant's terms, one per company."""
    require_merchant(request.auth)
    return [_terms(row) for row in terms_reads.merchant_terms(request.auth)]


@router.post("/v1/payment_terms", response={201: TermsOut, **ERRORS})
def grant_terms(request: HttpRequest, payload: GrantIn):
    granted = terms.grant_terms(
        merchant=request.auth,
        company_id=payload.company_id,
        net_days=payload.net_days,
        credit_limit=payload.credit_limit,
        grace_days=payload.grace_days,
    )
    return Status(
        201, _terms(terms.own_terms(merchant=request.auth, company_id=granted.company_id))
    )


@router.put("/v1/payment_terms/{company_id}", response={200: TermsOut, **ERRORS})
def update_terms(request: HttpRequest, company_id: int, payload: TermsIn):
    """New terms, limit and grace (never a limit below what is owed: 409); active again."""
    terms.update_terms(
        merchant=request.auth,
        company_id=company_id,
        net_days=payload.net_days,
        credit_limit=payload.credit_limit,
        grace_days=payload.grace_days,
    )
    return _terms(terms.own_terms(merchant=request.auth, company_id=company_id))


@router.delete("/v1/payment_terms/{company_id}", response={200: TermsOut, **ERRORS})
def withdraw_terms(request: HttpRequest, company_id: int):
    """No new orders on terms; what is owed stays owed."""
    terms.withdraw_terms(merchant=request.auth, company_id=company_id)
    return _terms(terms.own_terms(merchant=request.auth, company_id=company_id))


# --- the company's side --------------------------------------------------------------------


@router.get("/v1/companies/{company_id}/payment_terms", response={200: list[TermsOut], **ERRORS})
def company_terms(request: HttpRequest, company_id: int):
    """The terms each merchant grants the company (its members)."""
    membership = selectors.require_member(user=request.auth, company_id=company_id)
    return [_terms(row) for row in terms_reads.company_terms(membership.company_id)]


@router.get("/v1/companies/{company_id}/receivables", response={200: list[ReceivableOut], **ERRORS})
def company_receivables(request: HttpRequest, company_id: int, merchant_id: int):
    """What the company still owes the merchant, oldest first (finance members)."""
    membership = selectors.require_role(user=request.auth, company_id=company_id, role=Role.FINANCE)
    today = timezone.localdate()
    return [
        _receivable(row, today)
        for row in terms_reads.open_receivables(membership.company_id, merchant_id)
    ]


@router.post("/v1/companies/{company_id}/terms_payments", response={201: TermPaymentOut, **ERRORS})
def pay(
    request: HttpRequest,
    company_id: int,
    payload: PayIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Pay the chosen receivables (or those of a statement or an invoice) from the company
    wallet: the merchant is paid less the platform's commission, the credit is freed."""
    return api_response(
        request,
        key=idempotency_key,
        scope=PAY_SCOPE,
        params={"company": company_id, **payload.model_dump()},
        work=lambda: _payment(
            terms_payments.pay_receivables(
                user=request.auth,
                company_id=company_id,
                merchant_id=payload.merchant_id,
                receivable_ids=payload.receivable_ids,
                statement_id=payload.statement_id,
                invoice_id=payload.invoice_id,
            )
        ),
        status=201,
    )
