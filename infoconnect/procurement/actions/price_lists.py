"""A merchant's price lists for a company: the list, its entries per SKU and their tiers.

Only the merchant who owns a list changes it, and only for a verified company. Writes to one
list's entries and tiers lock the list row first, so two saves of one list run one after the
other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from infoconnect.accounts.gates import require_verified_merchant
from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.procurement.errors import PricingError
from infoconnect.procurement.models import Company, PriceList, PriceListEntry, PriceTier
from infoconnect.shop.models import Sku

MAX_TIERS = 20
MAX_RULE_QUANTITY = 9999  # a requisition line holds at most this many units
MAX_PRICE = 10**12  # ¥10,000,000,000.00: far above any SKU, far below the column


@dataclass(frozen=True)
class TierSpec:
    min_quantity: int
    price: int


def require_merchant(user: User) -> None:
    if not (user.is_authenticated and user.is_merchant):
        raise DomainError(PricingError.NOT_A_MERCHANT)
    require_verified_merchant(user)


def find_company(reference: object) -> Company:
    """A verified company named by its USCC or its id."""
    text = str(reference or "").strip().upper()
    rows = Company.objects.filter(status=Company.Status.VERIFIED)
    if len(text) == 18:
        company = rows.filter(uscc=text).first()
    else:
        pk = parse_id(text)
        company = rows.filter(pk=pk).first() if pk else None
    if company is None:
        raise DomainError(PricingError.COMPANY_NOT_FOUND)
    return company


def own_list(*, merchant: User, price_list_id: object, lock: bool = False) -> PriceList:
    require_merchant(merchant)
    rows = PriceList.objects.select_related("company")
    if lock:
        rows = rows.select_for_update(of=("self",))
    found = rows.filter(pk=parse_id(price_list_id), merchant_id=merchant.pk).first()
    if found is None:
        raise DomainError(PricingError.PRICE_LIST_NOT_FOUND)
    return found


def own_sku(*, merchant: User, sku_id: object) -> Sku:
    sku = (
        Sku.objects.select_related("product")
        .filter(pk=parse_id(sku_id), product__merchant_id=merchant.pk)
        .first()
    )
    if sku is None:
        raise DomainError(PricingError.SKU_NOT_FOUND)
    return sku


def clean_name(value: object) -> str:
    name = str(value or "").strip()
    if not 1 <= len(name) <= 100:
        raise DomainError(PricingError.NAME_INVALID)
    return name


def clean_percent(value: object) -> int:
    """Basis points off, 0 to 9999."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10000:
        raise DomainError(PricingError.PERCENT_INVALID)
    return value


def clean_window(starts_on: object, ends_on: object) -> tuple[date | None, date | None]:
    for day in (starts_on, ends_on):
        if day is not None and not isinstance(day, date):
            raise DomainError(PricingError.WINDOW_INVALID)
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError(PricingError.WINDOW_INVALID)
    return starts_on, ends_on


