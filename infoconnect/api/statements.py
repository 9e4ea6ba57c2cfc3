"""Monthly statements (对账单) and proformas under /v1/.

The company's side, /v1/companies/{id}/statements: finance members, administrators and
viewers read (JSON with a keyset page of lines, CSV, PDF); finance confirms and disputes
lines. The merchant's side, /v1/merchant/statements: issue a closed month's statement, read
its own, answer disputes. Proformas: /v1/companies/{id}/requisitions/{id}/proforma.pdf and
/v1/companies/{id}/quotes/{id}/proforma.pdf (and the merchant's /v1/merchant/quotes/{id}/…).
Not a member or not the merchant's is a 404, a member without the role a 403, bad input a 422,
a statement that moved on a 409. No statement call moves money: paying one is the terms API's.
"""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status

from infoconnect.api.schemas import ErrorOut, IsoDate, StrictSchema
from infoconnect.procurement import proforma, statement_csv, statement_pdf, statement_reads
from infoconnect.procurement.actions import statements as actions
from infoconnect.procurement.models import Statement, StatementDispute

router = Router(tags=["statements"])


ERRORS = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


class StatementOut(Schema):
    id: int
    reference: str
    company_id: int
    merchant_id: int
    month: datetime.date = Field(..., description="the month's first day")
    state: str = Field(..., description="issued, disputed or confirmed")
    currency: str
    opening_balance: int = Field(..., description="fen")
    orders_total: int
    payments_total: int
    credits_total: int
    closing_balance: int
    due_on: datetime.date | None
    issued_at: datetime.datetime
    confirmed_at: datetime.datetime | None


class StatementLineOut(Schema):
    id: int
    order_id: int
    placed_at: datetime.datetime
    po_number: str
    requester: str
    department: str
    sku_id: int | None
    item: str
    quantity: int
    unit_price: int
    amount: int
    net: int
    tax_rate: int = Field(..., description="basis points: 1300 is 13%")
    tax: int
    invoice_number: str = Field(..., description='"" when not invoiced')


class StatementPaymentOut(Schema):
    id: int
    reference: str
    amount: int
    created_at: datetime.datetime


class CreditOut(Schema):
    order_id: int
    reference: str
    amount: int
    closed_at: datetime.datetime


class DisputeOut(Schema):
    id: int
    order_id: int
    order_line_id: int | None
    reason: str
    state: str = Field(..., description="open or answered")
    answer: str
    created_at: datetime.datetime
    answered_at: datetime.datetime | None


class StatementDetailOut(StatementOut):
    open_to_pay: int = Field(..., description="still owed on the month's orders, fen")
    lines: list[StatementLineOut]
    next_after: int | None = Field(..., description="pass as ?after= for the next lines")
    payments: list[StatementPaymentOut]
    credit_notes: list[CreditOut]
    disputes: list[DisputeOut]


class IssueIn(StrictSchema):
    company_id: int
    month: IsoDate = Field(..., description="any day of an ended month")


class DisputedLineIn(StrictSchema):
    order_line_id: int
    reason: str = Field(..., max_length=1000)


class DisputeIn(StrictSchema):
    lines: list[DisputedLineIn]


class AnswerIn(StrictSchema):
    answer: str = Field(..., max_length=1000)


def _detail(statement: Statement, after: int) -> dict:
    lines = statement_reads.statement_lines(statement, after=after)
    body = StatementOut.from_orm(statement).dict()
    body.update(
        open_to_pay=statement_reads.open_to_pay(statement),
        lines=[line.__dict__ for line in lines],
        next_after=lines[-1].id if len(lines) == statement_reads.LINES_PAGE else None,
        payments=statement_reads.statement_payments(statement),
        credit_notes=[
            {**credit.__dict__, "reference": credit.reference}
            for credit in statement_reads.statement_credits(statement)
        ],
        disputes=statement_reads.statement_disputes(statement),
    )
    return body


def _csv(statement: Statement) -> HttpResponse:
    response = HttpResponse(statement_csv.statement_csv(statement), content_type=statement_csv.TYPE)
    response["Content-Disposition"] = f'attachment; filename="{statement_csv.filename(statement)}"'
    return response


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _member_statement(request, company_id: int, statement_id: int) -> Statement:
    membership = statement_reads.reader_membership(user=request.auth, company_id=company_id)
    return statement_reads.company_statement(membership=membership, statement_id=statement_id)


# --- the company's side ---------------------------------------------------------------------


@router.get("/v1/companies/{company_id}/statements", response={200: list[StatementOut], **ERRORS})
def list_statements(request, company_id: int):
    membership = statement_reads.reader_membership(user=request.auth, company_id=company_id)
    return statement_reads.company_statements(membership=membership)


