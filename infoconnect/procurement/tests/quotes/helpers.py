"""Quotes at each step of their way, for the tests: asked, quoted, accepted."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from infoconnect.messaging.models import Message
from infoconnect.procurement.actions import quote_acceptance, quote_replies
from infoconnect.procurement.actions import quotes as actions
from infoconnect.procurement.models import Quote, QuoteLine, QuoteRevision, Requisition
from infoconnect.procurement.tests.requisitions.world import World


def asked(world: World, quantity: int = 10, *, free_text: str = "") -> Quote:
    """The buyer asks merchant A for ``quantity`` laser printers (and a free-text item)."""
    lines = [actions.LineSpec(sku_id=world.sku_a.pk, quantity=quantity)]
    if free_text:
        lines.append(actions.LineSpec(title=free_text, quantity=2))
    return actions.request_quote(
        user=world.buyer,
        company_id=world.company.pk,
        merchant_id=world.merchant_a.pk,
        lines=lines,
        wanted_by=timezone.localdate() + timedelta(days=14),
        note="For the new studio",
    )


def quoted(world: World, quote: Quote | None = None, *, price: int = 280_000, days: int = 7):
    """Merchant A quotes every line at ``price``, valid ``days`` from today."""
    quote = quote or asked(world)
    positions = QuoteLine.objects.filter(revision__quote=quote, revision__number=quote.revision)
    return quote_replies.send_quote(
        user=world.merchant_a,
        quote_id=quote.pk,
        prices={line.position: price for line in positions},
        valid_until=timezone.localdate() + timedelta(days=days),
        note="Delivered within the week",
    )


def accepted(world: World, quote: Quote | None = None, po_number: str = "PO-Q-1") -> Requisition:
    quote = quote or quoted(world)
    return quote_acceptance.accept_quote(
        user=world.buyer,
        quote_id=quote.pk,
        department_id=world.design.pk,
        ship_to_id=world.ship_to.pk,
        po_number=po_number,
    )


def rows() -> dict[str, int]:
    return {
        "quotes": Quote.objects.count(),
        "revisions": QuoteRevision.objects.count(),
        "lines": QuoteLine.objects.count(),
        "messages": Message.objects.count(),
        "requisitions": Requisition.objects.count(),
    }
