"""The quote card on a message of the company–merchant conversation, or of the requester's
inbox (reads only).

Each message carries one revision; the card shows that revision's lines and prices and the
quote's state now. Only the card of the quote's latest revision offers moves, and only those
the reader's side may make from the state the quote is in: Quote, Ask and Decline for the
merchant; Accept, Counter and Cancel (or, once expired, Ask for a new quote) for a buyer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.invoicing.models import Invoice
from infoconnect.procurement import terms_reads
from infoconnect.procurement.lifecycle import quotes
from infoconnect.procurement.models import Quote, QuoteLine, QuoteRevision
from infoconnect.procurement.quote_reads import Side, accept_choices, quote_buyer, side_of


def quote_path(quote: Quote, side: Side | None) -> str:
    """The quote's page on the reader's side."""
    if side == "merchant":
        return f"/companies/quotes/{quote.pk}/"
    return f"/companies/{quote.company_id}/quotes/{quote.pk}/"


@dataclass
class QuoteCard:
    revision_id: int
    revision: QuoteRevision | None = None
    quote: Quote | None = None
    side: Side | None = None
    lines: list[QuoteLine] = field(default_factory=list)
    moves: list[str] = field(default_factory=list)
    # Accepting asks for a department and one of its ship-to addresses.
    accept_choices: list = field(default_factory=list)
    # And how it pays (on terms only if the merchant grants the company terms) and which
    # VAT invoice, of the company's titles, its orders ask for.
    terms_offered: bool = False
    invoice_titles: list = field(default_factory=list)
    invoice_kinds: list = field(default_factory=list)
    template: str = "procurement/quotes/_card.html"

    @property
    def visible(self) -> bool:
        return self.quote is not None

    @property
    def url(self) -> str:
        return quote_path(self.quote, self.side) if self.quote else ""

    @property
    def form_key(self) -> str:
        """A fresh idempotency key for each drawing of the Accept form."""
        return uuid.uuid4().hex

    @property
    def is_latest(self) -> bool:
        return bool(self.quote and self.revision.number == self.quote.revision)

    @property
    def priced(self) -> bool:
        return any(line.unit_price is not None for line in self.lines)

    @property
    def has_sku_lines(self) -> bool:
        return any(line.sku_id for line in self.lines)

    @property
    def has_free_text(self) -> bool:
        return any(not line.sku_id for line in self.lines)


BUYER_MOVES = ("accept", "counter", "answer", "cancel", "requote")
MERCHANT_MOVES = ("quote", "ask_info", "decline")


def moves_for(quote: Quote, side: Side | None) -> list[str]:
    """What the reader may do now, as the lifecycle allows it from the quote's state."""
    if side is None:
        return []
    verbs = BUYER_MOVES if side == "buyer" else MERCHANT_MOVES
    allowed = [verb for verb in verbs if quotes.allows(quote, verb)]
    if "accept" in allowed and (
        quote.valid_until is None or quote.valid_until < timezone.localdate()
    ):
        allowed.remove("accept")
    return allowed


def quote_cards(viewer: User, ids: set[int]) -> dict[int, QuoteCard]:
    """The cards of one page of messages, by revision id."""
    revisions = (
        QuoteRevision.objects.filter(pk__in=ids)
        .select_related("quote", "quote__company", "quote__merchant", "author")
        .prefetch_related("lines")
    )
    sides: dict[int, Side | None] = {}
    cards = {}
    for revision in revisions.order_by("pk"):
        quote = revision.quote
        if quote.pk not in sides:
            sides[quote.pk] = side_of(viewer, quote)
        side = sides[quote.pk]
        if side is None:
            cards[revision.pk] = QuoteCard(revision_id=revision.pk)
            continue
        card = QuoteCard(
            revision_id=revision.pk,
            revision=revision,
            quote=quote,
            side=side,
            lines=sorted(revision.lines.all(), key=lambda line: line.position),
        )
        if card.is_latest:
            card.moves = moves_for(quote, side)
        if "accept" in card.moves:
            membership = quote_buyer(user=viewer, company_id=quote.company_id)
            card.accept_choices = accept_choices(membership=membership)
            card.terms_offered = terms_reads.grants_terms(
                company_id=quote.company_id, merchant_id=quote.merchant_id
            )
            card.invoice_titles = terms_reads.invoice_titles(quote.company_id)
            card.invoice_kinds = Invoice.Kind.choices
        cards[revision.pk] = card
    return cards


def revision_card(viewer: User, revision: QuoteRevision) -> QuoteCard | None:
    return quote_cards(viewer, {revision.pk}).get(revision.pk)
