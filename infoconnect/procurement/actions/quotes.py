"""Quotes (询价 / 报价): a company's buyer asks a merchant for prices, in one conversation.

Every move that says something is a new numbered revision (the request, the merchant's
question and the buyer's answer, each quote and counter-offer), posted as a message with the
revision's card in the one conversation between the company's account and the merchant; the
merchant's moves are also told to the requester in their inbox. A move is the lifecycle's
conditional update, guarded by the revision number as well, so two answers to one revision
cannot both land. Accepting is in ``quote_acceptance.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.core.money import format_money
from infoconnect.messaging.actions.direct import send_notices
from infoconnect.messaging.models import Message
from infoconnect.procurement.actions.notices import company_account
from infoconnect.procurement.errors import PricingError, ProcurementError, QuoteError
from infoconnect.procurement.lifecycle import quotes
from infoconnect.procurement.models import Company, Quote, QuoteLine, QuoteRevision
from infoconnect.procurement.pricing import company_prices, quantity_problem
from infoconnect.procurement.quote_reads import (
    company_quote,
    latest_revision,
    quote_buyer,
)
from infoconnect.shop.models import Product, Sku

Kind = QuoteRevision.Kind
MAX_LINES = 50
MAX_QUANTITY = 9999
MAX_PRICE = 1_000_000_000  # ¥10,000,000.00
NOTE_MAX = 2000
TITLE_MAX = 120
VALID_DAYS_MAX = 365


@dataclass(frozen=True)
class LineSpec:
    """One line asked for: a catalogue SKU, or a free-text item (``title``)."""

    quantity: object
    sku_id: object = None
    title: str = ""


# --- checks ------------------------------------------------------------------------------


def clean_note(value: object, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if len(text) > NOTE_MAX:
        raise DomainError(QuoteError.NOTE_TOO_LONG)
    if required and not text:
        raise DomainError(QuoteError.NOTE_REQUIRED)
    return text


def clean_quantity(value: object) -> int:
    quantity = parse_id(value) if not isinstance(value, bool) else None
    if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(QuoteError.QUANTITY_INVALID)
    return quantity


def clean_price(value: object) -> int:
    price = parse_id(value) if not isinstance(value, bool) else None
    if price is None or not 1 <= price <= MAX_PRICE:
        raise DomainError(QuoteError.PRICE_INVALID)
    return price


def clean_valid_until(value: object, *, today: date) -> date:
    if not isinstance(value, date) or not today <= value <= today + timedelta(VALID_DAYS_MAX):
        raise DomainError(QuoteError.VALID_UNTIL_INVALID)
    return value


def _merchant(merchant_id: object) -> User:
    pk = parse_id(merchant_id)
    merchant = (
        User.objects.filter(
            pk=pk, kind=User.Kind.MERCHANT, is_active=True, is_verified_merchant=True
        ).first()
        if pk
        else None
    )
    if merchant is None:
        raise DomainError(QuoteError.MERCHANT_NOT_FOUND)
    return merchant


def _lines(merchant: User, specs: list[LineSpec]) -> list[QuoteLine]:
    """Unsaved lines from what the buyer asked for: this merchant's SKUs, or free text."""
    if not specs:
        raise DomainError(QuoteError.LINES_REQUIRED)
    if len(specs) > MAX_LINES:
        raise DomainError(QuoteError.TOO_MANY_LINES)
    sku_ids = [parse_id(spec.sku_id) for spec in specs if spec.sku_id not in (None, "")]
    if None in sku_ids:
        raise DomainError(QuoteError.LINE_INVALID)
    if len(set(sku_ids)) != len(sku_ids):
        raise DomainError(QuoteError.SKU_REPEATED)
    skus = {
        sku.pk: sku
        for sku in Sku.objects.select_related("product").filter(
            pk__in=sku_ids,
            is_active=True,
            product__merchant_id=merchant.pk,
            product__status=Product.Status.ACTIVE,
        )
    }
    lines = []
    for position, spec in enumerate(specs, start=1):
        quantity = clean_quantity(spec.quantity)
        if spec.sku_id not in (None, ""):
            sku = skus.get(parse_id(spec.sku_id))
            if sku is None:
                raise DomainError(QuoteError.LINE_INVALID)
            title = f"{sku.product.title} {sku.label}".strip()[:TITLE_MAX]
            lines.append(
                QuoteLine(
                    position=position, sku=sku, title=title, quantity=quantity,
                    tax_rate=sku.tax_rate,
                )
            )  # fmt: skip
            continue
        title = str(spec.title or "").strip()
        if not 1 <= len(title) <= TITLE_MAX:
            raise DomainError(QuoteError.LINE_INVALID)
        lines.append(QuoteLine(position=position, title=title, quantity=quantity))
    return lines


