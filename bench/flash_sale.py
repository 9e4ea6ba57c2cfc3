"""Flash sale: one SKU with 1,000 units, 5,000 buyers with funded wallets, every buyer
checking out and paying at once from several processes.

flash_sale.paid_orders_per_s: paid orders / wall time from the start signal until the last
buyer has an answer (an order paid, or out of stock). baseline = the same number of bare
conditional stock-decrement transactions (`UPDATE … SET stock = stock - 1 WHERE stock >= 1`,
one per buyer, 1,000 of them succeed) from the same number of processes on the same database,
in units that succeeded per second. flash_sale.oversold: units sold beyond the stock (must be 0).
flash_sale.ledger_imbalance_fen: money created or lost (must be 0): every transaction's
entries, every cached balance against its entries, and the buyers' wallets against escrow.
"""

import multiprocessing as mp
import os
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

from common import emit, setup_django

UNITS = int(os.environ.get("FLASH_SALE_UNITS", "1000"))
BUYERS = int(os.environ.get("FLASH_SALE_BUYERS", "5000"))
PROCESSES = int(os.environ.get("FLASH_SALE_PROCESSES", "8"))
PRICE = 9_900  # fen
FUNDS = 20_000  # fen per buyer


def _child_django() -> None:
    """Each worker process sets Django up for itself (the parent already migrated)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _fund(buyer_ids: list[int]) -> None:
    _child_django()
    from infoconnect.wallet import actions as wallet_actions

    # Setup, not measured. Every top-up credits from the platform's one external account, so a
    # transaction per buyer keeps the processes from queueing behind each other on that row.
    for buyer_id in buyer_ids:
        payment = wallet_actions.start_topup(user_id=buyer_id, amount=FUNDS)
        wallet_actions.complete_topup(payment_id=payment.pk)


def _buy(buyers: list[tuple[int, int]], sku_id: int, key: str, barrier, results) -> None:
    """Checkout-and-pay for each (buyer id, address id), with the shop's buy-now action paying
    from the wallet in the same transaction (as the API's checkout with pay=true does)."""
    _child_django()
    from infoconnect.accounts.models import User
    from infoconnect.core.errors import DomainError
    from infoconnect.shop import actions

    users = User.objects.in_bulk([b for b, _a in buyers])
    outcomes: Counter = Counter()
    barrier.wait()
    for buyer_id, address_id in buyers:
        buyer = users[buyer_id]
        try:
            order = actions.buy_now(
                buyer=buyer, sku_id=sku_id, quantity=1, address_id=address_id, key=key, pay=True
            )
            outcomes[str(order.state)] += 1
        except DomainError as error:
            outcomes[error.code] += 1
    results.put((time.time(), dict(outcomes)))


def _decrement(attempts: int, sku_id: int, barrier, results) -> None:
    """The baseline: bare conditional decrements, one transaction each."""
    _child_django()
    from django.db import connection, transaction

    taken = 0
    barrier.wait()
    for _ in range(attempts):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE shop_sku SET stock = stock - 1 WHERE id = %s AND stock >= 1", [sku_id]
            )
            taken += cursor.rowcount
    results.put((time.time(), {"paid": taken}))


def _run(target, per_process: list, extra: tuple) -> tuple[float, Counter]:
    """Start PROCESSES workers, release them together, return (seconds, outcome counts)."""
    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(len(per_process) + 1)
    results = ctx.Queue()
    workers = [
        ctx.Process(target=target, args=(chunk, *extra, barrier, results)) for chunk in per_process
    ]
    for worker in workers:
        worker.start()
    barrier.wait()  # every worker has Django up and its buyers loaded
    start = time.time()
    finished = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
        if worker.exitcode:
            raise SystemExit(f"a worker failed with exit code {worker.exitcode}")
    totals: Counter = Counter()
    for _end, outcome in finished:
        totals.update(outcome)
    return max(end for end, _o in finished) - start, totals


def _setup(run: str):
    from django.db import transaction

    from infoconnect.accounts.models import MerchantProfile, User
    from infoconnect.shop import actions
    from infoconnect.shop.models import Address

    with transaction.atomic():
        merchant = User.objects.create_user(
            f"fs{run}_shop", kind="merchant", is_verified_merchant=True
        )
        MerchantProfile.objects.create(
            user=merchant,
            shop_name="Flash sale shop",
            company_name="Flash Sale Trading Co., Ltd.",
            business_license_number="91310000MA1FL8TQ3X",
            contact_phone="13800138000",
            status=MerchantProfile.Status.VERIFIED,
        )
        product = actions.create_product(
            merchant=merchant, title="Flash sale phone", max_per_order=1
        )
        sku = actions.add_sku(
            merchant=merchant,
            product_id=product.pk,
            attributes={"colour": "black"},
            price=PRICE,
            stock=UNITS,
        )
        actions.publish_product(merchant=merchant, product_id=product.pk)
        baseline_sku = actions.add_sku(
            merchant=merchant,
            product_id=product.pk,
            attributes={"colour": "white"},
            price=PRICE,
            stock=UNITS,
        )
        buyers = User.objects.bulk_create(
            User(username=f"fs{run}_{i}", password="!", kind="person") for i in range(BUYERS)
        )
        if buyers[0].pk is None:  # SQLite before RETURNING support
            buyers = list(
                User.objects.filter(username__startswith=f"fs{run}_")
                .exclude(pk=merchant.pk)
                .order_by("pk")
            )
        addresses = Address.objects.bulk_create(
            Address(
                person_id=buyer.pk,
                recipient_name="Buyer",
                province="SH",
                city="Shanghai",
                district="Pudong",
                street=f"{i} Century Avenue",
                mobile="13812345678",
            )
            for i, buyer in enumerate(buyers)
        )
        if addresses[0].pk is None:
            addresses = list(Address.objects.filter(person__in=buyers).order_by("person_id"))
    return (
        merchant,
        sku,
        baseline_sku,
        [(b.pk, a.pk) for b, a in zip(buyers, addresses, strict=True)],
    )


