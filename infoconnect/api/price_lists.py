"""Contract prices: a merchant's price lists for companies, and a company's effective prices.

Merchant side, under /v1/price_lists: list, create, read, change and delete lists; set or
remove one SKU's entry (fixed price and quantity rule) and replace its tiers. Only the
merchant who owns a list sees it (anyone else: 404). Percentages are in basis points
(800 = 8% off), money in fen.

Company side: ``GET /v1/companies/{id}/prices?sku=1&sku=2&quantity=10`` gives each SKU's
retail price, the company's price, why, and its quantity rule; members of that company only
(anyone else: 404, ``not_a_member``). ``quantity`` once applies to every SKU, or once per SKU.
"""

import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from infoconnect.api.schemas import ErrorOut, IsoDate, StrictSchema
from infoconnect.core.money import format_money
from infoconnect.procurement import price_list_reads
from infoconnect.procurement.actions import price_lists
from infoconnect.procurement.actions.price_lists import TierSpec
from infoconnect.procurement.models import PriceList, PriceListEntry
from infoconnect.procurement.pricing import QuantityRule, net_price

router = Router(tags=["price lists"])


ERRORS = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


class TierOut(Schema):
    min_quantity: int
    price: int = Field(..., description="fen")


class PriceEntryOut(Schema):
    sku_id: int
    product_id: int
    title: str
    retail_price: int = Field(..., description="fen")
    fixed_price: int | None = Field(None, description="fen")
    min_quantity: int | None
    max_quantity: int | None
    increment: int
    tiers: list[TierOut]


class PriceListOut(Schema):
    id: int
    company_id: int
    company_name: str
    company_uscc: str
    name: str
    percent_off: int = Field(..., description="basis points off the retail price")
    starts_on: datetime.date | None
    ends_on: datetime.date | None = Field(None, description="the last day it applies")
    active: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime


class PriceListDetail(PriceListOut):
    entries: list[PriceEntryOut]


class PriceListIn(StrictSchema):
    company: str = Field(..., description="the company's USCC or id; verified companies only")
    name: str
    percent_off: int = Field(0, description="basis points, 0 to 9999")
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    active: bool = True


class PriceListPatch(StrictSchema):
    name: str | None = None
    percent_off: int | None = None
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    active: bool | None = None


class EntryIn(StrictSchema):
    fixed_price: int | None = Field(None, description="fen; none: tiers or the percentage")
    min_quantity: int | None = None
    max_quantity: int | None = None
    increment: int = 1


class TierIn(StrictSchema):
    min_quantity: int
    price: int = Field(..., description="fen")


class TiersIn(StrictSchema):
    tiers: list[TierIn]


class PriceRuleOut(Schema):
    min_quantity: int | None
    max_quantity: int | None
    increment: int
    text: str


class PriceOut(Schema):
    sku_id: int
    quantity: int
    retail_price: int = Field(..., description="fen, VAT included")
    unit_price: int = Field(..., description="the company's price, fen, VAT included")
    unit_price_display: str
    net_unit_price: int = Field(..., description="fen, before VAT")
    tax_rate: int = Field(..., description="basis points: 1300 = 13%")
    reason: str = Field(..., description='why, e.g. "Price list 2026 framework, tier ≥ 50"')
    price_list_id: int | None
    rule: PriceRuleOut | None


def _list_out(price_list: PriceList) -> dict:
    return {
        "id": price_list.pk,
        "company_id": price_list.company_id,
        "company_name": price_list.company.legal_name,
        "company_uscc": price_list.company.uscc,
        "name": price_list.name,
        "percent_off": price_list.percent_off,
        "starts_on": price_list.starts_on,
        "ends_on": price_list.ends_on,
        "active": price_list.active,
        "created_at": price_list.created_at,
        "updated_at": price_list.updated_at,
    }


def _entry_out(entry: PriceListEntry) -> dict:
    return {
        "sku_id": entry.sku_id,
        "product_id": entry.sku.product_id,
        "title": entry.sku.product.title,
        "retail_price": entry.sku.price,
        "fixed_price": entry.fixed_price,
        "min_quantity": entry.min_quantity,
        "max_quantity": entry.max_quantity,
        "increment": entry.increment,
        "tiers": [{"min_quantity": t.min_quantity, "price": t.price} for t in entry.tiers.all()],
    }


def _detail(request: HttpRequest, price_list_id: int) -> dict:
    found = price_list_reads.list_with_entries(merchant=request.auth, price_list_id=price_list_id)
    return {**_list_out(found), "entries": [_entry_out(e) for e in found.entries.all()]}


