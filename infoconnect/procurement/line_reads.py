"""A requisition's lines as they are stored, with their SKUs, products and whether each
merchant sells (reads only): what the submit and the last approval price and check."""

from __future__ import annotations

import json

from django.db import connection

from infoconnect.procurement.models import RequisitionLine
from infoconnect.shop.models import Product, Sku

# The lines with their SKUs, products and merchants' verification, in one read: the
# submit and the last approval both ask it, and an ``id IN (…)`` read of the SKUs let the
# planner scan the SKU table by product whenever its statistics were stale.
_LINES_SQL = """
SELECT l.id, l.requisition_id, l.sku_id, l.product_id, l.merchant_id, l.category_id, l.title,
       l.attributes, l.unit_price, l.quantity, l.list_price, l.price_reason, l.locked, l.held,
       l.returned_reason, s.product_id, s.attributes, s.price, s.currency, s.stock,
       s.is_active, s.tax_rate, s.tax_code, s.unit, p.merchant_id, p.title, p.category_id,
       p.status, p.max_per_order,
       m.is_verified_merchant
FROM procurement_requisitionline l
LEFT JOIN shop_sku s ON s.id = l.sku_id
LEFT JOIN shop_product p ON p.id = s.product_id
LEFT JOIN accounts_user m ON m.id = p.merchant_id
WHERE l.requisition_id = %s
ORDER BY l.id
"""
# In the models' column order (``from_db`` then takes the values as they come); a line's
# added_at is left deferred.
_LINE_FIELDS = [
    "id", "requisition_id", "sku_id", "product_id", "merchant_id", "category_id", "title",
    "attributes", "unit_price", "quantity", "list_price", "price_reason", "locked", "held",
    "returned_reason",
]  # fmt: skip
_SKU_FIELDS = [
    "id", "product_id", "attributes", "price", "currency", "stock", "is_active", "tax_rate",
    "tax_code", "unit",
]  # fmt: skip
_PRODUCT_FIELDS = ["id", "merchant_id", "title", "category_id", "status", "max_per_order"]


def _json(value):
    # JSON columns arrive as text from a raw cursor, on both engines.
    return json.loads(value) if isinstance(value, str) else value


def read_lines(requisition_id: int) -> tuple[list[RequisitionLine], dict[int, Sku]]:
    """The stored lines (id order) and their SKUs, each with its product (and whether the
    merchant sells, as ``Product.merchant_sells`` reads it)."""
    with connection.cursor() as cursor:
        cursor.execute(_LINES_SQL, [requisition_id])
        rows = cursor.fetchall()
    alias = connection.alias
    lines, skus = [], {}
    for row in rows:
        values = list(row[:15])
        values[7], values[12] = _json(values[7]), bool(values[12])
        lines.append(RequisitionLine.from_db(alias, _LINE_FIELDS, values))
        if row[15] is None:
            continue  # the SKU is gone
        sku = Sku.from_db(
            alias, _SKU_FIELDS, [row[2], row[15], _json(row[16]), *row[17:20], bool(row[20]),
                                 *row[21:24]],
        )  # fmt: skip
        sku.product = Product.from_db(alias, _PRODUCT_FIELDS, [row[15], *row[24:29]])
        sku.product.merchant_verified = bool(row[29])
        skus[sku.pk] = sku
    return lines, skus
