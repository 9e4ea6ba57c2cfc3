"""The quote's way: asked, questioned and answered, quoted, countered, declined, cancelled,
expired and asked again; each move a numbered revision and a message in the one
conversation between the company's account and the merchant."""

from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.core.sweeps import sweep_edge
from infoconnect.messaging.models import Conversation, Message
from infoconnect.procurement.actions import quote_replies
from infoconnect.procurement.actions import quotes as actions
from infoconnect.procurement.lifecycle import quote_expires_at, quotes
from infoconnect.procurement.models import Company, Quote, QuoteRevision
from infoconnect.procurement.tests.factories import add, make_company
from infoconnect.procurement.tests.organisation.conftest import OTHER_USCC
from infoconnect.procurement.tests.quotes.helpers import asked, quoted, rows
from infoconnect.shop.tests.conftest import make_product

pytestmark = pytest.mark.django_db
State = Quote.State


def kinds(quote):
    return list(
        QuoteRevision.objects.filter(quote=quote).order_by("number").values_list("number", "kind")
    )


def test_a_request_is_revision_one_in_the_company_merchant_conversation(world):
    quote = asked(world, 10, free_text="Installation on site")
    assert quote.state == State.REQUESTED
    assert kinds(quote) == [(1, "request")]
    lines = list(QuoteRevision.objects.get(quote=quote).lines.values_list("title", "quantity"))
    assert lines == [("Laser printer colour: red", 10), ("Installation on site", 2)]
    account = Company.objects.get(pk=world.company.pk).account
    message = Message.objects.get(attachment_type="quote")
    assert message.sender_id == account.pk
    assert message.body == "Buyer asks for a quote: Laser printer colour: red"
    conversation = Conversation.objects.get(pk=message.conversation_id)
    assert {conversation.user_low_id, conversation.user_high_id} == {
        account.pk,
        world.merchant_a.pk,
    }
    assert Quote.objects.get(pk=quote.pk).conversation_id == conversation.pk


def test_every_answer_stays_in_one_conversation_and_reaches_the_requester(world):
    quote = asked(world)
    quote_replies.ask_info(user=world.merchant_a, quote_id=quote.pk, note="Which toner?")
    actions.answer_info(user=world.buyer, quote_id=quote.pk, note="The black one")
    quote = quoted(world, quote)
    assert quote.state == State.QUOTED
    assert kinds(quote) == [(1, "request"), (2, "info"), (3, "request"), (4, "quote")]
    account = Company.objects.get(pk=world.company.pk).account
    pair = Message.objects.filter(attachment_type="quote").exclude(
        conversation__participants__user=world.buyer
    )
    assert pair.values("conversation_id").distinct().count() == 1
    # The merchant's question and quote were told to the requester by the company's account.
    told = Message.objects.filter(
        sender=account, conversation__participants__user=world.buyer
    ).order_by("pk")
    assert [m.body for m in told] == [
        "@shop_a asks: Which toner?",
        f"@shop_a quotes ¥28,000.00, valid until "
        f"{(timezone.localdate() + timedelta(days=7)).isoformat()}.",
    ]
    latest = QuoteRevision.objects.get(quote=quote, number=4)
    assert latest.total == 10 * 280_000
    assert list(latest.lines.values_list("unit_price", flat=True)) == [280_000]


def test_a_counter_is_a_new_numbered_revision_and_the_merchants_turn(world):
    quote = quoted(world)
    actions.counter_quote(
        user=world.buyer,
        quote_id=quote.pk,
        lines=[actions.CounterLine(position=1, quantity=12, unit_price=260_000)],
        note="For twelve?",
    )
    quote.refresh_from_db()
    assert quote.state == State.REQUESTED
    assert quote.valid_until is None
    assert kinds(quote) == [(1, "request"), (2, "quote"), (3, "counter")]
    counter = QuoteRevision.objects.get(quote=quote, number=3)
    assert (counter.total, counter.note) == (12 * 260_000, "For twelve?")
    quote = quoted(world, quote, price=265_000)
    assert QuoteRevision.objects.get(quote=quote, number=4).total == 12 * 265_000


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([], "quote_lines_required"),
        ([actions.LineSpec(title="", quantity=1)], "quote_line_invalid"),
        ([actions.LineSpec(title="x" * 121, quantity=1)], "quote_line_invalid"),
        ([actions.LineSpec(title="Toner", quantity=0)], "quote_quantity_invalid"),
        ([actions.LineSpec(title="Toner", quantity=10_000)], "quote_quantity_invalid"),
        ([actions.LineSpec(title="Toner", quantity=1)] * 51, "quote_too_many_lines"),
    ],
)
def test_a_bad_request_writes_nothing(world, lines, code):
    before = rows()
    with pytest.raises(DomainError) as caught:
        actions.request_quote(
            user=world.buyer, company_id=world.company.pk, merchant_id=world.merchant_a.pk,
            lines=lines,
        )  # fmt: skip
    assert caught.value.code == code
    assert rows() == before


