"""Refund kinds end to end in the actions: before receipt, partial (lines or an amount), return
and refund, evidence photos, withdrawal, disputes; the ledger stays whole through each."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infoconnect.core.errors import DomainError
from infoconnect.shop import actions
from infoconnect.shop.actions import refunds
from infoconnect.shop.models import Order, OrderEvent, RefundEvidence, RefundRequest, Sku
from infoconnect.shop.tests.conftest import (
    fund,
    ledger_snapshot,
    make_address,
    merchant_balance,
    png_bytes,
    wallet_balance,
)
from infoconnect.wallet.models import AccountKind, LedgerTransaction, TransactionKind
from infoconnect.wallet.selectors import balance_of
from infoconnect.wallet.tests.helpers import assert_ledger_consistent

pytestmark = pytest.mark.django_db

PRICE = 12_900  # the scarf; commission is 2%


def raises(code: str):
    class Check:
        def __enter__(self):
            self.ctx = pytest.raises(DomainError)
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            handled = self.ctx.__exit__(*exc)
            assert self.info.value.code == code, self.info.value.message
            return handled

    return Check()


def photo(name="p.png", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(**kwargs), content_type="image/png")


def bought(buyer, merchant, scarf, *, quantity=1, to="paid", key="k"):
    """An order of ``quantity`` scarves, taken as far as ``to`` (paid, shipped, completed)."""
    address = buyer.addresses.first() or make_address(buyer)
    order = actions.buy_now(
        buyer=buyer, sku_id=scarf[1].pk, quantity=quantity, address_id=address.pk, key=key
    )
    fund(buyer, scarf[1].price * quantity)
    actions.pay_order(buyer=buyer, order_id=order.pk)
    if to in ("shipped", "completed"):
        actions.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="1")
    if to == "completed":
        actions.confirm_receipt(buyer=buyer, order_id=order.pk)
    return Order.objects.get(pk=order.pk)


def escrow(buyer) -> int:
    return balance_of(user_id=buyer.pk, kind=AccountKind.ESCROW)


# --- before receipt -----------------------------------------------------------------------


def test_a_refund_before_shipping_closes_the_paid_order_and_puts_the_units_back(
    buyer, merchant, scarf
):
    order = bought(buyer, merchant, scarf, quantity=2)
    assert Sku.objects.get(pk=scarf[1].pk).stock == 3
    refund = actions.request_refund(buyer=buyer, order_id=order.pk, reason="Ordered twice")
    assert (refund.kind, refund.amount, refund.lines) == ("refund", 2 * PRICE, [])
    actions.answer_refund(merchant=merchant, order_id=order.pk, accept=True)
    order.refresh_from_db()
    assert (order.state, order.refunded_amount) == ("refunded", 2 * PRICE)
    assert (wallet_balance(buyer), escrow(buyer)) == (2 * PRICE, 0)
    assert Sku.objects.get(pk=scarf[1].pk).stock == 5
    event = OrderEvent.objects.filter(order=order).last()
    assert (event.kind, event.from_state, event.to_state) == ("refund_accepted", "paid", "refunded")
    assert_ledger_consistent()


def test_a_partial_refund_of_a_shipped_order_leaves_it_and_the_release_pays_the_rest(
    buyer, merchant, scarf
):
    order = bought(buyer, merchant, scarf, quantity=2, to="shipped")
    line = order.lines.get()
    refund = actions.request_refund(
        buyer=buyer,
        order_id=order.pk,
        reason="One arrived torn",
        lines=[{"line": line.pk, "quantity": 1}],
    )
    assert (refund.amount, refund.lines) == (PRICE, [{"line": line.pk, "quantity": 1}])
    actions.answer_refund(merchant=merchant, order_id=order.pk, accept=True)
    order.refresh_from_db()
    assert (order.state, order.refunded_amount, order.refundable) == ("shipped", PRICE, PRICE)
    assert wallet_balance(buyer) == PRICE
    event = OrderEvent.objects.filter(order=order).last()
    assert (event.kind, event.from_state, event.to_state) == ("refund_accepted", "", "")
    # That line has one unit left to ask back; two is too many.
    with raises("invalid_refund_lines"):
        actions.request_refund(
            buyer=buyer, order_id=order.pk, reason="x", lines=[{"line": line.pk, "quantity": 2}]
        )
    actions.confirm_receipt(buyer=buyer, order_id=order.pk)
    order.refresh_from_db()
    # Escrow pays the merchant what is left, the platform's 2% taken on that only.
    assert (order.state, order.commission) == ("completed", 258)
    assert merchant_balance(merchant) == PRICE - 258
    assert escrow(buyer) == 0
    assert_ledger_consistent()


def test_partial_refunds_add_up_to_the_total_and_the_last_closes_the_order(buyer, merchant, scarf):
    order = bought(buyer, merchant, scarf, quantity=2, to="completed")
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="Late", amount=1_000)
    actions.answer_refund(merchant=merchant, order_id=order.pk, accept=True)
    with raises("refund_exceeds_paid"):
        actions.request_refund(buyer=buyer, order_id=order.pk, reason="Rest", amount=2 * PRICE)
    rest = actions.request_refund(buyer=buyer, order_id=order.pk, reason="Rest")
    assert rest.amount == 2 * PRICE - 1_000
    actions.answer_refund(merchant=merchant, order_id=order.pk, accept=True)
    order.refresh_from_db()
    assert (order.state, order.refunded_amount) == ("refunded", 2 * PRICE)
    assert wallet_balance(buyer) == 2 * PRICE
    assert_ledger_consistent()


def test_a_request_asks_within_what_is_left(buyer, merchant, scarf, make_user):
    order = bought(buyer, merchant, scarf, quantity=2, to="shipped")
    line = order.lines.get()
    cases = [
        ({"amount": 0}, "invalid_refund_amount"),
        ({"amount": -5}, "invalid_refund_amount"),
        ({"amount": 2 * PRICE + 1}, "refund_exceeds_paid"),
        ({"lines": [{"line": line.pk + 99, "quantity": 1}]}, "invalid_refund_lines"),
        ({"lines": [{"line": line.pk, "quantity": 0}]}, "invalid_refund_lines"),
        ({"lines": [{"line": line.pk, "quantity": 3}]}, "invalid_refund_lines"),
        ({"lines": [{"line": line.pk, "quantity": "1"}]}, "invalid_refund_lines"),
        ({"lines": [{"line": line.pk, "quantity": 1}], "amount": PRICE + 1}, "refund_exceeds_paid"),
        ({"kind": "exchange"}, "validation_error"),
    ]
    for asked, code in cases:
        with raises(code):
            actions.request_refund(buyer=buyer, order_id=order.pk, reason="x", **asked)
    with raises("order_not_found"):
        actions.request_refund(buyer=make_user("mallory"), order_id=order.pk, reason="x")
    assert RefundRequest.objects.count() == 0
    # Fewer yuan than the lines are worth is the buyer's to ask.
    refund = actions.request_refund(
        buyer=buyer,
        order_id=order.pk,
        reason="x",
        lines=[{"line": line.pk, "quantity": 1}],
        amount=500,
    )
    assert refund.amount == 500


def test_a_return_needs_shipped_goods_and_an_unpaid_order_no_refund(buyer, merchant, scarf):
    paid = bought(buyer, merchant, scarf)
    with raises("return_not_shipped"):
        actions.request_refund(buyer=buyer, order_id=paid.pk, reason="x", kind="return")
    address = make_address(buyer)
    unpaid = actions.buy_now(
        buyer=buyer, sku_id=scarf[1].pk, quantity=1, address_id=address.pk, key="u"
    )
    with raises("invalid_state"):
        actions.request_refund(buyer=buyer, order_id=unpaid.pk, reason="x")


# --- return and refund --------------------------------------------------------------------


def test_a_return_and_refund_walked_through_both_sides(buyer, merchant, scarf, make_user):
    order = bought(buyer, merchant, scarf, to="completed")
    refund = actions.request_refund(
        buyer=buyer, order_id=order.pk, reason="Wrong colour", kind="return", photos=[photo()]
    )
    assert refund.evidence.count() == 1
    with raises("order_not_found"):
        refunds.accept_return(merchant=buyer, order_id=order.pk, address_id=None)
    with raises("validation_error"):
        refunds.accept_return(merchant=merchant, order_id=order.pk, address={"city": "Hangzhou"})
    warehouse = make_address(merchant, recipient_name="Acme returns", street="1 Dock Road")
    other = make_address(make_user("carol"))
    with raises("address_not_found"):
        refunds.accept_return(merchant=merchant, order_id=order.pk, address_id=other.pk)
    refund = refunds.accept_return(merchant=merchant, order_id=order.pk, address_id=warehouse.pk)
    assert (refund.state, refund.return_address["street"]) == ("awaiting_return", "1 Dock Road")
    with raises("order_not_found"):
        refunds.ship_return(buyer=merchant, order_id=order.pk, carrier="SF", tracking_number="9")
    with raises("validation_error"):
        refunds.ship_return(buyer=buyer, order_id=order.pk, carrier="SF", tracking_number=" ")
    with raises("invalid_state"):
        refunds.receive_return(merchant=merchant, order_id=order.pk)
    refunds.ship_return(buyer=buyer, order_id=order.pk, carrier="SF", tracking_number="SF123")
    with raises("order_not_found"):
        refunds.receive_return(merchant=buyer, order_id=order.pk)
    before = merchant_balance(merchant)
    refund = refunds.receive_return(merchant=merchant, order_id=order.pk)
    refund.refresh_from_db()
    assert (refund.state, refund.return_tracking) == ("accepted", "SF123")
    assert refund.goods_received_at is not None and refund.refunded_at is not None
    assert Order.objects.get(pk=order.pk).state == "refunded"
    assert wallet_balance(buyer) == PRICE
    assert merchant_balance(merchant) == before - (PRICE - 258)
    kinds = list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds[-4:] == [
        "refund_requested",
        "return_accepted",
        "return_shipped",
        "return_received",
    ]
    assert_ledger_consistent()


def test_the_merchant_types_a_return_address_or_declines_after_inspection(
    buyer, merchant, scarf, make_user
):
    order = bought(buyer, merchant, scarf, to="shipped")
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="Too small", kind="return")
    typed = {
        "recipient_name": "Acme",
        "province": "zj",
        "city": "Hangzhou",
        "district": "Xihu",
        "street": "2 Lake Road",
        "mobile": "13900001111",
    }
    refund = refunds.accept_return(merchant=merchant, order_id=order.pk, address=typed)
    assert refund.return_address["province"] == "ZJ"
    refunds.ship_return(buyer=buyer, order_id=order.pk, carrier="YTO", tracking_number="Y1")
    with raises("validation_error"):
        actions.answer_refund(merchant=merchant, order_id=order.pk, accept=False, note="")
    refund = actions.answer_refund(
        merchant=merchant, order_id=order.pk, accept=False, note="Worn and washed", photos=[photo()]
    )
    assert (refund.state, refund.goods_received_at is not None) == ("declined", True)
    assert refund.evidence.get().uploaded_by_id == merchant.pk
    refunds.dispute_refund(buyer=buyer, order_id=order.pk, note="It was new")
    operator = make_user("operator", is_staff=True)
    actions.decide_refund(operator=operator, refund_id=refund.pk, decision="refund")
    order.refresh_from_db()
    # Decided before receipt was confirmed: escrow pays the buyer back.
    assert (order.state, wallet_balance(buyer), escrow(buyer)) == ("refunded", PRICE, 0)
    assert_ledger_consistent()


def test_only_a_return_request_takes_a_return_address(buyer, merchant, scarf):
    order = bought(buyer, merchant, scarf, to="shipped")
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="Never came")
    warehouse = make_address(merchant)
    with raises("invalid_state"):
        refunds.accept_return(merchant=merchant, order_id=order.pk, address_id=warehouse.pk)


def test_withdrawn_a_request_may_be_asked_again(buyer, merchant, scarf):
    order = bought(buyer, merchant, scarf, to="shipped")
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="Late")
    with raises("order_not_found"):
        refunds.withdraw_refund(buyer=merchant, order_id=order.pk)
    refund = refunds.withdraw_refund(buyer=buyer, order_id=order.pk)
    assert refund.state == "withdrawn"
    with raises("invalid_state"):
        refunds.withdraw_refund(buyer=buyer, order_id=order.pk)
    with raises("invalid_state"):
        actions.answer_refund(merchant=merchant, order_id=order.pk, accept=True)
    again = actions.request_refund(buyer=buyer, order_id=order.pk, reason="Still late")
    assert again.pk != refund.pk
    assert Order.objects.get(pk=order.pk).state == "shipped"
    assert wallet_balance(buyer) == 0


# --- evidence -------------------------------------------------------------------------------


def test_up_to_three_photos_from_each_side(buyer, merchant, scarf, make_user):
    order = bought(buyer, merchant, scarf, to="shipped")
    with raises("too_many_photos"):
        actions.request_refund(
            buyer=buyer, order_id=order.pk, reason="Torn", photos=[photo() for _ in range(4)]
        )
    with raises("invalid_image"):
        actions.request_refund(
            buyer=buyer,
            order_id=order.pk,
            reason="Torn",
            photos=[photo(), SimpleUploadedFile("a.png", b"not an image")],
        )
    huge = SimpleUploadedFile("big.png", b"0" * (5 * 1024 * 1024 + 1))
    with raises("photo_too_large"):
        actions.request_refund(buyer=buyer, order_id=order.pk, reason="Torn", photos=[huge])
    assert (RefundRequest.objects.count(), RefundEvidence.objects.count()) == (0, 0)
    refund = actions.request_refund(
        buyer=buyer, order_id=order.pk, reason="Torn", photos=[photo(), photo(size=(2000, 1000))]
    )
    thumb = refund.evidence.order_by("position").last().thumbnail
    from PIL import Image

    with Image.open(thumb) as image:
        assert (image.format, image.size) == ("JPEG", (400, 200))
    refunds.add_refund_evidence(person=buyer, order_id=order.pk, photos=[photo()])
    with raises("too_many_photos"):
        refunds.add_refund_evidence(person=buyer, order_id=order.pk, photos=[photo()])
    refunds.add_refund_evidence(person=merchant, order_id=order.pk, photos=[photo(), photo()])
    with raises("order_not_found"):
        refunds.add_refund_evidence(
            person=make_user("mallory"), order_id=order.pk, photos=[photo()]
        )
    sides = list(refund.evidence.values_list("uploaded_by_id", "position"))
    assert sorted(sides) == sorted(
        [(buyer.pk, 0), (buyer.pk, 1), (buyer.pk, 2), (merchant.pk, 0), (merchant.pk, 1)]
    )


# --- money that always reaches the buyer ---------------------------------------------------


def test_operator_deciding_for_the_buyer_after_the_merchant_paid_out_everything_refunds_the_buyer(
    make_user, buyer, merchant, scarf
):
    """Today the decision fails with "The merchant balance is too low for this" and the buyer
    is never refunded: the refund took the whole total from a balance paid out already."""
    from infoconnect.wallet.actions import request_payout
    from infoconnect.wallet.tests.helpers import age_release

    order = bought(buyer, merchant, scarf, to="completed")
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="Torn")
    actions.answer_refund(merchant=merchant, order_id=order.pk, accept=False, note="No")
    refund = actions.dispute_refund(buyer=buyer, order_id=order.pk)
    # The dispute outlasts the refund window: the sale's reserve is free, and all is paid out.
    age_release(
        LedgerTransaction.objects.get(kind=TransactionKind.ESCROW_RELEASE, reference=str(order.pk))
    )
    request_payout(merchant_id=merchant.pk, amount=merchant_balance(merchant))
    assert merchant_balance(merchant) == 0
    operator = make_user("operator", is_staff=True)
    actions.decide_refund(operator=operator, refund_id=refund.pk, decision="refund")
    assert Order.objects.get(pk=order.pk).state == "refunded"
    assert wallet_balance(buyer) == PRICE
    # What it could not pay is the merchant's debt, for its next sales to settle.
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT_DEBT) == -(PRICE - 258)
    assert_ledger_consistent()


def test_a_refused_grant_writes_nothing(buyer, merchant, scarf):
    order = bought(buyer, merchant, scarf, to="completed")
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="Torn", amount=5_000)
    # Something else gave most of the order back meanwhile (as a concurrent grant would).
    Order.objects.filter(pk=order.pk).update(refunded_amount=PRICE - 100)
    before = ledger_snapshot()
    with raises("refund_exceeds_paid"):
        actions.answer_refund(merchant=merchant, order_id=order.pk, accept=True)
    assert RefundRequest.objects.get().state == "requested"
    assert Order.objects.get(pk=order.pk).refunded_amount == PRICE - 100
    assert ledger_snapshot() == before


def test_cancelling_after_a_partial_refund_gives_back_only_the_rest(buyer, merchant, scarf):
    order = bought(buyer, merchant, scarf, quantity=2)
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="One too many", amount=PRICE)
    actions.answer_refund(merchant=merchant, order_id=order.pk, accept=True)
    actions.cancel_order(person=buyer, order_id=order.pk)
    assert (wallet_balance(buyer), escrow(buyer)) == (2 * PRICE, 0)
    assert_ledger_consistent()


def test_a_company_order_is_refunded_whole(buyer, merchant, scarf):
    order = bought(buyer, merchant, scarf, quantity=2, to="completed")
    Order.objects.filter(pk=order.pk).update(company_id=1)
    with raises("company_refund_whole"):
        actions.request_refund(buyer=buyer, order_id=order.pk, reason="x", amount=PRICE)


def test_the_order_page_reads_refunds_in_a_few_queries(client, buyer, merchant, scarf):
    order = bought(buyer, merchant, scarf, to="shipped")
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="Torn", photos=[photo()])
    client.force_login(buyer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/shop/orders/{order.pk}/").content.decode()
    assert 'id="refund-state">Requested</strong>' in page
    assert len(queries) < 30
