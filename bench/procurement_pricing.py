"""Contract prices: a 200-line cart priced for a company with three overlapping price lists.

One merchant sells 100,000 SKUs (1,000 products of 100 SKUs). Its three lists for the
company each hold an entry for every SKU: "Framework" (5% off, a fixed price on every third
SKU, tiers from 10 and 50 on every SKU), "Volume" (8% off, tiers from 20 and 100 on every
SKU) and "Spring" (valid this month, a fixed price on every SKU, a tier from 5 on every
other one): 300,000 entries and 550,000 tiers, built once with set-based SQL and reused.

procurement.price_cart_p99_ms: pricing.company_prices for 200 SKUs picked at random (their
products loaded, untimed) with quantities from 1 to 120. baseline = one hand-written SQL
query giving the same prices (checked equal in the run): the valid lists, their entries for
the cart's SKUs, each entry's best tier, the lowest offer capped at retail. The two alternate
PRICING_ROUNDS times; ratio = baseline / value (1.0: as fast as the hand-written SQL).
"""

import os
import random
import sys

from common import emit, percentile, setup_django, timed_ms

ROUNDS = int(os.environ.get("PRICING_ROUNDS", "300"))
WARMUP = 20
PRODUCTS = 1_000
SKUS_PER_PRODUCT = 100
CART = 200
MERCHANT = "pp_merchant"
USCC_BODY = "91110108900000077"
TARGET_MS = 20


def log(message: str) -> None:
    print(f"# procurement_pricing: {message}", file=sys.stderr, flush=True)


def _series(vendor: str, count: int) -> tuple[str, str]:
    if vendor == "postgresql":
        return "", f"generate_series(1, {int(count)}) AS s(i)"
    return (
        f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {int(count)})",
        "s",
    )


def _insert(model, count: int, exprs: dict[str, str], where: str = "") -> None:
    """``count`` rows of ``model`` in one INSERT … SELECT over i = 1..count; ``exprs`` give
    SQL over i for some columns, the rest take their field defaults."""
    from django.db import connection

    columns, values, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.column in exprs:
            values.append(exprs[field.column])
        elif field.primary_key:
            continue
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        columns.append(connection.ops.quote_name(field.column))
    prefix, source = _series(connection.vendor, count)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"{prefix} SELECT {', '.join(values)} FROM {source} {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _company_code() -> str:
    from stdnum.cn import uscc

    return USCC_BODY + uscc.calc_check_digit(USCC_BODY)