def test_another_merchants_sku_a_repeated_sku_and_a_past_date_are_refused(world):
    def ask(**kwargs):
        with pytest.raises(DomainError) as caught:
            actions.request_quote(
                user=world.buyer, company_id=world.company.pk,
                merchant_id=world.merchant_a.pk, **kwargs,
            )  # fmt: skip
        return caught.value.code

    before = rows()
    assert ask(lines=[actions.LineSpec(sku_id=world.sku_b.pk, quantity=1)]) == "quote_line_invalid"
    twice = [actions.LineSpec(sku_id=world.sku_a.pk, quantity=1)] * 2
    assert ask(lines=twice) == "quote_sku_repeated"
    assert (
        ask(
            lines=[actions.LineSpec(sku_id=world.sku_a.pk, quantity=1)],
            wanted_by=timezone.localdate() - timedelta(days=1),
        )
        == "quote_wanted_by_invalid"
    )
    with pytest.raises(DomainError) as caught:
        actions.request_quote(
            user=world.buyer, company_id=world.company.pk, merchant_id=world.buyer.pk,
            lines=[actions.LineSpec(title="Toner", quantity=1)],
        )  # fmt: skip
    assert caught.value.code == "quote_merchant_not_found"
    assert rows() == before


def test_only_a_buyer_of_the_company_asks(world, make_user):
    outsider = make_user("li")
    make_company(outsider, name="Beijing Paper Works", code=OTHER_USCC)
    for user in (world.approver, world.finance, outsider, world.merchant_a):
        with pytest.raises(DomainError) as caught:
            actions.request_quote(
                user=user, company_id=world.company.pk, merchant_id=world.merchant_a.pk,
                lines=[actions.LineSpec(title="Toner", quantity=1)],
            )  # fmt: skip
        assert caught.value.code in ("role_required", "not_a_member")
    assert Quote.objects.count() == 0


def test_only_the_merchant_asked_answers_and_only_buyers_of_the_company_move(world, make_user):
    quote = asked(world)
    outsider = make_user("li")
    other = make_company(outsider, name="Beijing Paper Works", code=OTHER_USCC)
    add(other, outsider, make_user("li_buyer"), "buyer")
    for merchant in (world.merchant_b, world.buyer):
        with pytest.raises(DomainError) as caught:
            quote_replies.ask_info(user=merchant, quote_id=quote.pk, note="?")
        assert caught.value.code == "quote_not_found"
    for user in (world.approver, outsider, world.merchant_a):
        with pytest.raises(DomainError) as caught:
            actions.cancel_quote(user=user, quote_id=quote.pk)
        assert caught.value.code == "quote_not_found"
    quote.refresh_from_db()
    assert (quote.state, quote.revision) == (State.REQUESTED, 1)


def test_a_quote_needs_a_price_for_every_line_and_a_validity_ahead(world):
    quote = asked(world, free_text="Installation")
    today = timezone.localdate()

    def send(prices, valid_until):
        with pytest.raises(DomainError) as caught:
            quote_replies.send_quote(
                user=world.merchant_a, quote_id=quote.pk, prices=prices, valid_until=valid_until
            )
        return caught.value.code

    before = rows()
    assert send({1: 100}, today) == "quote_price_invalid"
    assert send({1: 100, 2: 0}, today) == "quote_price_invalid"
    assert send({1: 100, 2: 100}, today - timedelta(days=1)) == "quote_valid_until_invalid"
    assert send({1: 100, 2: 100}, today + timedelta(days=366)) == "quote_valid_until_invalid"
    assert send({1: 100, 2: 100}, None) == "quote_valid_until_invalid"
    assert rows() == before
    assert Quote.objects.get(pk=quote.pk).state == State.REQUESTED


