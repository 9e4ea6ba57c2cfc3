"""True concurrency on PostgreSQL: one quote accepted twice at once, and the merchant's quote
racing the buyer's cancellation: one move wins, the other is told the quote moved on."""

import pytest
from django.db import connection

from infoconnect.procurement.actions import quotes as actions
from infoconnect.procurement.models import Quote, QuoteRevision, Requisition
from infoconnect.procurement.tests.invariants.test_concurrency import run_together
from infoconnect.procurement.tests.quotes.helpers import accepted, asked, quoted

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent writers")


def test_a_quote_accepted_twice_at_once_makes_one_requisition(world):
    quote = quoted(world)
    results = run_together(
        lambda: accepted(world, quote, po_number="PO-A"),
        lambda: accepted(world, quote, po_number="PO-B"),
    )
    assert sorted(results) == ["ok", "quote_invalid_state"]
    assert Requisition.objects.filter(quote=quote).count() == 1
    assert Quote.objects.get(pk=quote.pk).state == Quote.State.ACCEPTED


def test_a_quote_and_a_cancellation_at_once(world):
    quote = asked(world)
    results = run_together(
        lambda: quoted(world, quote),
        lambda: actions.cancel_quote(user=world.buyer, quote_id=quote.pk),
    )
    assert sorted(results) == ["ok", "quote_invalid_state"]
    quote.refresh_from_db()
    revisions = QuoteRevision.objects.filter(quote=quote).count()
    if quote.state == Quote.State.QUOTED:
        assert revisions == 2
    else:
        assert (quote.state, revisions) == (Quote.State.CANCELLED, 1)
