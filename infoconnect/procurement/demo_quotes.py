"""The demo's accepted quote: the buyer asks the merchant to quote 4 of each SKU, the merchant
answers at 10% below the catalogue price (valid two weeks), and the buyer accepts it for the
first department they buy for, so its requisition waits in the company's approvals.

Every step goes through the quote actions, so the revisions, the inbox cards and the
requisition are the ones real use makes. It is found again by its subject, so seeding twice
adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.procurement.actions import quote_acceptance, quote_replies
from infoconnect.procurement.actions import quotes as actions
from infoconnect.procurement.models import Company, Quote
from infoconnect.procurement.quote_reads import accept_choices, quote_buyer
from infoconnect.shop.models import Sku

TITLE = "Framework order for the new studio"
PO_NUMBER = "HX-Q-0001"
QUANTITY = 4
DISCOUNT_PERCENT = 10


@transaction.atomic
def seed_quote(company: Company, buyer: User, merchant: User, skus: list[Sku]) -> Quote:
    found = Quote.objects.filter(company=company, merchant=merchant, title=TITLE).first()
    if found is not None:
        return found
    quote = actions.request_quote(
        user=buyer,
        company_id=company.pk,
        merchant_id=merchant.pk,
        lines=[actions.LineSpec(sku_id=sku.pk, quantity=QUANTITY) for sku in skus],
        wanted_by=timezone.localdate() + timedelta(days=21),
        title=TITLE,
        note="Four of each, delivered to the studio.",
    )
    quote_replies.send_quote(
        user=merchant,
        quote_id=quote.pk,
        prices={
            position: sku.price * (100 - DISCOUNT_PERCENT) // 100
            for position, sku in enumerate(skus, start=1)
        },
        valid_until=timezone.localdate() + timedelta(days=14),
        note="Framework price for Huaxia, delivery within a week.",
    )
    membership = quote_buyer(user=buyer, company_id=company.pk)
    department, addresses = next(
        choice for choice in accept_choices(membership=membership) if choice[1]
    )
    quote_acceptance.accept_quote(
        user=buyer,
        quote_id=quote.pk,
        department_id=department.pk,
        ship_to_id=addresses[0].pk,
        po_number=PO_NUMBER,
    )
    quote.refresh_from_db()
    return quote