def test_a_move_from_a_revision_another_move_replaced_is_refused(world):
    quote = asked(world)
    stale = Quote.objects.get(pk=quote.pk)
    quote_replies.ask_info(user=world.merchant_a, quote_id=quote.pk, note="Which toner?")
    # A second answer to revision 1 (its page still open): the state guard and the revision.
    with pytest.raises(DomainError) as caught:
        quotes.move(stale, "ask_info", where={"revision": stale.revision})
    assert caught.value.code == "quote_invalid_state"
    # In the state the move leaves from, but seen at revision 1: the revision guard refuses.
    seen = Quote.objects.get(pk=quote.pk)
    seen.revision = 1
    with pytest.raises(DomainError) as caught:
        quotes.move(seen, "quote", where={"revision": seen.revision})
    assert caught.value.code == "quote_invalid_state"
    actions.answer_info(user=world.buyer, quote_id=quote.pk, note="Black")
    with pytest.raises(DomainError) as caught:
        actions.answer_info(user=world.buyer, quote_id=quote.pk, note="Black")
    assert caught.value.code == "quote_invalid_state"
    assert QuoteRevision.objects.filter(quote=quote).count() == 3


def test_decline_and_cancel_close_the_quote(world):
    declined = asked(world)
    quote_replies.decline_quote(user=world.merchant_a, quote_id=declined.pk, note="Sold out")
    declined.refresh_from_db()
    assert declined.state == State.DECLINED and declined.closed_at is not None
    assert Message.objects.filter(body="@shop_a declined the quote. Sold out").count() == 2
    with pytest.raises(DomainError):
        actions.cancel_quote(user=world.buyer, quote_id=declined.pk)
    cancelled = quoted(world)
    actions.cancel_quote(user=world.buyer, quote_id=cancelled.pk)
    assert Quote.objects.get(pk=cancelled.pk).state == State.CANCELLED


def test_a_quote_expires_when_its_last_day_ends_and_is_asked_for_again(world):
    quote = quoted(world, days=2)
    last_day = timezone.localdate() + timedelta(days=2)
    end = quote_expires_at(last_day)
    assert timezone.localtime(end).hour == 0
    assert timezone.localtime(end).date() == last_day + timedelta(days=1)
    assert sweep_edge(quotes, "expire", now=end - timedelta(seconds=1)) == 0
    assert quote_replies.expire_quote(quote_id=quote.pk, now=end - timedelta(seconds=1)) is False
    assert sweep_edge(quotes, "expire", now=end) == 1
    quote.refresh_from_db()
    assert quote.state == State.EXPIRED
    assert quote_replies.expire_quote(quote_id=quote.pk, now=end) is False  # twice is harmless
    actions.requote(user=world.buyer, quote_id=quote.pk)
    quote.refresh_from_db()
    assert (quote.state, quote.revision, quote.valid_until) == (State.REQUESTED, 3, None)
    again = QuoteRevision.objects.get(quote=quote, number=3)
    assert again.kind == "request"
    assert list(again.lines.values_list("sku_id", "quantity", "unit_price")) == [
        (world.sku_a.pk, 10, None)
    ]


def test_the_merchant_quotes_free_text_items_too(world, make_user):
    _p, other_sku = make_product(world.merchant_a, title="Toner", price=30_000, stock=50)
    quote = actions.request_quote(
        user=world.buyer, company_id=world.company.pk, merchant_id=world.merchant_a.pk,
        lines=[actions.LineSpec(sku_id=other_sku.pk, quantity=5),
               actions.LineSpec(title="Recycling of old cartridges", quantity=1)],
    )  # fmt: skip
    quote = quoted(world, quote, price=25_000)
    assert QuoteRevision.objects.get(quote=quote, number=2).total == 6 * 25_000
