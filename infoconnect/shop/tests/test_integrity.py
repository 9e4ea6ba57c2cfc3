"""Nothing half-written: an exception between any two steps of checkout or payment leaves
no order, the stock as it was and the ledger as it was. On PostgreSQL, real concurrency:
many buyers at once never get more than the stock there is."""

import threading

import pytest
from django.db import connection

from infoconnect.core.errors import DomainError
from infoconnect.core.testing import Injected, fail_at_statement
from infoconnect.shop import actions, placing
from infoconnect.shop.lifecycle import orders
from infoconnect.shop.models import CartLine, Order, OrderEvent, OrderLine, Sku
from infoconnect.shop.tests.conftest import (
    fund,
    ledger_snapshot,
    make_address,
    make_product,
    wallet_balance,
)


def fail_before(*args, **kwargs):
    raise Injected("injected failure")


def fail_after(real):
    def wrapper(*args, **kwargs):
        real(*args, **kwargs)
        raise Injected("injected failure")

    return wrapper


def _fail_on_second(real):
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise Injected("injected failure")
        return real(*args, **kwargs)

    return wrapper


TWO_SKUS_TAKEN = 1 if connection.vendor == "postgresql" else 2
CHECKOUT_STEPS = [
    # (where, how to break it)
    ("first order inserted", fail_at_statement("INSERT INTO shop_order ", after=True)),
    ("second order insert", fail_at_statement("INSERT INTO shop_order ", nth=2)),
    ("order lines insert", fail_at_statement("INSERT INTO shop_orderline")),
    ("order lines inserted", fail_at_statement("INSERT INTO shop_orderline", after=True)),
    ("history inserted", fail_at_statement("INSERT INTO shop_orderevent", after=True)),
    ("first SKU's stock taken", fail_at_statement("UPDATE shop_sku", after=True)),
    # Both SKUs' stock: one statement on PostgreSQL, a statement each elsewhere.
    ("stock taken", fail_at_statement("UPDATE shop_sku", nth=TWO_SKUS_TAKEN, after=True)),
    (
        "orders placed, cart not emptied",
        lambda mp: mp.setattr(placing, "place_orders", fail_after(placing.place_orders)),
    ),
]


@pytest.fixture
def two_merchant_cart(make_user, buyer, merchant, scarf):
    _product, sku = scarf
    other = make_user("bobshop", kind="merchant", verified=True)
    _p2, mug = make_product(other, title="Mug", price=3_500, stock=9)
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=2)
    actions.add_to_cart(person=buyer, sku_id=mug.pk, quantity=3)
    return make_address(buyer), sku, mug


@pytest.mark.django_db
@pytest.mark.parametrize("step", [s[0] for s in CHECKOUT_STEPS])
def test_checkout_failure_leaves_nothing_half_written(monkeypatch, buyer, two_merchant_cart, step):
    address, sku, mug = two_merchant_cart
    dict(CHECKOUT_STEPS)[step](monkeypatch)
    with pytest.raises(Injected):
        actions.checkout(buyer=buyer, address_id=address.pk, key="k")
    assert (Order.objects.count(), OrderLine.objects.count(), OrderEvent.objects.count()) == (
        0,
        0,
        0,
    )
    assert Sku.objects.get(pk=sku.pk).stock == 5
    assert Sku.objects.get(pk=mug.pk).stock == 9
    assert CartLine.objects.count() == 2
    monkeypatch.undo()
    # The same key works afterwards: nothing of the failed attempt was kept.
    assert len(actions.checkout(buyer=buyer, address_id=address.pk, key="k")) == 2


def _wallet_module():
    from infoconnect.wallet import actions as wallet_actions

    return wallet_actions


def _break_wallet_pay(mp, how):
    wallet = _wallet_module()
    mp.setattr(wallet, "pay_order", how(wallet.pay_order) if how is fail_after else how)


PAY_STEPS = [
    ("order marked paid, before the wallet", lambda mp: _break_wallet_pay(mp, fail_before)),
    ("balances moved, before ledger entries", fail_at_statement("INSERT INTO wallet_ledgerentry")),
    ("wallet paid, before history", lambda mp: _break_wallet_pay(mp, fail_after)),
    # The lifecycle's hook writes the order's history.
    ("history written", lambda mp: mp.setattr(orders, "moved", fail_after(orders.moved))),
]


