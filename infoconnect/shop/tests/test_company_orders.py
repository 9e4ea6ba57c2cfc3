"""Orders bought for a company: placed with the company's columns, paid from its wallet, stock
held by the requisition; the company is told when one gives money back."""

import pytest
from django.db import transaction

from infoconnect.core.errors import DomainError
from infoconnect.shop import actions
from infoconnect.shop.models import Order, OrderEvent
from infoconnect.shop.signals import company_order_closed
from infoconnect.shop.tests.companies import fund_company, place, purchase, verified_company
from infoconnect.shop.tests.conftest import fund, make_product, merchant_balance, wallet_balance
from infoconnect.wallet.models import AccountKind, LedgerTransaction
from infoconnect.wallet.selectors import balance_of, company_balance


@pytest.fixture
def two_shops(make_user):
    tea = make_user("tea", kind="merchant", verified=True)
    pens = make_user("pens", kind="merchant", verified=True)
    _p, tea_sku = make_product(tea, title="Longjing", price=5_000, stock=10)
    _p, pen_sku = make_product(pens, title="Fountain pen", price=2_000, stock=10)
    return tea_sku, pen_sku


@pytest.fixture
def company(make_user, buyer):
    return verified_company(make_user, buyer)


def test_a_company_purchase_writes_its_columns_on_every_order(buyer, company, two_shops):
    tea, pen = two_shops
    fund_company(company, buyer, 100_000)
    placed = place(buyer, [(tea, 2), (pen, 1)], pay=True, company=purchase(company))
    assert len(placed) == 2
    for order in placed:
        row = Order.objects.get(pk=order.pk)
        assert (row.company_id, row.requisition_id) == (company.pk, 41)
        assert (row.company_name, row.department_name, row.po_number) == (
            "Huaxia Design",
            "Design",
            "PO-2026-7",
        )
        assert row.state == Order.State.PAID and row.paid_at is not None
        # The instance handed back is the row as the ORM reads it.
        assert (order.company_id, order.po_number, order.requisition_id) == (
            company.pk,
            "PO-2026-7",
            41,
        )
        assert list(OrderEvent.objects.filter(order=row).values_list("kind", flat=True)) == [
            "placed",
            "paid",
        ]
    # Paid from the company's wallet into its escrow; the buyer's own wallet is untouched.
    assert company_balance(company_id=company.pk) == 100_000 - 12_000
    assert balance_of(user_id=company.pk, kind=AccountKind.COMPANY_ESCROW) == 12_000
    assert wallet_balance(buyer) == 0
    payments = LedgerTransaction.objects.filter(kind="order_payment")
    assert sorted(payments.values_list("user_id", flat=True)) == [buyer.pk, buyer.pk]
    tea.refresh_from_db()
    assert tea.stock == 8  # not held by a requisition: taken here


def test_stock_held_by_the_requisition_is_not_taken_again(buyer, company, two_shops):
    tea, _pen = two_shops
    fund_company(company, buyer, 100_000)
    place(buyer, [(tea, 3)], pay=True, company=purchase(company), stock_held=True)
    tea.refresh_from_db()
    assert tea.stock == 10


def test_a_company_purchase_beyond_its_wallet_writes_nothing(buyer, company, two_shops):
    tea, pen = two_shops
    fund_company(company, buyer, 11_999)
    fund(buyer, 50_000)  # the buyer's own money does not pay for the company
    with pytest.raises(DomainError) as error:
        place(buyer, [(tea, 2), (pen, 1)], pay=True, company=purchase(company))
    assert error.value.code == "insufficient_funds"
    assert not Order.objects.exists()
    assert company_balance(company_id=company.pk) == 11_999
    assert wallet_balance(buyer) == 50_000
    tea.refresh_from_db()
    assert tea.stock == 10


def test_a_company_order_left_unpaid_carries_its_columns(buyer, company, two_shops):
    tea, _pen = two_shops
    (order,) = place(buyer, [(tea, 1)], company=purchase(company, po=""))
    row = Order.objects.get(pk=order.pk)
    assert (row.state, row.company_id, row.po_number) == ("awaiting_payment", company.pk, "")
    assert not LedgerTransaction.objects.exists()


