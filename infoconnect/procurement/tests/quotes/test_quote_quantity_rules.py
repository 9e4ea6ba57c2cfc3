"""A quote asks for what the cart could hold: the company's price-list quantity rules apply to
its catalogue lines when asked for and when countered."""

import pytest

from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import price_lists
from infoconnect.procurement.actions import quotes as actions
from infoconnect.procurement.errors import PricingError
from infoconnect.procurement.models import Quote, QuoteRevision
from infoconnect.procurement.tests.pricing.world import framework
from infoconnect.procurement.tests.quotes.helpers import asked, quoted, rows

pytestmark = pytest.mark.django_db


def rule(world):
    plist = framework(world)
    price_lists.set_entry(
        merchant=world.merchant_a, price_list_id=plist.pk, sku_id=world.sku_a.pk,
        min_quantity=10, max_quantity=500, increment=5,
    )  # fmt: skip


def test_a_request_off_the_rule_is_refused_naming_it_and_writes_nothing(world):
    rule(world)
    before = rows()
    with pytest.raises(DomainError) as caught:
        asked(world, 12)
    assert caught.value.error is PricingError.QUANTITY_RULE
    assert caught.value.message == "Order Laser printer in multiples of 5 (min 10, max 500)."
    assert rows() == before
    assert asked(world, 15).state == Quote.State.REQUESTED


def test_a_counter_off_the_rule_is_refused(world):
    rule(world)
    quote = quoted(world, asked(world, 10))
    with pytest.raises(DomainError) as caught:
        actions.counter_quote(
            user=world.buyer,
            quote_id=quote.pk,
            lines=[actions.CounterLine(position=1, quantity=7, unit_price=270_000)],
        )
    assert caught.value.error is PricingError.QUANTITY_RULE
    assert QuoteRevision.objects.filter(quote=quote).count() == 2
    actions.counter_quote(
        user=world.buyer,
        quote_id=quote.pk,
        lines=[actions.CounterLine(position=1, quantity=20, unit_price=270_000)],
    )
    assert Quote.objects.get(pk=quote.pk).state == Quote.State.REQUESTED
