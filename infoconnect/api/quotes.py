"""Quotes under /v1/quotes: a company's buyer asks a merchant for prices; the merchant asks,
quotes or declines; the buyer counters, accepts (a requisition at the quoted prices, submitted
to the company's approvals), cancels, or asks again once it expired.

Every revision is in the entity, numbered. A quote the caller may not see (another company's,
another merchant's) is a 404 ``quote_not_found``; a move the quote's state does not allow (or
that another move beat) is a 409 ``quote_invalid_state``. Accepting commits the company's
money (stock held, budgets, orders), so it needs an ``Idempotency-Key``; the other moves use
one when sent.
"""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router, Schema, Status
from pydantic import Field

from infoconnect.accounts.gates import require_verified_merchant
from infoconnect.api.mastodon import set_link_header
from infoconnect.api.schemas import ErrorOut, IsoDate, StrictSchema
from infoconnect.core.errors import CommonError, DomainError
from infoconnect.core.idempotency import api_response
from infoconnect.core.money import format_money
from infoconnect.core.pagination import PageParams, paginate
from infoconnect.procurement import quote_reads
from infoconnect.procurement.actions import quote_acceptance, quote_replies
from infoconnect.procurement.actions import quotes as actions
from infoconnect.procurement.errors import QuoteError
from infoconnect.procurement.models import Quote
from infoconnect.procurement.quote_cards import moves_for

router = Router(tags=["quotes"])

MAX_ID = 2**63 - 1
StateName = Literal[
    "requested", "info_requested", "quoted", "accepted", "declined", "expired", "cancelled"
]


ERRORS = dict.fromkeys((400, 401, 403, 404, 409, 422), ErrorOut)


# --- input -------------------------------------------------------------------------------


class RequestLineIn(StrictSchema):
    sku_id: int | None = Field(None, ge=1, le=MAX_ID, description="A SKU of the merchant's")
    title: str = Field("", description="A free-text item, when no SKU is named")
    quantity: int


class QuoteRequestIn(StrictSchema):
    company_id: int = Field(..., ge=1, le=MAX_ID)
    merchant_id: int = Field(..., ge=1, le=MAX_ID)
    title: str = ""
    wanted_by: IsoDate | None = None
    note: str = ""
    lines: list[RequestLineIn]


class PriceIn(StrictSchema):
    position: int
    unit_price: int = Field(description="In fen")


class QuoteIn(StrictSchema):
    valid_until: IsoDate
    note: str = ""
    lines: list[PriceIn]


class CounterLineIn(StrictSchema):
    position: int
    quantity: int
    unit_price: int = Field(description="In fen")


class CounterIn(StrictSchema):
    note: str = ""
    lines: list[CounterLineIn]


class QuoteNoteIn(StrictSchema):
    note: str = ""


class AcceptIn(StrictSchema):
    department_id: int = Field(..., ge=1, le=MAX_ID)
    ship_to_id: int = Field(..., ge=1, le=MAX_ID)
    po_number: str = ""
    note: str = ""
    payment_method: str = Field(
        "company_wallet",
        description="company_wallet, or on_terms when the merchant grants the company terms",
    )
    invoice_kind: str = Field("", description='"" (none), "normal" or "special" (专票)')
    invoice_title_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="One of the company's invoice titles"
    )


# --- output ------------------------------------------------------------------------------


class QuoteLineOut(Schema):
    position: int
    sku_id: int | None
    title: str
    quantity: int
    unit_price: int | None = Field(description="In fen; null in a request")
    unit_price_display: str
    line_total: int
    tax_rate: int = Field(description="Basis points: 1300 is 13%")


class RevisionOut(Schema):
    number: int
    kind: str
    author_id: int
    note: str
    valid_until: date | None
    total: int
    total_display: str
    created_at: datetime
    lines: list[QuoteLineOut]


class QuoteOut(Schema):
    id: int
    reference: str
    state: str
    company_id: int
    merchant_id: int
    requester_id: int
    title: str
    wanted_by: date | None
    valid_until: date | None
    revision: int
    currency: str
    requisition_id: int | None
    moves: list[str] = Field(description="What the caller may do now")
    created_at: datetime
    updated_at: datetime
    revisions: list[RevisionOut]


class QuoteSummaryOut(Schema):
    id: int
    reference: str
    state: str
    company_id: int
    merchant_id: int
    title: str
    revision: int
    valid_until: date | None


def _summary(quote: Quote) -> dict:
    return {
        "id": quote.pk,
        "reference": quote.reference,
        "state": quote.state,
        "company_id": quote.company_id,
        "merchant_id": quote.merchant_id,
        "title": quote.title,
        "revision": quote.revision,
        "valid_until": quote.valid_until,
    }


