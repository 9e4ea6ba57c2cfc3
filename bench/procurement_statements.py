"""Monthly statements: a month's statement totals for one company–merchant pair with 100,000
order lines on terms in the month.

The pair has 10,000 orders on terms of 10 lines each in the measured month (a fixed past
month), 2,000 more orders in the month before (the opening balance adds everything before the
month when there is no previous statement), a receivable per order with every twentieth
credited on its closing in the month, and 200 payments on terms; another company buys 5,000
orders from the same merchant in the same month, so the pair's rows must be picked out. The
data is built once with set-based SQL and reused.

procurement.statement_s: statement_reads.month_totals, what issuing a statement computes (the
opening balance, the month's orders from its lines, payments and credit notes), in seconds.
baseline = the same sums as one hand-written SQL statement with four aggregate subqueries.
Target <= 2 s, ratio = baseline / value >= 0.5 (PostgreSQL).

``run(vendor)`` returns the result lines; as a script it sets Django up and prints them.
"""

import os
import sys
import time
from datetime import UTC, date, datetime, timedelta

from common import emit, median, setup_django

ROUNDS = int(os.environ.get("STATEMENT_ROUNDS", "7"))
ORDERS = 10_000
LINES_PER_ORDER = 10
EARLIER_ORDERS = 2_000
OTHER_ORDERS = 5_000
PAYMENTS = 200
PREFIX = "st_"
MONTH = date(2026, 1, 1)
USCC_BODY = "911101089000000"


def log(message: str) -> None:
    print(f"# procurement_statements: {message}", file=sys.stderr, flush=True)


def series(vendor: str, count: int) -> tuple[str, str]:
    if vendor == "postgresql":
        return "", f"generate_series(1, {int(count)}) AS s(i)"
    return (
        f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {int(count)})",
        "s",
    )


def minutes_after(vendor: str, start: datetime, minutes: str) -> tuple[str, list]:
    if vendor == "postgresql":
        return f"%s::timestamptz + make_interval(mins => ({minutes})::int)", [start]
    return (
        f"strftime('%%Y-%%m-%%d %%H:%%M:%%S', %s, '+' || ({minutes}) || ' minutes')",
        [start.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")],
    )


def insert_select(model, count: int, exprs: dict[str, tuple[str, list]]) -> None:
    """``count`` rows of ``model`` in one statement: ``exprs`` gives SQL over ``i`` for some
    columns, every other column takes its field default."""
    from django.db import connection
    from django.db.models.fields import NOT_PROVIDED

    columns, values, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.column in exprs:
            sql, sql_params = exprs[field.column]
            values.append(sql)
            params.extend(sql_params)
        elif field.primary_key or field.db_default is not NOT_PROVIDED:
            continue  # the database fills it
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        columns.append(connection.ops.quote_name(field.column))
    prefix, source = series(connection.vendor, count)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) {prefix} "
            f"SELECT {', '.join(values)} FROM {source}",
            params,
        )


def uscc_code(n: int) -> str:
    from stdnum.cn import uscc

    body = f"{USCC_BODY}{n:02d}"
    return body + uscc.calc_check_digit(body)


def found():
    from infoconnect.accounts.models import User
    from infoconnect.procurement.models import Company

    merchant = User.objects.filter(username=f"{PREFIX}shop").first()
    company = Company.objects.filter(uscc=uscc_code(61)).first()
    return (company, merchant) if merchant and company else None