def build(vendor: str) -> None:
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from infoconnect.accounts.models import MerchantProfile, User
    from infoconnect.procurement.models import (
        Company,
        PriceList,
        PriceListEntry,
        PriceTier,
    )
    from infoconnect.shop.models import Product, Sku

    log("building 100,000 SKUs and three lists of 100,000 entries (once)")
    with transaction.atomic():
        merchant = User.objects.create_user(MERCHANT, kind="merchant", is_verified_merchant=True)
        MerchantProfile.objects.create(
            user=merchant,
            shop_name="Pricing bench shop",
            company_name="Pricing Bench Trading Co., Ltd.",
            business_license_number="91310000MA1FL8TQ3X",
            contact_phone="13800138000",
            status=MerchantProfile.Status.VERIFIED,
        )
        admin = User.objects.create_user("pp_admin")
        company = Company.objects.create(
            legal_name="Pricing Bench Co., Ltd.",
            uscc=_company_code(),
            status=Company.Status.VERIFIED,
            registered_by=admin,
            verified_at=timezone.now(),
        )
        first_product = (Product.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        _insert(
            Product,
            PRODUCTS,
            {
                "merchant_id": str(merchant.pk),
                "title": "'Bench product ' || i",
                "status": f"'{Product.Status.ACTIVE}'",
            },
        )
        products = list(
            Product.objects.filter(merchant=merchant).order_by("pk").values_list("pk", flat=True)
        )
        assert len(products) == PRODUCTS and products[0] >= first_product
        base = products[0]
        # SKU i (1-based) belongs to product base + (i - 1) / 100; retail 100.00 + i fen.
        _insert(
            Sku,
            PRODUCTS * SKUS_PER_PRODUCT,
            {
                "product_id": f"{base} + (i - 1) / {SKUS_PER_PRODUCT}",
                "attributes": "'{}'",
                "price": "10000 + i",
                "stock": "1000",
            },
        )
        today = timezone.localdate()
        lists = [
            PriceList.objects.create(
                merchant=merchant, company=company, name="Framework", percent_off=500
            ),
            PriceList.objects.create(
                merchant=merchant, company=company, name="Volume", percent_off=800
            ),
            PriceList.objects.create(
                merchant=merchant,
                company=company,
                name="Spring",
                starts_on=today.replace(day=1),
                ends_on=today.replace(day=28),
            ),
        ]
        first_sku = (
            Sku.objects.filter(product_id=base).order_by("pk").values_list("pk", flat=True)[0]
        )
        count = PRODUCTS * SKUS_PER_PRODUCT
        sku = f"{first_sku} + i - 1"
        fixed = {
            lists[0].pk: "CASE WHEN i - (i / 3) * 3 = 0 THEN 9600 + i ELSE NULL END",
            lists[1].pk: "NULL",
            lists[2].pk: "9300 + i",
        }
        for price_list in lists:
            _insert(
                PriceListEntry,
                count,
                {
                    "price_list_id": str(price_list.pk),
                    "sku_id": sku,
                    "fixed_price": fixed[price_list.pk],
                    "min_quantity": "NULL",
                    "max_quantity": "NULL",
                    "increment": "1",
                },
            )
        with connection.cursor() as cursor:
            entry_base = {}
            for price_list in lists:
                cursor.execute(
                    "SELECT MIN(id) FROM procurement_pricelistentry WHERE price_list_id = %s",
                    [price_list.pk],
                )
                entry_base[price_list.pk] = cursor.fetchone()[0]
        tiers = [
            (lists[0].pk, 10, "9400 + i", ""),
            (lists[0].pk, 50, "9000 + i", ""),
            (lists[1].pk, 20, "9100 + i", ""),
            (lists[1].pk, 100, "8800 + i", ""),
            (lists[2].pk, 5, "9200 + i", "WHERE i - (i / 2) * 2 = 0"),
        ]
        for list_id, from_quantity, price, where in tiers:
            _insert(
                PriceTier,
                count,
                {
                    "entry_id": f"{entry_base[list_id]} + i - 1",
                    "min_quantity": str(from_quantity),
                    "price": price,
                },
                where,
            )
    with connection.cursor() as cursor:
        for table in ("shop_sku", "procurement_pricelistentry", "procurement_pricetier"):
            cursor.execute(f"ANALYZE {table}")


def company():
    from infoconnect.procurement.models import Company

    return Company.objects.filter(uscc=_company_code()).first()


BASELINE_SQL = """
WITH cart(sku_id, qty, retail) AS (VALUES {values}),
lists AS (
    SELECT id, percent_off FROM procurement_pricelist
    WHERE company_id = %s AND merchant_id = %s AND active
      AND (starts_on IS NULL OR starts_on <= %s) AND (ends_on IS NULL OR ends_on >= %s)
),
offers AS (
    SELECT c.sku_id,
           COALESCE(
               (SELECT t.price FROM procurement_pricetier t
                WHERE t.entry_id = e.id AND t.min_quantity <= c.qty
                ORDER BY t.min_quantity DESC LIMIT 1),
               e.fixed_price,
               CASE WHEN l.percent_off > 0
                    THEN (c.retail * (10000 - l.percent_off) + 5000) / 10000 END,
               CASE WHEN e.id IS NOT NULL THEN c.retail END
           ) AS price
    FROM cart c
    CROSS JOIN lists l
    LEFT JOIN procurement_pricelistentry e ON e.price_list_id = l.id AND e.sku_id = c.sku_id
)
SELECT c.sku_id, {least}(c.retail, COALESCE(MIN(o.price), c.retail))
FROM cart c LEFT JOIN offers o ON o.sku_id = c.sku_id
GROUP BY c.sku_id, c.retail
"""


def baseline(vendor: str, company_id: int, merchant_id: int, today, items) -> dict[int, int]:
    from django.db import connection

    cast = "::bigint" if vendor == "postgresql" else ""
    values = ", ".join(f"(%s{cast}, %s{cast}, %s{cast})" for _ in items)
    sql = BASELINE_SQL.format(values=values, least="LEAST" if vendor == "postgresql" else "MIN")
    params = [v for sku, quantity in items for v in (sku.pk, quantity, sku.price)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, company_id, merchant_id, today, today])
        return dict(cursor.fetchall())


def run(vendor: str) -> list[dict]:
    from django.utils import timezone

    from infoconnect.accounts.models import User
    from infoconnect.procurement.pricing import company_prices
    from infoconnect.shop.models import Sku

    found = company()
    if found is None:
        build(vendor)
        found = company()
    merchant = User.objects.get(username=MERCHANT)
    sku_ids = list(
        Sku.objects.filter(product__merchant=merchant).order_by("pk").values_list("pk", flat=True)
    )
    today = timezone.localdate()
    rng = random.Random(11)

    def cart():
        picked = rng.sample(sku_ids, CART)
        skus = {s.pk: s for s in Sku.objects.select_related("product").filter(pk__in=picked)}
        return [(skus[pk], rng.randint(1, 120)) for pk in picked]

    carts = [cart() for _ in range(8)]
    for items in carts:
        mine = [p.unit_price for p in company_prices(company_id=found.pk, items=items)]
        theirs = baseline(vendor, found.pk, merchant.pk, today, items)
        assert mine == [theirs[sku.pk] for sku, _q in items], "baseline and pricing disagree"
    value_ms, base_ms = [], []
    for n in range(WARMUP + ROUNDS):
        items = carts[n % len(carts)]
        value = timed_ms(lambda items=items: company_prices(company_id=found.pk, items=items), 1)
        base = timed_ms(
            lambda items=items: baseline(vendor, found.pk, merchant.pk, today, items), 1
        )
        if n >= WARMUP:
            value_ms += value
            base_ms += base
    value, base = percentile(value_ms, 99), percentile(base_ms, 99)
    return [
        {
            "name": "procurement.price_cart_p99_ms",
            "value": value,
            "unit": "ms",
            "baseline": base,
            "ratio": base / value,
            "vendor": vendor,
            "runs": ROUNDS,
            "p50": round(percentile(value_ms, 50), 3),
            "baseline_p50": round(percentile(base_ms, 50), 3),
            "target_ms": TARGET_MS,
        }
    ]


def main() -> int:
    vendor = setup_django()
    for result in run(vendor):
        emit(**result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