def check_quantity_rules(company_id: int, lines: list[QuoteLine]) -> None:
    """The company's price lists' quantity rules hold for a quote's catalogue lines as for its
    cart: a rule broken is refused with its words."""
    skus = Sku.objects.select_related("product").in_bulk(
        [line.sku_id for line in lines if line.sku_id is not None]
    )
    items = [(skus[line.sku_id], line.quantity) for line in lines if line.sku_id in skus]
    if not items:
        return
    for (_sku, quantity), price in zip(
        items, company_prices(company_id=company_id, items=items), strict=True
    ):
        problem = quantity_problem(price=price, quantity=quantity)
        if problem:
            raise DomainError(PricingError.QUANTITY_RULE, problem)


# --- writing a revision and telling of it ------------------------------------------------


def write_revision(
    quote: Quote,
    *,
    kind: str,
    author: User,
    lines: list[QuoteLine],
    note: str = "",
    valid_until: date | None = None,
    now: datetime,
) -> QuoteRevision:
    revision = QuoteRevision.objects.create(
        quote=quote,
        number=quote.revision,
        kind=kind,
        author=author,
        note=note,
        valid_until=valid_until,
        total=sum((line.unit_price or 0) * line.quantity for line in lines),
        created_at=now,
    )
    for line in lines:
        line.pk = None
        line.revision = revision
    QuoteLine.objects.bulk_create(lines)
    return revision


def copy_lines(revision: QuoteRevision, *, prices: bool) -> list[QuoteLine]:
    return [
        QuoteLine(
            position=line.position, sku_id=line.sku_id, title=line.title, quantity=line.quantity,
            unit_price=line.unit_price if prices else None, tax_rate=line.tax_rate,
        )
        for line in revision.lines.order_by("position")
    ]  # fmt: skip


def move_quote(quote: Quote, verb: str, *, now: datetime, new_revision: bool, **fields) -> None:
    """The lifecycle's move, only from the revision the caller saw."""
    if new_revision:
        fields["revision"] = quote.revision + 1
    quotes.move(quote, verb, where={"revision": quote.revision}, now=now, updated_at=now, **fields)


def who(user: User) -> str:
    return user.display_name or f"@{user.username}"


def post(quote: Quote, revision: QuoteRevision, *, from_buyer: bool, body: str) -> None:
    """The message in the company–merchant conversation; the merchant's words (and the
    platform's) also reach the requester's inbox from the company's account."""
    account = company_account(quote.company)
    card = {"attachment_type": Message.Attachment.QUOTE, "attachment_id": revision.pk}
    # Not send_message: the company's account takes no direct messages, and this thread is
    # the quote's own (no message policy or new-conversation limit applies to it).
    if from_buyer:
        sent = send_notices(sender=account, recipient_ids=[quote.merchant_id], body=body, **card)
    else:
        sent = send_notices(sender=quote.merchant, recipient_ids=[account.pk], body=body, **card)
        send_notices(sender=account, recipient_ids=[quote.requester_id], body=body, **card)
    _set_conversation(quote, sent)


def _set_conversation(quote: Quote, messages: list[Message]) -> None:
    if messages and quote.conversation_id is None:
        quote.conversation_id = messages[0].conversation_id
        Quote.objects.filter(pk=quote.pk).update(conversation_id=quote.conversation_id)


# --- the buyer's side --------------------------------------------------------------------


@transaction.atomic
def request_quote(
    *,
    user: User,
    company_id: object,
    merchant_id: object,
    lines: list[LineSpec],
    wanted_by: date | None = None,
    title: str = "",
    note: str = "",
    now: datetime | None = None,
) -> Quote:
    """A buyer asks a merchant to quote SKUs or free-text items (revision 1)."""
    now = now or timezone.now()
    membership = _buyer_of(user=user, company_id=company_id)
    merchant = _merchant(merchant_id)
    quote_lines = _lines(merchant, lines)
    check_quantity_rules(membership.company_id, quote_lines)
    if wanted_by is not None and wanted_by < timezone.localdate(now):
        raise DomainError(QuoteError.WANTED_BY_INVALID)
    title = str(title or "").strip()
    if len(title) > TITLE_MAX:
        raise DomainError(QuoteError.TITLE_TOO_LONG)
    note = clean_note(note)
    quote = quotes.create(
        now=now, company=membership.company, merchant=merchant, requester=user,
        title=title or quote_lines[0].title, wanted_by=wanted_by, revision=1,
    )  # fmt: skip
    revision = write_revision(quote, kind=Kind.REQUEST, author=user, lines=quote_lines, note=note,
                         now=now)  # fmt: skip
    account = company_account(membership.company)
    sent = send_notices(
        sender=account,
        recipient_ids=[merchant.pk],
        body=_("%(who)s asks for a quote: %(title)s") % {"who": who(user), "title": quote.title},
        attachment_type=Message.Attachment.QUOTE,
        attachment_id=revision.pk,
    )
    _set_conversation(quote, sent)
    return quote