def _body(user, quote_id: int) -> dict:
    quote, side = quote_reads.visible_quote(user=user, quote_id=quote_id)
    requisition = getattr(quote, "requisition", None) if side == "buyer" else None
    return {
        **_summary(quote),
        "requester_id": quote.requester_id,
        "wanted_by": quote.wanted_by,
        "currency": quote.currency,
        "requisition_id": requisition.pk if requisition else None,
        "moves": moves_for(quote, side),
        "created_at": quote.created_at,
        "updated_at": quote.updated_at,
        "revisions": [
            {
                "number": revision.number,
                "kind": revision.kind,
                "author_id": revision.author_id,
                "note": revision.note,
                "valid_until": revision.valid_until,
                "total": revision.total,
                "total_display": format_money(revision.total, quote.currency),
                "created_at": revision.created_at,
                "lines": [
                    {
                        "position": line.position,
                        "sku_id": line.sku_id,
                        "title": line.title,
                        "quantity": line.quantity,
                        "unit_price": line.unit_price,
                        "unit_price_display": format_money(line.unit_price, quote.currency),
                        "line_total": line.line_total,
                        "tax_rate": line.tax_rate,
                    }
                    for line in revision.lines.all()
                ],
            }
            for revision in quote_reads.revisions_of(quote)
        ],
    }


# --- reads -------------------------------------------------------------------------------