@pytest.mark.django_db
@pytest.mark.parametrize("step", [s[0] for s in PAY_STEPS])
def test_payment_failure_leaves_nothing_half_written(monkeypatch, buyer, scarf, address, step):
    _product, sku = scarf
    order = actions.buy_now(buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="o")
    fund(buyer, 20_000)
    before = ledger_snapshot()
    dict(PAY_STEPS)[step](monkeypatch)
    with pytest.raises(Injected):
        actions.pay_order(buyer=buyer, order_id=order.pk)
    order.refresh_from_db()
    assert (order.state, order.paid_at) == ("awaiting_payment", None)
    assert ledger_snapshot() == before
    assert list(OrderEvent.objects.values_list("kind", flat=True)) == ["placed"]
    assert Sku.objects.get(pk=sku.pk).stock == 4
    monkeypatch.undo()
    actions.pay_order(buyer=buyer, order_id=order.pk)
    assert wallet_balance(buyer) == 20_000 - 12_900


@pytest.mark.django_db
def test_release_failure_keeps_money_in_escrow(monkeypatch, buyer, merchant, scarf, address):
    _product, sku = scarf
    order = actions.buy_now(buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="o")
    fund(buyer, 20_000)
    actions.pay_order(buyer=buyer, order_id=order.pk)
    actions.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="1")
    before = ledger_snapshot()
    wallet = _wallet_module()
    monkeypatch.setattr(wallet, "release_escrow", fail_after(wallet.release_escrow))
    with pytest.raises(Injected):
        actions.confirm_receipt(buyer=buyer, order_id=order.pk)
    order.refresh_from_db()
    assert (order.state, order.commission) == ("shipped", 0)
    assert ledger_snapshot() == before


# --- real concurrency (PostgreSQL) ------------------------------------------------------------


def _run_concurrently(workers: list) -> list:
    """Start every worker at once, each on its own database connection; return their results."""
    barrier = threading.Barrier(len(workers))
    results: list = [None] * len(workers)

    def run(index: int, work) -> None:
        try:
            barrier.wait()
            results[index] = work()
        except DomainError as error:
            results[index] = error.code
        except Exception as error:  # reported by the assertion on results
            results[index] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _skip_unless_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_50_concurrent_checkouts_sell_exactly_the_stock(make_user):
    _skip_unless_postgres()
    merchant = make_user("acme", kind="merchant", verified=True)
    _product, sku = make_product(merchant, stock=10, max_per_order=1)
    buyers = []
    for i in range(50):
        person = make_user(f"buyer{i}")
        actions.add_to_cart(person=person, sku_id=sku.pk, quantity=1)
        buyers.append((person, make_address(person)))

    def checkout(person, address):
        return lambda: len(actions.checkout(buyer=person, address_id=address.pk, key="k"))

    results = _run_concurrently([checkout(p, a) for p, a in buyers])
    assert sorted(results, key=str) == sorted([1] * 10 + ["out_of_stock"] * 40, key=str)
    assert Order.objects.count() == 10
    assert sum(OrderLine.objects.values_list("quantity", flat=True)) == 10
    assert Sku.objects.get(pk=sku.pk).stock == 0
    # The 40 who missed out keep their carts.
    assert CartLine.objects.count() == 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_checkout_and_pay_balances_the_ledger(make_user):
    _skip_unless_postgres()
    from infoconnect.wallet.models import LedgerEntry

    merchant = make_user("acme", kind="merchant", verified=True)
    _product, sku = make_product(merchant, stock=10, price=1_000, max_per_order=2)
    buyers = []
    for i in range(30):
        person = make_user(f"buyer{i}")
        fund(person, 5_000)
        buyers.append((person, make_address(person)))

    def buy(person, address, one_step: bool):
        def work():
            if one_step:
                return actions.buy_now(
                    buyer=person,
                    sku_id=sku.pk,
                    quantity=2,
                    address_id=address.pk,
                    key="k",
                    pay=True,
                ).state
            order = actions.buy_now(
                buyer=person, sku_id=sku.pk, quantity=2, address_id=address.pk, key="k"
            )
            return actions.pay_order(buyer=person, order_id=order.pk).state

        return work

    results = _run_concurrently([buy(p, a, i % 2 == 0) for i, (p, a) in enumerate(buyers)])
    assert sorted(results) == sorted(["paid"] * 5 + ["out_of_stock"] * 25)
    assert Sku.objects.get(pk=sku.pk).stock == 0
    assert Order.objects.filter(state="paid").count() == 5
    assert sum(wallet_balance(p) for p, _a in buyers) == 30 * 5_000 - 5 * 2_000
    assert sum(LedgerEntry.objects.values_list("amount", flat=True)) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_click_pay_charges_once(make_user):
    _skip_unless_postgres()
    merchant = make_user("acme", kind="merchant", verified=True)
    _product, sku = make_product(merchant)
    person = make_user("alice")
    fund(person, 50_000)
    order = actions.buy_now(
        buyer=person, sku_id=sku.pk, quantity=1, address_id=make_address(person).pk, key="k"
    )
    results = _run_concurrently(
        [lambda: actions.pay_order(buyer=person, order_id=order.pk).state] * 5
    )
    assert sorted(results) == ["invalid_state"] * 4 + ["paid"]
    assert wallet_balance(person) == 50_000 - 12_900
    assert OrderEvent.objects.filter(order=order, kind="paid").count() == 1