def clean_price(value: object, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PRICE:
        raise DomainError(PricingError.PRICE_INVALID)
    return value


def _quantity(value: object, *, optional: bool) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(PricingError.RULE_INVALID)
    if not 1 <= value <= MAX_RULE_QUANTITY:
        raise DomainError(PricingError.RULE_INVALID)
    return value


def clean_rule(
    min_quantity: object, max_quantity: object, increment: object
) -> tuple[int | None, int | None, int]:
    """Minimum and maximum are multiples of the increment, the maximum not below the minimum."""
    minimum = _quantity(min_quantity, optional=True)
    maximum = _quantity(max_quantity, optional=True)
    step = _quantity(increment, optional=False)
    if minimum is not None and maximum is not None and maximum < minimum:
        raise DomainError(PricingError.RULE_INVALID)
    if any(bound is not None and bound % step for bound in (minimum, maximum)):
        raise DomainError(PricingError.RULE_INVALID)
    return minimum, maximum, step


@transaction.atomic
def create_price_list(
    *,
    merchant: User,
    company: object,
    name: object,
    percent_off: object = 0,
    starts_on: date | None = None,
    ends_on: date | None = None,
    active: bool = True,
) -> PriceList:
    """A new list from ``merchant`` for the company named by its USCC or id."""
    require_merchant(merchant)
    found = find_company(company)
    starts_on, ends_on = clean_window(starts_on, ends_on)
    return PriceList.objects.create(
        merchant=merchant,
        company=found,
        name=clean_name(name),
        percent_off=clean_percent(percent_off),
        starts_on=starts_on,
        ends_on=ends_on,
        active=bool(active),
    )


@transaction.atomic
def update_price_list(
    *,
    merchant: User,
    price_list_id: object,
    name: object,
    percent_off: object,
    starts_on: date | None,
    ends_on: date | None,
    active: bool,
) -> PriceList:
    price_list = own_list(merchant=merchant, price_list_id=price_list_id, lock=True)
    price_list.name = clean_name(name)
    price_list.percent_off = clean_percent(percent_off)
    price_list.starts_on, price_list.ends_on = clean_window(starts_on, ends_on)
    price_list.active = bool(active)
    price_list.updated_at = timezone.now()
    price_list.save(
        update_fields=["name", "percent_off", "starts_on", "ends_on", "active", "updated_at"]
    )
    return price_list


@transaction.atomic
def delete_price_list(*, merchant: User, price_list_id: object) -> None:
    own_list(merchant=merchant, price_list_id=price_list_id, lock=True).delete()


def _touch(price_list: PriceList) -> None:
    PriceList.objects.filter(pk=price_list.pk).update(updated_at=timezone.now())


@transaction.atomic
def set_entry(
    *,
    merchant: User,
    price_list_id: object,
    sku_id: object,
    fixed_price: object = None,
    min_quantity: object = None,
    max_quantity: object = None,
    increment: object = 1,
) -> PriceListEntry:
    """The SKU's fixed price and quantity rule in the list (made or replaced)."""
    price_list = own_list(merchant=merchant, price_list_id=price_list_id, lock=True)
    sku = own_sku(merchant=merchant, sku_id=sku_id)
    price = clean_price(fixed_price, optional=True)
    minimum, maximum, step = clean_rule(min_quantity, max_quantity, increment)
    entry, _created = PriceListEntry.objects.update_or_create(
        price_list=price_list,
        sku=sku,
        defaults={
            "fixed_price": price,
            "min_quantity": minimum,
            "max_quantity": maximum,
            "increment": step,
        },
    )
    _touch(price_list)
    return entry


def own_entry(*, price_list: PriceList, sku_id: object) -> PriceListEntry:
    entry = (
        PriceListEntry.objects.select_related("sku__product")
        .filter(price_list=price_list, sku_id=parse_id(sku_id))
        .first()
    )
    if entry is None:
        raise DomainError(PricingError.ENTRY_NOT_FOUND)
    return entry


@transaction.atomic
def remove_entry(*, merchant: User, price_list_id: object, sku_id: object) -> None:
    price_list = own_list(merchant=merchant, price_list_id=price_list_id, lock=True)
    own_entry(price_list=price_list, sku_id=sku_id).delete()
    _touch(price_list)


def clean_tiers(tiers: list[TierSpec]) -> list[TierSpec]:
    if len(tiers) > MAX_TIERS:
        raise DomainError(PricingError.TOO_MANY_TIERS)
    seen: set[int] = set()
    for tier in tiers:
        quantity = tier.min_quantity
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise DomainError(PricingError.TIERS_INVALID)
        if not 2 <= quantity <= MAX_RULE_QUANTITY or quantity in seen:
            raise DomainError(PricingError.TIERS_INVALID)
        if isinstance(tier.price, bool) or not isinstance(tier.price, int):
            raise DomainError(PricingError.TIERS_INVALID)
        if not 1 <= tier.price <= MAX_PRICE:
            raise DomainError(PricingError.TIERS_INVALID)
        seen.add(quantity)
    return sorted(tiers, key=lambda tier: tier.min_quantity)


@transaction.atomic
def set_tiers(
    *, merchant: User, price_list_id: object, sku_id: object, tiers: list[TierSpec]
) -> list[PriceTier]:
    """The entry's tiers become ``tiers`` (an empty list removes them); the SKU gets an entry
    without a fixed price when it has none yet."""
    price_list = own_list(merchant=merchant, price_list_id=price_list_id, lock=True)
    sku = own_sku(merchant=merchant, sku_id=sku_id)
    wanted = clean_tiers(list(tiers))
    entry, _created = PriceListEntry.objects.get_or_create(price_list=price_list, sku=sku)
    PriceTier.objects.filter(entry=entry).delete()
    made = PriceTier.objects.bulk_create(
        [PriceTier(entry=entry, min_quantity=t.min_quantity, price=t.price) for t in wanted]
    )
    _touch(price_list)
    return made


@transaction.atomic
def save_entry(
    *,
    merchant: User,
    price_list_id: object,
    sku_id: object,
    fixed_price: object = None,
    min_quantity: object = None,
    max_quantity: object = None,
    increment: object = 1,
    tiers: list[TierSpec],
) -> PriceListEntry:
    """An entry and its tiers in one go: both are saved, or neither."""
    entry = set_entry(
        merchant=merchant,
        price_list_id=price_list_id,
        sku_id=sku_id,
        fixed_price=fixed_price,
        min_quantity=min_quantity,
        max_quantity=max_quantity,
        increment=increment,
    )
    set_tiers(merchant=merchant, price_list_id=price_list_id, sku_id=sku_id, tiers=tiers)
    return entry