def add_orders(vendor, *, buyer, merchant, company, count, start, tag):
    """``count`` orders on terms from ``start`` on, 10 lines each, and their receivables."""
    from django.db import connection

    from infoconnect.procurement.models import PaymentTerms, Receivable
    from infoconnect.shop.models import Order, OrderLine

    first = (Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    # Spread over 27 days of the month, every minute or so.
    spread = "(i * 3) %% 38880"
    created = minutes_after(vendor, start, spread)
    json = "%s::jsonb" if vendor == "postgresql" else "%s"
    insert_select(
        Order,
        count,
        {
            "buyer_id": ("%s", [buyer.pk]),
            "merchant_id": ("%s", [merchant.pk]),
            "state": ("%s", [Order.State.COMPLETED]),
            "total": ("%s", [10_000]),
            "shipping_address": (json, ['{"recipient_name": "Wang Fang"}']),
            "checkout_key": (f"'{tag}-' || i", []),
            "company_id": ("%s", [company.pk]),
            "company_name": ("%s", [company.legal_name]),
            "department_name": ("%s", ["设计部"]),
            "po_number": ("'PO-' || i", []),
            "on_terms": ("%s", [True]),
            "created_at": created,
            "expires_at": created,
        },
    )
    last = Order.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert last - first + 1 == count, (first, last, count)
    insert_select(
        OrderLine,
        count * LINES_PER_ORDER,
        {
            "order_id": (f"%s + (i - 1) / {LINES_PER_ORDER}", [first]),
            "title": ("'Bench supply ' || (i %% 50)", []),
            "attributes": (json, ["{}"]),
            "unit_price": ("100 + (i %% 997)", []),
            "quantity": ("1 + (i %% 5)", []),
            "tax_rate": ("CASE WHEN i %% 3 = 0 THEN 600 ELSE 1300 END", []),
        },
    )
    terms = PaymentTerms.objects.get(merchant=merchant, company=company)
    with connection.cursor() as cursor:
        # Every twentieth order refunded the day after it was placed, half of it credited.
        cursor.execute(
            "UPDATE shop_order SET closed_at = "
            + (
                "created_at + interval '1 day'"
                if vendor == "postgresql"
                else "datetime(created_at, '+1 day')"
            )
            + " WHERE id BETWEEN %s AND %s AND id %% 20 = 0",
            [first, last],
        )
        table = Receivable._meta.db_table
        cursor.execute(
            f"INSERT INTO {table} (terms_id, order_id, company_id, merchant_id, amount, credited,"
            " paid, state, created_at) SELECT %s, id, %s, %s, total,"
            " CASE WHEN id %% 20 = 0 THEN total / 2 ELSE 0 END, 0, 'due', created_at"
            " FROM shop_order WHERE id BETWEEN %s AND %s",
            [terms.pk, company.pk, merchant.pk, first, last],
        )


def build(vendor: str) -> None:
    from django.db import transaction
    from django.utils import timezone

    from infoconnect.accounts.models import MerchantProfile, User
    from infoconnect.procurement.actions import companies as company_actions
    from infoconnect.procurement.models import Company, PaymentTerms, TermsPayment

    started = time.perf_counter()
    zone = timezone.get_current_timezone()
    start = datetime.combine(MONTH, datetime.min.time(), tzinfo=zone)
    earlier = datetime.combine(
        (MONTH - timedelta(days=1)).replace(day=1), datetime.min.time(), tzinfo=zone
    )
    with transaction.atomic():
        merchant = User.objects.create_user(
            f"{PREFIX}shop", kind="merchant", is_verified_merchant=True
        )
        MerchantProfile.objects.create(
            user=merchant,
            shop_name="Bench supplies",
            company_name="Bench Supplies Co., Ltd.",
            business_license_number="91310000MA1FL8TQ3X",
            contact_phone="13800138000",
            status=MerchantProfile.Status.VERIFIED,
        )
        buyer = User.objects.create_user(f"{PREFIX}buyer")
        operator = User.objects.create_user(f"{PREFIX}op", is_staff=True, is_superuser=True)
        companies = []
        for n, name in ((61, "华夏设计 Bench Co., Ltd."), (62, "Other Bench Co., Ltd.")):
            company = company_actions.register_company(
                user=buyer if n == 61 else operator, legal_name=name, uscc=uscc_code(n)
            )
            company_actions.verify_company(operator=operator, company_id=company.pk)
            companies.append(Company.objects.get(pk=company.pk))
        for company in companies:
            PaymentTerms.objects.create(merchant=merchant, company=company, credit_limit=10**12)
        company, other = companies
        add_orders(
            vendor, buyer=buyer, merchant=merchant, company=company, count=ORDERS, start=start,
            tag="m",
        )  # fmt: skip
        add_orders(
            vendor, buyer=buyer, merchant=merchant, company=company, count=EARLIER_ORDERS,
            start=earlier, tag="e",
        )  # fmt: skip
        add_orders(
            vendor, buyer=buyer, merchant=merchant, company=other, count=OTHER_ORDERS,
            start=start, tag="o",
        )  # fmt: skip
        TermsPayment.objects.bulk_create(
            TermsPayment(
                company=company,
                merchant=merchant,
                amount=50_000 + n,
                paid_by=buyer,
                created_at=(start if n % 2 else earlier) + timedelta(hours=3 * n),
            )
            for n in range(PAYMENTS)
        )
    log(f"built in {time.perf_counter() - started:.1f}s")


BASELINE = """
SELECT
  (SELECT COALESCE(SUM(l.unit_price * l.quantity), 0) FROM shop_orderline l
     JOIN shop_order o ON o.id = l.order_id
    WHERE o.company_id = %(c)s AND o.merchant_id = %(m)s AND o.on_terms
      AND o.created_at < %(start)s),
  (SELECT COALESCE(SUM(amount), 0) FROM procurement_termspayment
    WHERE company_id = %(c)s AND merchant_id = %(m)s AND created_at < %(start)s),
  (SELECT COALESCE(SUM(r.credited), 0) FROM procurement_receivable r
     JOIN shop_order o ON o.id = r.order_id
    WHERE r.company_id = %(c)s AND r.merchant_id = %(m)s AND r.credited > 0
      AND o.closed_at < %(start)s),
  (SELECT COALESCE(SUM(l.unit_price * l.quantity), 0) FROM shop_orderline l
     JOIN shop_order o ON o.id = l.order_id
    WHERE o.company_id = %(c)s AND o.merchant_id = %(m)s AND o.on_terms
      AND o.created_at >= %(start)s AND o.created_at < %(end)s),
  (SELECT COALESCE(SUM(amount), 0) FROM procurement_termspayment
    WHERE company_id = %(c)s AND merchant_id = %(m)s
      AND created_at >= %(start)s AND created_at < %(end)s),
  (SELECT COALESCE(SUM(r.credited), 0) FROM procurement_receivable r
     JOIN shop_order o ON o.id = r.order_id
    WHERE r.company_id = %(c)s AND r.merchant_id = %(m)s AND r.credited > 0
      AND o.closed_at >= %(start)s AND o.closed_at < %(end)s)
"""


def baseline(company, merchant) -> tuple[int, ...]:
    from django.db import connection

    from infoconnect.procurement.statement_reads import month_bounds

    start, end = month_bounds(MONTH)
    if connection.vendor == "sqlite":
        start, end = (connection.ops.adapt_datetimefield_value(v) for v in (start, end))
    with connection.cursor() as cursor:
        cursor.execute(BASELINE, {"c": company.pk, "m": merchant.pk, "start": start, "end": end})
        return tuple(int(v) for v in cursor.fetchone())


def run(vendor: str) -> list[dict]:
    from infoconnect.procurement.statement_reads import month_totals

    pair = found()
    if pair is None:
        build(vendor)
        pair = found()
    company, merchant = pair

    def ours():
        return month_totals(company_id=company.pk, merchant_id=merchant.pk, month=MONTH)

    totals = ours()
    o_before, p_before, c_before, orders, paid, credited = baseline(company, merchant)
    # The two must agree before either is timed.
    assert (totals.orders_total, totals.payments_total, totals.credits_total) == (
        orders,
        paid,
        credited,
    ), (totals, orders, paid, credited)
    assert totals.opening_balance == o_before - p_before - c_before
    values, bases = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        ours()
        values.append(time.perf_counter() - started)
        started = time.perf_counter()
        baseline(company, merchant)
        bases.append(time.perf_counter() - started)
    value, base = median(values), median(bases)
    return [
        {
            "name": "procurement.statement_s",
            "value": value,
            "unit": "s",
            "baseline": base,
            "ratio": base / value,
            "vendor": vendor,
            "runs": ROUNDS,
            "lines": ORDERS * LINES_PER_ORDER,
            "target_s": 2,
        }
    ]


def main() -> int:
    vendor = setup_django()
    for result in run(vendor):
        emit(**result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