@router.get("/v1/price_lists", response={200: list[PriceListOut], **ERRORS})
def list_price_lists(request: HttpRequest, company_id: int | None = None):
    """The caller's price lists (a verified merchant's), optionally for one company."""
    rows = price_list_reads.merchant_lists(merchant=request.auth, company_id=company_id)
    return [_list_out(row) for row in rows]


@router.post("/v1/price_lists", response={201: PriceListDetail, **ERRORS})
def create_price_list(request: HttpRequest, payload: PriceListIn):
    made = price_lists.create_price_list(merchant=request.auth, **payload.dict())
    return Status(201, _detail(request, made.pk))


@router.get("/v1/price_lists/{price_list_id}", response={200: PriceListDetail, **ERRORS})
def get_price_list(request: HttpRequest, price_list_id: int):
    return _detail(request, price_list_id)


@router.patch("/v1/price_lists/{price_list_id}", response={200: PriceListDetail, **ERRORS})
def update_price_list(request: HttpRequest, price_list_id: int, payload: PriceListPatch):
    """Change the fields sent; the others stay."""
    current = price_list_reads.list_with_entries(merchant=request.auth, price_list_id=price_list_id)
    fields = {
        "name": current.name,
        "percent_off": current.percent_off,
        "starts_on": current.starts_on,
        "ends_on": current.ends_on,
        "active": current.active,
    }
    fields.update({name: getattr(payload, name) for name in payload.model_fields_set})
    price_lists.update_price_list(merchant=request.auth, price_list_id=price_list_id, **fields)
    return _detail(request, price_list_id)


@router.delete("/v1/price_lists/{price_list_id}", response={204: None, **ERRORS})
def delete_price_list(request: HttpRequest, price_list_id: int):
    price_lists.delete_price_list(merchant=request.auth, price_list_id=price_list_id)
    return Status(204, None)


@router.put(
    "/v1/price_lists/{price_list_id}/entries/{sku_id}", response={200: PriceEntryOut, **ERRORS}
)
def set_entry(request: HttpRequest, price_list_id: int, sku_id: int, payload: EntryIn):
    """The SKU's fixed price and quantity rule in the list, made or replaced."""
    entry = price_lists.set_entry(
        merchant=request.auth, price_list_id=price_list_id, sku_id=sku_id, **payload.dict()
    )
    return _entry_out(
        PriceListEntry.objects.select_related("sku__product")
        .prefetch_related("tiers")
        .get(pk=entry.pk)
    )


@router.delete("/v1/price_lists/{price_list_id}/entries/{sku_id}", response={204: None, **ERRORS})
def remove_entry(request: HttpRequest, price_list_id: int, sku_id: int):
    price_lists.remove_entry(merchant=request.auth, price_list_id=price_list_id, sku_id=sku_id)
    return Status(204, None)


@router.put(
    "/v1/price_lists/{price_list_id}/entries/{sku_id}/tiers",
    response={200: PriceEntryOut, **ERRORS},
)
def set_tiers(request: HttpRequest, price_list_id: int, sku_id: int, payload: TiersIn):
    """The entry's tiers, all of them (an empty list removes them)."""
    price_lists.set_tiers(
        merchant=request.auth,
        price_list_id=price_list_id,
        sku_id=sku_id,
        tiers=[TierSpec(min_quantity=t.min_quantity, price=t.price) for t in payload.tiers],
    )
    entry = (
        PriceListEntry.objects.select_related("sku__product")
        .prefetch_related("tiers")
        .get(price_list_id=price_list_id, sku_id=sku_id)
    )
    return _entry_out(entry)


def _rule_out(rule: QuantityRule | None) -> dict | None:
    if rule is None:
        return None
    return {
        "min_quantity": rule.minimum,
        "max_quantity": rule.maximum,
        "increment": rule.increment,
        "text": rule.describe(),
    }


@router.get("/v1/companies/{company_id}/prices", response={200: list[PriceOut], **ERRORS})
def company_prices(
    request: HttpRequest,
    company_id: int,
    sku: list[str] = Query(...),  # noqa: B008
    quantity: list[str] = Query([]),  # noqa: B008
):
    """The company's price of each SKU (members of the company only)."""
    rows = price_list_reads.member_prices(
        user=request.auth, company_id=company_id, sku_ids=sku, quantities=quantity
    )
    return [
        {
            "sku_id": found.pk,
            "quantity": wanted,
            "retail_price": price.list_price,
            "unit_price": price.unit_price,
            "unit_price_display": format_money(price.unit_price, found.currency),
            "net_unit_price": net_price(price.unit_price, found.tax_rate),
            "tax_rate": found.tax_rate,
            "reason": price.reason,
            "price_list_id": price.price_list_id,
            "rule": _rule_out(price.rule),
        }
        for found, wanted, price in rows
    ]
