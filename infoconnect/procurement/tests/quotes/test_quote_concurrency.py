"""True concurrency on PostgreSQL: one quote accepted twice at once, two answers to one
request, and the merchant's quote racing the buyer's cancellation: nothing is written twice
or half."""

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


def test_two_answers_to_one_request_at_once_make_one_revision(world):
    quote = asked(world)
    results = run_together(
        lambda: quoted(world, quote, price=280_000),
        lambda: quoted(world, quote, price=270_000),
    )
    assert sorted(results) == ["ok", "quote_invalid_state"]
    quote.refresh_from_db()
    assert (quote.state, quote.revision) == (Quote.State.QUOTED, 2)
    assert QuoteRevision.objects.filter(quote=quote).count() == 2


def test_a_cancellation_racing_a_quote_leaves_it_cancelled(world):
    quote = asked(world)
    results = run_together(
        lambda: quoted(world, quote),
        lambda: actions.cancel_quote(user=world.buyer, quote_id=quote.pk),
    )
    quote.refresh_from_db()
    assert quote.state == Quote.State.CANCELLED
    revisions = QuoteRevision.objects.filter(quote=quote).count()
    # The quote first, then the cancellation of it; or the cancellation, and no quote at all.
    assert (results, revisions) in ((["ok", "ok"], 2), (["quote_invalid_state", "ok"], 1))
