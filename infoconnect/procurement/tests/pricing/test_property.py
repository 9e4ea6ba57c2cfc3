"""For random lists, tiers and quantities, the price charged is the lowest of the rules that
apply, computed here on its own from the rules as written."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infoconnect.procurement.models import PriceList, PriceListEntry, PriceTier
from infoconnect.procurement.pricing import company_prices
from infoconnect.shop.models import Sku

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)

tier_st = st.tuples(st.integers(2, 60), st.integers(1, 400_000))
entry_st = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "fixed": st.one_of(st.none(), st.integers(1, 400_000)),
            "tiers": st.lists(tier_st, max_size=4, unique_by=lambda t: t[0]),
        }
    ),
)
list_st = st.fixed_dictionaries(
    {
        "percent_off": st.sampled_from([0, 0, 1, 500, 800, 1250, 3333, 9999]),
        "starts": st.sampled_from([None, -10, 0, 1]),
        "ends": st.sampled_from([None, -1, 0, 10]),
        "active": st.booleans(),
        "entry": entry_st,
    }
)


def expected(retail: int, lists: list[dict], quantity: int) -> int:
    """The rules as the issue states them, one list at a time."""
    offers = []
    for spec in lists:
        starts = spec["starts"] if spec["starts"] is None else TODAY + timedelta(spec["starts"])
        ends = spec["ends"] if spec["ends"] is None else TODAY + timedelta(spec["ends"])
        if not spec["active"] or (starts and starts > TODAY) or (ends and ends < TODAY):
            continue
        if starts and ends and ends < starts:
            continue
        entry = spec["entry"]
        reached = [p for q, p in (entry["tiers"] if entry else []) if q <= quantity]
        if entry and reached:
            best_tier = max((q, p) for q, p in entry["tiers"] if q <= quantity)
            offers.append(best_tier[1])
        elif entry and entry["fixed"] is not None:
            offers.append(entry["fixed"])
        elif spec["percent_off"]:
            exact = retail * (10000 - spec["percent_off"])
            # Half a fen and more rounds up.
            offers.append(exact // 10000 + (1 if exact % 10000 >= 5000 else 0))
        elif entry:
            offers.append(retail)
    return min([retail, *offers])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    retail=st.integers(1, 400_000),
    lists=st.lists(list_st, max_size=4),
    quantity=st.integers(1, 80),
)
def test_the_charged_price_is_the_lowest_applicable_rule(world, retail, lists, quantity):
    Sku.objects.filter(pk=world.sku_a.pk).update(price=retail)
    PriceList.objects.filter(company=world.company).delete()
    for n, spec in enumerate(lists):
        starts = spec["starts"] if spec["starts"] is None else TODAY + timedelta(spec["starts"])
        ends = spec["ends"] if spec["ends"] is None else TODAY + timedelta(spec["ends"])
        if starts and ends and ends < starts:
            starts, ends = ends, starts
            spec["starts"], spec["ends"] = spec["ends"], spec["starts"]
        plist = PriceList.objects.create(
            merchant=world.merchant_a, company=world.company, name=f"L{n}",
            percent_off=spec["percent_off"], starts_on=starts, ends_on=ends,
            active=spec["active"],
        )  # fmt: skip
        if spec["entry"] is not None:
            entry = PriceListEntry.objects.create(
                price_list=plist, sku=world.sku_a, fixed_price=spec["entry"]["fixed"]
            )
            PriceTier.objects.bulk_create(
                [PriceTier(entry=entry, min_quantity=q, price=p) for q, p in spec["entry"]["tiers"]]
            )
    sku = Sku.objects.select_related("product").get(pk=world.sku_a.pk)
    found = company_prices(company_id=world.company.pk, items=[(sku, quantity)], on=TODAY)[0]
    assert found.unit_price == expected(retail, lists, quantity)
    assert found.list_price == retail
    if found.unit_price < retail:
        winner = PriceList.objects.get(pk=found.price_list_id)
        assert found.reason.startswith(f"Price list {winner.name}")
    else:
        assert found.reason == ""
