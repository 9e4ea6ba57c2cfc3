"""The merchant's price list actions: success, bad input (nothing written), and who may not."""

from datetime import date

import pytest

from infoconnect.accounts.errors import AccountsError
from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import price_lists
from infoconnect.procurement.actions.price_lists import TierSpec
from infoconnect.procurement.errors import PricingError
from infoconnect.procurement.models import Company, PriceList, PriceListEntry, PriceTier
from infoconnect.procurement.tests.factories import make_company, valid_uscc
from infoconnect.procurement.tests.pricing.world import framework

pytestmark = pytest.mark.django_db


def counts():
    return (PriceList.objects.count(), PriceListEntry.objects.count(), PriceTier.objects.count())


def refused(code: PricingError, work) -> None:
    before = counts()
    with pytest.raises(DomainError) as caught:
        work()
    assert caught.value.error is code
    assert counts() == before


def test_a_merchant_gives_a_company_a_list_by_its_uscc_or_id(world):
    by_code = framework(world, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    by_id = price_lists.create_price_list(
        merchant=world.merchant_a, company=str(world.company.pk), name="Spot", percent_off=0
    )
    assert (by_code.company_id, by_code.percent_off, by_code.ends_on) == (
        world.company.pk, 800, date(2026, 12, 31),
    )  # fmt: skip
    assert by_id.company_id == world.company.pk


def test_only_verified_companies_and_merchants(world, make_user):
    pending = make_company(make_user("p_boss"), name="Pending Co.", code=valid_uscc(3))
    assert pending.status == Company.Status.PENDING
    refused(
        PricingError.COMPANY_NOT_FOUND,
        lambda: price_lists.create_price_list(
            merchant=world.merchant_a, company=pending.uscc, name="X"
        ),
    )
    for who, error in (
        (make_user("unverified", kind="merchant"), AccountsError.MERCHANT_NOT_VERIFIED),
        (world.buyer, PricingError.NOT_A_MERCHANT),
    ):
        refused(
            error,
            lambda who=who: price_lists.create_price_list(
                merchant=who, company=world.company.uscc, name="X"
            ),
        )


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"name": ""}, PricingError.NAME_INVALID),
        ({"name": "x" * 101}, PricingError.NAME_INVALID),
        ({"percent_off": 10000}, PricingError.PERCENT_INVALID),
        ({"percent_off": -1}, PricingError.PERCENT_INVALID),
        (
            {"starts_on": date(2026, 2, 1), "ends_on": date(2026, 1, 31)},
            PricingError.WINDOW_INVALID,
        ),
    ],
)
def test_bad_list_input_writes_nothing(world, fields, code):
    values = {"name": "2026 framework", "percent_off": 800, **fields}
    refused(
        code,
        lambda: price_lists.create_price_list(
            merchant=world.merchant_a, company=world.company.uscc, **values
        ),
    )


def test_another_merchant_cannot_see_change_or_delete_a_list(world):
    plist = framework(world)
    for work in (
        lambda: price_lists.update_price_list(
            merchant=world.merchant_b, price_list_id=plist.pk, name="Mine", percent_off=0,
            starts_on=None, ends_on=None, active=True,
        ),
        lambda: price_lists.delete_price_list(merchant=world.merchant_b, price_list_id=plist.pk),
        lambda: price_lists.set_entry(
            merchant=world.merchant_b, price_list_id=plist.pk, sku_id=world.sku_a.pk
        ),
    ):  # fmt: skip
        refused(PricingError.PRICE_LIST_NOT_FOUND, work)
    plist.refresh_from_db()
    assert plist.name == "2026 framework"


def test_a_merchant_prices_only_its_own_skus(world):
    plist = framework(world)
    refused(
        PricingError.SKU_NOT_FOUND,
        lambda: price_lists.set_entry(
            merchant=world.merchant_a, price_list_id=plist.pk, sku_id=world.sku_b.pk,
            fixed_price=100,
        ),
    )  # fmt: skip


def test_an_entry_is_made_then_replaced_and_its_tiers_replaced(world):
    plist = framework(world)
    price_lists.set_entry(
        merchant=world.merchant_a, price_list_id=plist.pk, sku_id=world.sku_a.pk,
        fixed_price=300_000, min_quantity=10, max_quantity=500, increment=5,
    )  # fmt: skip
    price_lists.set_entry(
        merchant=world.merchant_a, price_list_id=plist.pk, sku_id=world.sku_a.pk,
        fixed_price=290_000,
    )  # fmt: skip
    entry = PriceListEntry.objects.get(price_list=plist)
    assert (entry.fixed_price, entry.min_quantity, entry.increment) == (290_000, None, 1)
    price_lists.set_tiers(
        merchant=world.merchant_a, price_list_id=plist.pk, sku_id=world.sku_a.pk,
        tiers=[TierSpec(50, 250_000), TierSpec(10, 280_000)],
    )  # fmt: skip
    price_lists.set_tiers(
        merchant=world.merchant_a, price_list_id=plist.pk, sku_id=world.sku_a.pk,
        tiers=[TierSpec(20, 270_000)],
    )  # fmt: skip
    assert list(entry.tiers.values_list("min_quantity", "price")) == [(20, 270_000)]
    price_lists.remove_entry(
        merchant=world.merchant_a, price_list_id=plist.pk, sku_id=world.sku_a.pk
    )
    assert counts() == (1, 0, 0)


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ({"min_quantity": 7, "increment": 5}, PricingError.RULE_INVALID),
        ({"max_quantity": 12, "increment": 5}, PricingError.RULE_INVALID),
        ({"min_quantity": 10, "max_quantity": 5}, PricingError.RULE_INVALID),
        ({"increment": 0}, PricingError.RULE_INVALID),
        ({"min_quantity": 0}, PricingError.RULE_INVALID),
        ({"fixed_price": 0}, PricingError.PRICE_INVALID),
    ],
)
def test_bad_rules_write_nothing(world, rule, code):
    plist = framework(world)
    refused(
        code,
        lambda: price_lists.set_entry(
            merchant=world.merchant_a, price_list_id=plist.pk, sku_id=world.sku_a.pk, **rule
        ),
    )


@pytest.mark.parametrize(
    ("tiers", "code"),
    [
        ([TierSpec(1, 100)], PricingError.TIERS_INVALID),
        ([TierSpec(5, 100), TierSpec(5, 90)], PricingError.TIERS_INVALID),
        ([TierSpec(5, 0)], PricingError.TIERS_INVALID),
        ([TierSpec(n + 2, 100) for n in range(21)], PricingError.TOO_MANY_TIERS),
    ],
)
def test_bad_tiers_write_nothing(world, tiers, code):
    plist = framework(world)
    refused(
        code,
        lambda: price_lists.set_tiers(
            merchant=world.merchant_a, price_list_id=plist.pk, sku_id=world.sku_a.pk, tiers=tiers
        ),
    )