@router.get("/v1/quotes", response={200: list[QuoteSummaryOut], **ERRORS})
def list_quotes(
    request: HttpRequest,
    response: HttpResponse,
    company_id: int | None = None,
    state: StateName | None = None,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """With ``company_id``: the company's quotes (its buyers); without: the quotes asked of
    the calling merchant. Newest first, paged with max_id / since_id / min_id."""
    user = request.auth
    if company_id is not None:
        membership = quote_reads.quote_buyer(user=user, company_id=company_id)
        if membership is None:
            raise DomainError(CommonError.FORBIDDEN)
        rows = quote_reads.company_quote_rows(membership=membership)
    elif user.is_merchant:
        require_verified_merchant(user)
        rows = quote_reads.merchant_quote_rows(merchant=user)
    else:
        raise DomainError(CommonError.FORBIDDEN)
    if state:
        rows = rows.filter(state=state)
    page = PageParams.clean(max_id=max_id, since_id=since_id, min_id=min_id, limit=limit)
    found = paginate(rows, page)
    set_link_header(request, response, [quote.pk for quote in found])
    return [_summary(quote) for quote in found]


@router.get("/v1/quotes/{quote_id}", response={200: QuoteOut, **ERRORS})
def get_quote(request: HttpRequest, quote_id: int):
    return _body(request.auth, quote_id)


# --- moves -------------------------------------------------------------------------------


@router.post("/v1/quotes", response={201: QuoteOut, **ERRORS})
def request_quote(request: HttpRequest, payload: QuoteRequestIn):
    """A buyer asks a merchant for a quote of SKUs or free-text items."""
    quote = actions.request_quote(
        user=request.auth,
        company_id=payload.company_id,
        merchant_id=payload.merchant_id,
        lines=[
            actions.LineSpec(quantity=line.quantity, sku_id=line.sku_id, title=line.title)
            for line in payload.lines
        ],
        wanted_by=payload.wanted_by,
        title=payload.title,
        note=payload.note,
    )
    return Status(201, _body(request.auth, quote.pk))


def _act(request: HttpRequest, *, verb: str, key, quote_id: int, params, action, required=False):
    def work() -> dict:
        action()
        return _body(request.auth, quote_id)

    return api_response(
        request,
        key=key,
        scope=f"procurement.quote.{verb}",
        params={"quote_id": quote_id, **params},
        work=work,
        key_required=required,
    )


@router.post("/v1/quotes/{quote_id}/quote", response={200: QuoteOut, **ERRORS})
def send_quote(
    request: HttpRequest,
    quote_id: int,
    payload: QuoteIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """The merchant quotes a unit price for every line, valid through ``valid_until``."""
    return _act(
        request, verb="quote", key=idempotency_key, quote_id=quote_id,
        params=payload.model_dump(mode="json"),
        action=lambda: quote_replies.send_quote(
            user=request.auth, quote_id=quote_id, valid_until=payload.valid_until,
            note=payload.note, prices=_prices(payload.lines),
        ),
    )  # fmt: skip


def _prices(lines: list[PriceIn]) -> dict[int, int]:
    prices: dict[int, int] = {}
    for line in lines:
        if line.position in prices:
            raise DomainError(QuoteError.PRICE_INVALID)
        prices[line.position] = line.unit_price
    return prices


@router.post("/v1/quotes/{quote_id}/ask", response={200: QuoteOut, **ERRORS})
def ask_info(
    request: HttpRequest,
    quote_id: int,
    payload: QuoteNoteIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """The merchant asks the buyer for more information (``note``, required)."""
    return _act(
        request, verb="ask", key=idempotency_key, quote_id=quote_id,
        params=payload.model_dump(),
        action=lambda: quote_replies.ask_info(
            user=request.auth, quote_id=quote_id, note=payload.note
        ),
    )  # fmt: skip


@router.post("/v1/quotes/{quote_id}/answer", response={200: QuoteOut, **ERRORS})
def answer_info(
    request: HttpRequest,
    quote_id: int,
    payload: QuoteNoteIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """The buyer answers the merchant's question."""
    return _act(
        request, verb="answer", key=idempotency_key, quote_id=quote_id,
        params=payload.model_dump(),
        action=lambda: actions.answer_info(
            user=request.auth, quote_id=quote_id, note=payload.note
        ),
    )  # fmt: skip


@router.post("/v1/quotes/{quote_id}/counter", response={200: QuoteOut, **ERRORS})
def counter(
    request: HttpRequest,
    quote_id: int,
    payload: CounterIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """The buyer proposes a quantity and unit price for every line of the quote."""
    return _act(
        request, verb="counter", key=idempotency_key, quote_id=quote_id,
        params=payload.model_dump(),
        action=lambda: actions.counter_quote(
            user=request.auth, quote_id=quote_id, note=payload.note,
            lines=[actions.CounterLine(position=line.position, quantity=line.quantity,
                                       unit_price=line.unit_price) for line in payload.lines],
        ),
    )  # fmt: skip


@router.post("/v1/quotes/{quote_id}/accept", response={200: QuoteOut, **ERRORS})
def accept(
    request: HttpRequest,
    quote_id: int,
    payload: AcceptIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """The buyer accepts the quote while it is valid: a requisition at the quoted prices,
    locked, submitted to the company's approvals (``requisition_id`` in the answer), paying
    by ``payment_method`` and asking for the VAT invoice ``invoice_kind`` of the company's
    title ``invoice_title_id`` (a choice refused is a 422, or a 404 for a title not the
    company's, and writes nothing). Needs an ``Idempotency-Key``."""
    return _act(
        request, verb="accept", key=idempotency_key, quote_id=quote_id, required=True,
        params=payload.model_dump(),
        action=lambda: quote_acceptance.accept_quote(
            user=request.auth, quote_id=quote_id, department_id=payload.department_id,
            ship_to_id=payload.ship_to_id, po_number=payload.po_number, note=payload.note,
            payment_method=payload.payment_method, invoice_kind=payload.invoice_kind,
            invoice_title_id=payload.invoice_title_id,
        ),
    )  # fmt: skip


@router.post("/v1/quotes/{quote_id}/decline", response={200: QuoteOut, **ERRORS})
def decline(request: HttpRequest, quote_id: int, payload: QuoteNoteIn | None = None,
            idempotency_key: str | None = Header(None, alias="Idempotency-Key")):  # fmt: skip
    """The merchant declines to quote."""
    note = payload.note if payload else ""
    return _act(
        request, verb="decline", key=idempotency_key, quote_id=quote_id, params={"note": note},
        action=lambda: quote_replies.decline_quote(
            user=request.auth, quote_id=quote_id, note=note
        ),
    )  # fmt: skip


@router.post("/v1/quotes/{quote_id}/cancel", response={200: QuoteOut, **ERRORS})
def cancel(request: HttpRequest, quote_id: int, payload: QuoteNoteIn | None = None,
           idempotency_key: str | None = Header(None, alias="Idempotency-Key")):  # fmt: skip
    """The buyer withdraws the request."""
    note = payload.note if payload else ""
    return _act(
        request, verb="cancel", key=idempotency_key, quote_id=quote_id, params={"note": note},
        action=lambda: actions.cancel_quote(user=request.auth, quote_id=quote_id, note=note),
    )  # fmt: skip


@router.post("/v1/quotes/{quote_id}/requote", response={200: QuoteOut, **ERRORS})
def requote(
    request: HttpRequest,
    quote_id: int,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """The buyer asks again for an expired quote: its last lines, as a new request."""
    return _act(
        request, verb="requote", key=idempotency_key, quote_id=quote_id, params={},
        action=lambda: actions.requote(user=request.auth, quote_id=quote_id),
    )  # fmt: skip