def test_a_persons_order_carries_no_company(buyer, two_shops):
    tea, _pen = two_shops
    fund(buyer, 10_000)
    (order,) = place(buyer, [(tea, 1)], pay=True)
    row = Order.objects.get(pk=order.pk)
    assert (row.company_id, row.requisition_id, row.company_name, row.po_number) == (
        None,
        None,
        "",
        "",
    )
    assert wallet_balance(buyer) == 5_000
    tea.refresh_from_db()
    assert tea.stock == 9


# --- the company is told when its order gives money back ---------------------------------


@pytest.fixture
def closed():
    sent = []

    def receive(sender, order, amount, **kwargs):
        sent.append((order.pk, amount, transaction.get_connection().in_atomic_block))

    company_order_closed.connect(receive)
    yield sent
    company_order_closed.disconnect(receive)


def test_a_paid_company_order_cancelled_is_announced_with_its_total(
    buyer, company, two_shops, closed
):
    tea, _pen = two_shops
    fund_company(company, buyer, 100_000)
    (order,) = place(buyer, [(tea, 2)], pay=True, company=purchase(company))
    actions.cancel_order(person=buyer, order_id=order.pk)
    assert closed == [(order.pk, 10_000, True)]
    assert company_balance(company_id=company.pk) == 100_000


def test_an_unpaid_company_order_cancelled_gives_nothing_back(buyer, company, two_shops, closed):
    tea, _pen = two_shops
    (order,) = place(buyer, [(tea, 1)], company=purchase(company))
    actions.cancel_order(person=buyer, order_id=order.pk)
    assert closed == []


def test_a_refunded_company_order_is_announced_and_refunds_the_company(
    buyer, company, two_shops, closed
):
    tea, _pen = two_shops
    fund_company(company, buyer, 100_000)
    (order,) = place(buyer, [(tea, 2)], pay=True, company=purchase(company))
    merchant = order.merchant
    actions.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="SF1")
    actions.confirm_receipt(buyer=buyer, order_id=order.pk)
    assert merchant_balance(merchant) > 0  # paid from the company's escrow
    assert balance_of(user_id=company.pk, kind=AccountKind.COMPANY_ESCROW) == 0
    assert closed == []
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="Wrong tea")
    actions.answer_refund(merchant=merchant, order_id=order.pk, accept=True)
    assert closed == [(order.pk, 10_000, True)]
    assert company_balance(company_id=company.pk) == 100_000
    assert wallet_balance(buyer) == 0


def test_a_refund_decided_by_the_platform_is_announced(
    make_user, buyer, company, two_shops, closed
):
    tea, _pen = two_shops
    fund_company(company, buyer, 100_000)
    (order,) = place(buyer, [(tea, 1)], pay=True, company=purchase(company))
    merchant = order.merchant
    actions.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="SF1")
    actions.confirm_receipt(buyer=buyer, order_id=order.pk)
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="Broken")
    actions.answer_refund(merchant=merchant, order_id=order.pk, accept=False, note="Fine")
    actions.dispute_refund(buyer=buyer, order_id=order.pk)
    assert closed == []
    refund = order.refund_request
    operator = make_user("judge", is_staff=True)
    actions.decide_refund(operator=operator, refund_id=refund.pk, decision="refund")
    assert closed == [(order.pk, 5_000, True)]


def test_a_persons_orders_are_not_announced(buyer, two_shops, closed):
    tea, _pen = two_shops
    fund(buyer, 20_000)
    first, second = place(buyer, [(tea, 1)], pay=True), place(buyer, [(tea, 1)], key="k2")
    actions.cancel_order(person=buyer, order_id=first[0].pk)
    actions.cancel_order(person=buyer, order_id=second[0].pk)
    assert closed == []
    assert wallet_balance(buyer) == 20_000