@router.get(
    "/v1/companies/{company_id}/statements/{statement_id}",
    response={200: StatementDetailOut, **ERRORS},
)
def get_statement(request, company_id: int, statement_id: int, after: int = 0):
    """The statement with its lines after line id ``after`` (a page of 200)."""
    return _detail(_member_statement(request, company_id, statement_id), after)


@router.get("/v1/companies/{company_id}/statements/{statement_id}/csv", response={**ERRORS})
def statement_as_csv(request, company_id: int, statement_id: int):
    return _csv(_member_statement(request, company_id, statement_id))


@router.get("/v1/companies/{company_id}/statements/{statement_id}/pdf", response={**ERRORS})
def statement_as_pdf(request, company_id: int, statement_id: int):
    statement = _member_statement(request, company_id, statement_id)
    return _pdf(statement_pdf.statement_pdf(statement), f"statement-{statement.pk}.pdf")


@router.post(
    "/v1/companies/{company_id}/statements/{statement_id}/confirm",
    response={200: StatementOut, **ERRORS},
)
def confirm_statement(request, company_id: int, statement_id: int):
    return actions.confirm_statement(
        user=request.auth, company_id=company_id, statement_id=statement_id
    )


@router.post(
    "/v1/companies/{company_id}/statements/{statement_id}/disputes",
    response={201: list[DisputeOut], **ERRORS},
)
def dispute_statement(request, company_id: int, statement_id: int, payload: DisputeIn):
    disputes = actions.dispute_lines(
        user=request.auth,
        company_id=company_id,
        statement_id=statement_id,
        lines=[actions.DisputedLine(line.order_line_id, line.reason) for line in payload.lines],
    )
    return Status(201, disputes)


# --- the merchant's side --------------------------------------------------------------------


@router.get("/v1/merchant/statements", response={200: list[StatementOut], **ERRORS})
def merchant_statements(request):
    return statement_reads.merchant_statements(merchant=request.auth)


@router.post("/v1/merchant/statements", response={201: StatementOut, **ERRORS})
def issue_statement(request, payload: IssueIn):
    statement = actions.issue_statement(
        merchant=request.auth, company_id=payload.company_id, month=payload.month
    )
    return Status(201, statement)


@router.get("/v1/merchant/statements/{statement_id}", response={200: StatementDetailOut, **ERRORS})
def merchant_statement(request, statement_id: int, after: int = 0):
    statement = statement_reads.merchant_statement(merchant=request.auth, statement_id=statement_id)
    return _detail(statement, after)


@router.get("/v1/merchant/statements/{statement_id}/csv", response={**ERRORS})
def merchant_statement_csv(request, statement_id: int):
    return _csv(
        statement_reads.merchant_statement(merchant=request.auth, statement_id=statement_id)
    )


@router.get("/v1/merchant/statements/{statement_id}/pdf", response={**ERRORS})
def merchant_statement_pdf(request, statement_id: int):
    statement = statement_reads.merchant_statement(merchant=request.auth, statement_id=statement_id)
    return _pdf(statement_pdf.statement_pdf(statement), f"statement-{statement.pk}.pdf")


@router.post(
    "/v1/merchant/statement_disputes/{dispute_id}/answer",
    response={200: DisputeOut, **ERRORS},
)
def answer_dispute(request, dispute_id: int, payload: AnswerIn):
    dispute: StatementDispute = actions.answer_dispute(
        merchant=request.auth, dispute_id=dispute_id, answer=payload.answer
    )
    return dispute


# --- proformas ------------------------------------------------------------------------------


@router.get(
    "/v1/companies/{company_id}/requisitions/{requisition_id}/proforma.pdf", response={**ERRORS}
)
def requisition_proforma(request, company_id: int, requisition_id: int):
    document = proforma.requisition_proforma(
        user=request.auth, company_id=company_id, requisition_id=requisition_id
    )
    return _pdf(proforma.proforma_pdf(document), f"proforma-{document.reference}.pdf")


@router.get("/v1/companies/{company_id}/quotes/{quote_id}/proforma.pdf", response={**ERRORS})
def quote_proforma(request, company_id: int, quote_id: int):
    document = proforma.quote_proforma(user=request.auth, company_id=company_id, quote_id=quote_id)
    return _pdf(proforma.proforma_pdf(document), f"proforma-{document.reference}.pdf")


@router.get("/v1/merchant/quotes/{quote_id}/proforma.pdf", response={**ERRORS})
def merchant_quote_proforma(request, quote_id: int):
    document = proforma.quote_proforma(user=request.auth, quote_id=quote_id)
    return _pdf(proforma.proforma_pdf(document), f"proforma-{document.reference}.pdf")