def _buyer_of(*, user: User, company_id: object):
    """A current buyer of a verified company."""
    membership = quote_buyer(user=user, company_id=company_id)
    if membership is None:
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    if membership.company.status != Company.Status.VERIFIED:
        raise DomainError(ProcurementError.COMPANY_NOT_VERIFIED)
    return membership


def _buyer_quote(*, user: User, quote_id: object, company_id: object = None) -> Quote:
    quote, _membership = company_quote(
        user=user, quote_id=quote_id, company_id=company_id, lock=True
    )
    return quote


@transaction.atomic
def answer_info(*, user: User, quote_id: object, note: object, company_id: object = None) -> Quote:
    """The buyer answers the merchant's question: the request again, with the answer."""
    now = timezone.now()
    quote = _buyer_quote(user=user, quote_id=quote_id, company_id=company_id)
    note = clean_note(note, required=True)
    last = latest_revision(quote)
    move_quote(quote, "answer", now=now, new_revision=True)
    revision = write_revision(quote, kind=Kind.REQUEST, author=user, note=note, now=now,
                         lines=copy_lines(last, prices=False))  # fmt: skip
    post(quote, revision, from_buyer=True,
         body=_("%(who)s answers: %(note)s") % {"who": who(user), "note": note})  # fmt: skip
    return quote


@dataclass(frozen=True)
class CounterLine:
    """The buyer's proposal for one line of the merchant's quote."""

    position: int
    quantity: object
    unit_price: object


@transaction.atomic
def counter_quote(
    *,
    user: User,
    quote_id: object,
    lines: list[CounterLine],
    note: object = "",
    company_id: object = None,
) -> Quote:
    """The buyer proposes other prices or quantities for the quote's lines: a new revision,
    and the merchant's turn again."""
    now = timezone.now()
    quote = _buyer_quote(user=user, quote_id=quote_id, company_id=company_id)
    note = clean_note(note)
    if not quotes.allows(quote, "counter"):
        raise DomainError(QuoteError.QUOTE_INVALID_STATE)
    proposed = copy_lines(latest_revision(quote), prices=True)
    by_position = {line.position: line for line in proposed}
    if {c.position for c in lines} != set(by_position) or len(lines) != len(by_position):
        raise DomainError(QuoteError.LINE_INVALID)
    for change in lines:
        line = by_position[change.position]
        line.quantity = clean_quantity(change.quantity)
        line.unit_price = clean_price(change.unit_price)
    check_quantity_rules(quote.company_id, proposed)
    move_quote(quote, "counter", now=now, new_revision=True, valid_until=None)
    revision = write_revision(quote, kind=Kind.COUNTER, author=user, note=note, now=now,
                         lines=proposed)  # fmt: skip
    post(quote, revision, from_buyer=True,
         body=_("%(who)s counters with %(total)s.")
         % {"who": who(user), "total": format_money(revision.total, quote.currency)})  # fmt: skip
    return quote


@transaction.atomic
def cancel_quote(
    *, user: User, quote_id: object, note: object = "", company_id: object = None
) -> Quote:
    """The buyer withdraws the request while it is open."""
    now = timezone.now()
    quote = _buyer_quote(user=user, quote_id=quote_id, company_id=company_id)
    note = clean_note(note)
    move_quote(quote, "cancel", now=now, new_revision=False, closed_at=now)
    body = _("%(who)s cancelled the request.") % {"who": who(user)}
    post(quote, latest_revision(quote), from_buyer=True,
         body=f"{body} {note}".strip())  # fmt: skip
    return quote


@transaction.atomic
def requote(*, user: User, quote_id: object, company_id: object = None) -> Quote:
    """An expired quote asked for again in one click: the last revision's lines, unpriced."""
    now = timezone.now()
    quote = _buyer_quote(user=user, quote_id=quote_id, company_id=company_id)
    if quote.company.status != Company.Status.VERIFIED:
        raise DomainError(ProcurementError.COMPANY_NOT_VERIFIED)
    last = latest_revision(quote)
    move_quote(quote, "requote", now=now, new_revision=True, valid_until=None, closed_at=None)
    revision = write_revision(quote, kind=Kind.REQUEST, author=user, now=now,
                         lines=copy_lines(last, prices=False))  # fmt: skip
    post(quote, revision, from_buyer=True,
         body=_("%(who)s asks for a new quote.") % {"who": who(user)})  # fmt: skip
    return quote
