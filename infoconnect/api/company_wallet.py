"""A company's wallet under /v1/companies/{id}/wallet: its balance, its top-ups by bank
transfer (对公转账) and its statement.

Finance members and company-wide admins only: not a member is a 404 (``not_a_member``), a
member without either role a 403 (``role_required``). Opening a top-up moves no money yet but
issues a remittance code, so it takes an ``Idempotency-Key`` like every money POST.
"""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router, Schema
from pydantic import Field

from infoconnect.api.mastodon import set_link_header
from infoconnect.api.schemas import ErrorOut, StrictSchema
from infoconnect.api.wallet import EntryOut, entry_body
from infoconnect.core.idempotency import api_response
from infoconnect.core.money import format_money
from infoconnect.core.pagination import MAX_LIMIT, PageParams
from infoconnect.wallet import actions, selectors
from infoconnect.wallet.lifecycle import BANK_TRANSFER_EXPIRES_AFTER
from infoconnect.wallet.models import BankTransfer

router = Router(tags=["companies"])


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CompanyWalletOut(Schema):
    company_id: int
    balance: int = Field(description="In fen")
    currency: str
    display: str


class ReceivingAccountOut(Schema):
    account_name: str
    bank: str
    account_number: str


class BankTransferIn(StrictSchema):
    amount: int = Field(strict=True, description="Amount in fen")
    currency: str = "CNY"


class BankTransferOut(Schema):
    id: int
    code: str = Field(description="The remittance code (汇款识别码) to quote in the transfer")
    amount: int
    currency: str
    display_amount: str
    status: str = Field(
        description="awaiting, credited, cancelled, or expired (left awaiting "
        f"{BANK_TRANSFER_EXPIRES_AFTER.days} days)"
    )
    bank_account: ReceivingAccountOut
    created_at: datetime
    expires_at: datetime


def _transfer(transfer: BankTransfer) -> dict:
    return {
        "id": transfer.pk,
        "code": transfer.code,
        "amount": transfer.amount,
        "currency": transfer.currency,
        "display_amount": format_money(transfer.amount, transfer.currency),
        "status": transfer.status,
        "bank_account": selectors.receiving_account(),
        "created_at": transfer.created_at,
        "expires_at": transfer.expires_at,
    }


@router.get("/v1/companies/{company_id}/wallet", response={200: CompanyWalletOut, **ERRORS})
def company_wallet(request: HttpRequest, company_id: int):
    membership = selectors.require_company_wallet(user=request.auth, company_id=company_id)
    balance = selectors.company_balance(company_id=membership.company_id)
    return {
        "company_id": membership.company_id,
        "balance": balance,
        "currency": "CNY",
        "display": format_money(balance),
    }


@router.post("/v1/companies/{company_id}/wallet/topups", response={201: BankTransferOut, **ERRORS})
def open_topup(
    request: HttpRequest,
    company_id: int,
    payload: BankTransferIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Open a top-up by bank transfer: remit ``amount`` to ``bank_account`` quoting ``code``.
    The wallet is credited when the money arrives under that code for that amount."""
    return api_response(
        request,
        key=idempotency_key,
        scope=actions.BANK_TRANSFER_SCOPE,
        params=actions.bank_transfer_params(
            company_id=company_id, amount=payload.amount, currency=payload.currency
        ),
        work=lambda: _transfer(
            actions.open_bank_transfer(
                user=request.auth,
                company_id=company_id,
                amount=payload.amount,
                currency=payload.currency,
            )
        ),
        status=201,
    )


@router.get(
    "/v1/companies/{company_id}/wallet/topups", response={200: list[BankTransferOut], **ERRORS}
)
def list_topups(
    request: HttpRequest,
    response: HttpResponse,
    company_id: int,
    max_id: str | None = None,
    limit: str | None = None,
):
    membership = selectors.require_company_wallet(user=request.auth, company_id=company_id)
    transfers = selectors.bank_transfers_of(
        company_id=membership.company_id, page=PageParams.clean(max_id=max_id, limit=limit)
    )
    set_link_header(request, response, [transfer.pk for transfer in transfers])
    return [_transfer(transfer) for transfer in transfers]


@router.get("/v1/companies/{company_id}/wallet/entries", response={200: list[EntryOut], **ERRORS})
def list_entries(
    request: HttpRequest,
    response: HttpResponse,
    company_id: int,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """The company wallet's entries, newest first, paged with max_id / since_id / min_id and
    a Link header."""
    membership = selectors.require_company_wallet(user=request.auth, company_id=company_id)
    page = PageParams.clean(
        max_id=max_id, since_id=since_id, min_id=min_id, limit=limit, max_limit=MAX_LIMIT
    )
    entries = selectors.company_statement(company_id=membership.company_id, page=page)
    set_link_header(request, response, [entry.pk for entry in entries])
    return [entry_body(entry) for entry in entries]