CHECKOUT_AND_PAY_STEPS = [
    ("order inserted", fail_at_statement("INSERT INTO shop_order ", after=True)),
    ("history inserted", fail_at_statement("INSERT INTO shop_orderevent", after=True)),
    (
        "payment recorded, before the balances",
        fail_at_statement("INSERT INTO wallet_ledgertransaction", after=True),
    ),
    ("wallet debited", fail_at_statement("UPDATE wallet_ledgeraccount", after=True)),
    ("ledger entries written", fail_at_statement("INSERT INTO wallet_ledgerentry", after=True)),
    (
        "wallet paid",
        lambda mp: mp.setattr(
            _wallet_module(), "charge_order", fail_after(_wallet_module().charge_order)
        ),
    ),
    ("stock taken", fail_at_statement("UPDATE shop_sku", after=True)),
]


@pytest.mark.django_db
@pytest.mark.parametrize("step", [s[0] for s in CHECKOUT_AND_PAY_STEPS])
def test_checkout_and_pay_failure_leaves_nothing_half_written(
    monkeypatch, buyer, scarf, address, step
):
    _product, sku = scarf
    fund(buyer, 20_000)
    before = ledger_snapshot()
    dict(CHECKOUT_AND_PAY_STEPS)[step](monkeypatch)
    with pytest.raises(Injected):
        actions.buy_now(
            buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="k", pay=True
        )
    assert (Order.objects.count(), OrderLine.objects.count(), OrderEvent.objects.count()) == (
        0,
        0,
        0,
    )
    assert Sku.objects.get(pk=sku.pk).stock == 5
    assert ledger_snapshot() == before
    monkeypatch.undo()
    # The same key works afterwards: nothing of the failed attempt was kept.
    order = actions.buy_now(
        buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="k", pay=True
    )
    assert order.state == "paid"
    assert Sku.objects.get(pk=sku.pk).stock == 4


@pytest.mark.django_db
def test_checkout_and_pay_without_the_money_takes_no_stock(buyer, scarf, address):
    _product, sku = scarf
    fund(buyer, 20_000)
    actions.buy_now(
        buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="k", pay=True
    )
    assert Sku.objects.get(pk=sku.pk).stock == 4
    before = ledger_snapshot()
    with pytest.raises(DomainError) as info:
        actions.buy_now(
            buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="k2", pay=True
        )
    assert info.value.code == "insufficient_funds"
    assert Order.objects.count() == 1
    assert Sku.objects.get(pk=sku.pk).stock == 4
    assert ledger_snapshot() == before
