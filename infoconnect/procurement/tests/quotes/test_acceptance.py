"""Accepting a quote: a requisition at the quoted prices, locked, submitted to the company's
approvals; the member's cart is left as it was; what cannot be bought is refused whole."""

from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import approvals, quote_acceptance, requisitions
from infoconnect.procurement.actions import quotes as actions
from infoconnect.procurement.models import Quote, Requisition, RequisitionLine
from infoconnect.procurement.tests.factories import make_company
from infoconnect.procurement.tests.organisation.conftest import OTHER_USCC
from infoconnect.procurement.tests.quotes.helpers import accepted, asked, quoted, rows
from infoconnect.shop.models import OrderLine

pytestmark = pytest.mark.django_db


def test_accepting_makes_a_requisition_at_the_quoted_prices_awaiting_approval(world):
    quote = quoted(world, price=280_000)  # 10 × ¥2,800.00: the ¥5,000.00 rule fires
    requisition = accepted(world, quote)
    assert requisition.state == Requisition.State.PENDING
    assert requisition.quote_id == quote.pk
    assert (requisition.requester_id, requisition.department_id, requisition.po_number) == (
        world.buyer.pk,
        world.design.pk,
        "PO-Q-1",
    )
    line = RequisitionLine.objects.get(requisition=requisition)
    assert (line.sku_id, line.quantity, line.locked, line.list_price) == (
        world.sku_a.pk,
        10,
        True,
        310_000,
    )
    assert line.price_reason == f"Quote Q-{quote.pk}, revision 2"
    assert line.unit_price == 280_000
    assert requisition.total == 2_800_000
    quote.refresh_from_db()
    assert quote.state == Quote.State.ACCEPTED and quote.accepted_at is not None


def test_the_orders_are_placed_at_the_quoted_price(world):
    requisition = accepted(world, quoted(world, price=280_000))
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.ORDERED
    order_ids = requisition.orders.values_list("order_id", flat=True)
    line = OrderLine.objects.get(order_id__in=list(order_ids))
    assert (line.unit_price, line.quantity) == (280_000, 10)


def test_the_members_cart_stays_their_one_draft(world):
    cart_line = requisitions.add_to_requisition(
        user=world.buyer, company_id=world.company.pk, sku_id=world.sku_b.pk, quantity=3
    )
    cart = Requisition.objects.get(pk=cart_line.requisition_id)
    requisition = accepted(world)
    assert requisition.pk != cart.pk
    kept = Requisition.objects.get(pk=cart.pk)
    assert (kept.state, kept.requester_id) == (Requisition.State.DRAFT, world.buyer.pk)
    assert list(kept.lines.values_list("sku_id", "quantity")) == [(world.sku_b.pk, 3)]
    drafts = Requisition.objects.filter(requester=world.buyer, state=Requisition.State.DRAFT)
    assert drafts.count() == 1


def test_a_refused_acceptance_gives_the_cart_back_and_writes_nothing(world):
    cart_line = requisitions.add_to_requisition(
        user=world.buyer, company_id=world.company.pk, sku_id=world.sku_b.pk, quantity=3
    )
    quote = quoted(world)
    before = rows()
    with pytest.raises(DomainError) as caught:
        quote_acceptance.accept_quote(
            user=world.buyer, quote_id=quote.pk, department_id=world.design.pk,
            ship_to_id=None, po_number="PO-Q-1",
        )  # fmt: skip
    assert caught.value.code == "ship_to_required"
    assert rows() == before
    cart = Requisition.objects.get(pk=cart_line.requisition_id)
    assert (cart.state, cart.requester_id) == (Requisition.State.DRAFT, world.buyer.pk)
    assert Quote.objects.get(pk=quote.pk).state == Quote.State.QUOTED


@pytest.mark.parametrize(
    ("details", "code"),
    [
        ({"department_id": 999_999}, "department_not_found"),
        ({"department_id": None, "ship_to_id": None}, "department_required"),
        ({"po_number": "PO 1 with spaces"}, "po_number_invalid"),
        ({"ship_to_id": 999_999}, "ship_to_not_found"),
        # Operations is not a department the buyer buys for.
        ({"department": "operations"}, "role_required"),
    ],
)
def test_the_requisitions_own_checks_refuse_bad_details(world, details, code):
    quote = quoted(world)
    fields = {
        "department_id": world.design.pk,
        "ship_to_id": world.ship_to.pk,
        "po_number": "PO-Q-1",
    }
    if details.pop("department", None):
        fields["department_id"] = world.operations.pk
        fields["ship_to_id"] = world.operations.ship_to_addresses.first().pk
    fields.update(details)
    before = rows()
    with pytest.raises(DomainError) as caught:
        quote_acceptance.accept_quote(user=world.buyer, quote_id=quote.pk, **fields)
    assert caught.value.code == code
    assert rows() == before


def test_a_quote_is_accepted_through_its_last_valid_day_only(world):
    quote = quoted(world, days=1)
    tomorrow_end = timezone.now() + timedelta(days=3)
    with pytest.raises(DomainError) as caught:
        quote_acceptance.accept_quote(
            user=world.buyer, quote_id=quote.pk, department_id=world.design.pk,
            ship_to_id=world.ship_to.pk, now=tomorrow_end,
        )  # fmt: skip
    assert caught.value.code == "quote_expired"
    assert Requisition.objects.count() == 0


def test_a_quote_of_free_text_items_only_cannot_be_bought(world):
    quote = actions.request_quote(
        user=world.buyer, company_id=world.company.pk, merchant_id=world.merchant_a.pk,
        lines=[actions.LineSpec(title="Office cleaning, monthly", quantity=12)],
    )  # fmt: skip
    quote = quoted(world, quote, price=50_000)
    with pytest.raises(DomainError) as caught:
        accepted(world, quote)
    assert caught.value.code == "quote_no_sku_lines"
    assert "ask for a new quote naming the products" in caught.value.message
    assert Requisition.objects.count() == 0


def test_free_text_lines_beside_products_are_left_out(world):
    quote = quoted(world, asked(world, 2, free_text="Installation"), price=100_000)
    requisition = accepted(world, quote)
    assert list(requisition.lines.values_list("sku_id", "quantity")) == [(world.sku_a.pk, 2)]


def test_who_may_not_accept(world, make_user):
    quote = quoted(world)
    outsider = make_user("li")
    make_company(outsider, name="Beijing Paper Works", code=OTHER_USCC)
    for user in (world.approver, world.finance, world.merchant_a, outsider):
        with pytest.raises(DomainError) as caught:
            accepted(world.__class__(**{**world.__dict__, "buyer": user}), quote)
        assert caught.value.code == "quote_not_found"
    assert Requisition.objects.count() == 0
    accepted(world, quote)
    with pytest.raises(DomainError) as caught:
        accepted(world, quote, po_number="PO-Q-2")
    assert caught.value.code == "quote_invalid_state"
    assert Requisition.objects.count() == 1