def _ledger_imbalance(buyer_ids: list[int], paid: int) -> int:
    from django.db.models import Sum

    from infoconnect.wallet.models import AccountKind, LedgerAccount, LedgerEntry

    per_txn = (
        LedgerEntry.objects.values("transaction_id").annotate(total=Sum("amount")).exclude(total=0)
    )
    imbalance = sum(abs(row["total"]) for row in per_txn)
    entry_sums = dict(
        LedgerEntry.objects.filter(account__owner_id__in=buyer_ids)
        .values_list("account_id")
        .annotate(total=Sum("amount"))
    )
    accounts = LedgerAccount.objects.filter(owner_id__in=buyer_ids)
    for account in accounts:
        imbalance += abs(account.balance - entry_sums.get(account.pk, 0))
    wallets = accounts.filter(kind=AccountKind.WALLET).aggregate(t=Sum("balance"))["t"] or 0
    escrow = accounts.filter(kind=AccountKind.ESCROW).aggregate(t=Sum("balance"))["t"] or 0
    imbalance += abs(len(buyer_ids) * FUNDS - wallets - escrow)
    imbalance += abs(escrow - paid * PRICE)
    return imbalance


def main() -> None:
    vendor = setup_django()
    from django.db.models import Sum

    from infoconnect.shop.models import Order, OrderLine, Sku

    run = uuid.uuid4().hex[:6]
    merchant, sku, baseline_sku, buyers = _setup(run)
    buyer_ids = [b for b, _a in buyers]
    chunks = [buyer_ids[i::PROCESSES] for i in range(PROCESSES)]
    funding_s, _ = _run_plain(_fund, chunks)
    print(f"# {BUYERS} buyers funded in {funding_s:.1f}s on {vendor}", file=sys.stderr, flush=True)

    _settle(vendor)

    # Baseline first: the same attempts, bare decrements, same processes, same database.
    attempts = [len(buyers[i::PROCESSES]) for i in range(PROCESSES)]
    base_s, base = _run(_decrement, attempts, (baseline_sku.pk,))
    baseline = base["paid"] / base_s

    elapsed, outcome = _run(
        _buy, [buyers[i::PROCESSES] for i in range(PROCESSES)], (sku.pk, f"fs{run}")
    )
    paid = outcome["paid"]
    value = paid / elapsed
    print(
        f"# outcomes {dict(outcome)} in {elapsed:.2f}s; baseline {dict(base)} in {base_s:.2f}s",
        file=sys.stderr,
        flush=True,
    )

    stock = Sku.objects.get(pk=sku.pk).stock
    sold = (
        OrderLine.objects.filter(
            sku_id=sku.pk, order__state__in=["awaiting_payment", "paid"]
        ).aggregate(n=Sum("quantity"))["n"]
        or 0
    )
    paid_orders = Order.objects.filter(merchant=merchant, state="paid").count()
    oversold = max(0, sold - UNITS) + abs((UNITS - stock) - sold) + abs(paid_orders - paid)
    emit(
        "flash_sale.paid_orders_per_s",
        value,
        "orders/s",
        baseline,
        value / baseline if baseline else None,
        vendor=vendor,
        processes=PROCESSES,
        buyers=BUYERS,
        units=UNITS,
        paid=paid,
        seconds=round(elapsed, 3),
    )
    emit("flash_sale.oversold", oversold, "units", None, None, sold=sold, stock_left=stock)
    emit("flash_sale.ledger_imbalance_fen", _ledger_imbalance(buyer_ids, paid), "fen", None, None)


def _settle(vendor: str) -> None:
    """Start both measured runs from the same state: statistics fresh after the set-up, and
    the set-up's writes checkpointed, so neither run pays for a checkpoint the other began."""
    if vendor != "postgresql":
        return
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("accounts_user", "shop_address", "wallet_ledgeraccount", "shop_order"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        try:
            cursor.execute("CHECKPOINT")
        except Exception as error:  # only a superuser may; the runs are then just noisier
            print(f"# no CHECKPOINT: {error}", file=sys.stderr, flush=True)


def _run_plain(target, chunks: list) -> tuple[float, None]:
    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("spawn")
    start = time.time()
    workers = [ctx.Process(target=target, args=(chunk,)) for chunk in chunks]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
        if worker.exitcode:
            raise SystemExit(f"a worker failed with exit code {worker.exitcode}")
    return time.time() - start, None


if __name__ == "__main__":
    main()
