import pytest

from infoconnect.procurement.demo_quotes import seed_quote
from infoconnect.procurement.models import Quote, QuoteRevision, Requisition

pytestmark = pytest.mark.django_db


def test_the_demo_quote_is_accepted_once(world):
    quote = seed_quote(world.company, world.buyer, world.merchant_a, [world.sku_a])
    assert quote.state == Quote.State.ACCEPTED
    offer = QuoteRevision.objects.get(quote=quote, number=2)
    assert list(offer.lines.values_list("quantity", "unit_price")) == [(4, 279_000)]
    requisition = Requisition.objects.get(quote=quote)
    assert (requisition.po_number, requisition.department_id) == ("HX-Q-0001", world.design.pk)
    assert requisition.state == Requisition.State.PENDING
    again = seed_quote(world.company, world.buyer, world.merchant_a, [world.sku_a])
    assert again.pk == quote.pk
    assert (Quote.objects.count(), Requisition.objects.count()) == (1, 1)
