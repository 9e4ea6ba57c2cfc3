"""A merchant grants, changes and withdraws a company's payment terms."""

import pytest

from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import terms
from infoconnect.procurement.models import Company, PaymentTerms
from infoconnect.procurement.terms_reads import company_terms, merchant_terms
from infoconnect.procurement.tests.factories import VALID_2, make_company
from infoconnect.procurement.tests.terms.world import grant, on_terms, outstanding

pytestmark = pytest.mark.django_db


def code(call) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


def test_a_merchant_grants_net_30_with_a_limit(world):
    granted = grant(world, world.merchant_a, net_days=30, limit=500_000)
    assert (granted.net_days, granted.credit_limit, granted.grace_days) == (30, 500_000, 7)
    assert granted.active and granted.outstanding == 0
    assert [t.company_id for t in merchant_terms(world.merchant_a)] == [world.company.pk]
    assert merchant_terms(world.merchant_b) == []
    assert [t.merchant_id for t in company_terms(world.company.pk)] == [world.merchant_a.pk]


@pytest.mark.parametrize(
    "net_days, limit, grace, expected",
    [
        (45, 100, None, "net_days_invalid"),
        ("x", 100, None, "net_days_invalid"),
        (30, 0, None, "credit_limit_invalid"),
        (30, "100", None, "credit_limit_invalid"),
        (30, 10**11, None, "credit_limit_invalid"),
        (30, 100, 91, "grace_days_invalid"),
        (30, 100, "-1", "grace_days_invalid"),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_written(world, net_days, limit, grace, expected):
    assert code(lambda: grant(world, world.merchant_a, net_days=net_days, limit=limit,
                              grace=grace)) == expected  # fmt: skip
    assert not PaymentTerms.objects.exists()


def test_due_on_delivery_and_no_grace_are_valid(world):
    granted = grant(world, world.merchant_a, net_days=0, limit=100, grace=0)
    assert (granted.net_days, granted.grace_days) == (0, 0)


def test_who_may_not_grant_terms(world, make_user):
    person = make_user("someone")
    unverified = make_user("shop_c", kind="merchant", verified=False)
    assert code(lambda: grant(world, person)) == "not_a_merchant"
    assert code(lambda: grant(world, unverified)) == "merchant_not_verified"
    pending = make_company(make_user("other_boss"), name="Pending Co", code=VALID_2)
    assert pending.status == Company.Status.PENDING
    assert (
        code(
            lambda: terms.grant_terms(
                merchant=world.merchant_a, company_id=pending.pk, net_days=30, credit_limit=100
            )
        )
        == "company_not_verified"
    )
    assert (
        code(
            lambda: terms.grant_terms(
                merchant=world.merchant_a, company_id=999999, net_days=30, credit_limit=100
            )
        )
        == "company_not_found"
    )
    assert not PaymentTerms.objects.exists()


def test_terms_are_granted_once_and_changed_only_by_their_merchant(world):
    grant(world, world.merchant_a)
    assert code(lambda: grant(world, world.merchant_a)) == "terms_exist"
    assert (
        code(
            lambda: terms.update_terms(
                merchant=world.merchant_b, company_id=world.company.pk, net_days=60, credit_limit=5
            )
        )
        == "terms_not_found"
    )
    assert (
        code(lambda: terms.withdraw_terms(merchant=world.merchant_b, company_id=world.company.pk))
        == "terms_not_found"
    )
    changed = terms.update_terms(
        merchant=world.merchant_a, company_id=world.company.pk, net_days=60,
        credit_limit=2_000_000, grace_days=3,
    )  # fmt: skip
    assert (changed.net_days, changed.credit_limit, changed.grace_days) == (60, 2_000_000, 3)


def test_the_limit_never_goes_below_what_is_owed(world):
    grant(world, world.merchant_a, limit=1_000_000)
    on_terms(world, (world.sku_a, 2))  # ¥6,200.00 owed
    assert outstanding(world, world.merchant_a) == 620_000
    assert code(
        lambda: terms.update_terms(
            merchant=world.merchant_a, company_id=world.company.pk, net_days=30,
            credit_limit=619_999,
        )
    ) == "credit_limit_below_outstanding"  # fmt: skip
    assert PaymentTerms.objects.get().credit_limit == 1_000_000
    lowered = terms.update_terms(
        merchant=world.merchant_a, company_id=world.company.pk, net_days=30, credit_limit=620_000
    )
    assert lowered.credit_limit == 620_000


def test_withdrawn_terms_take_no_new_orders_and_keep_what_is_owed(world):
    grant(world, world.merchant_a)
    on_terms(world, (world.sku_a, 1))
    withdrawn = terms.withdraw_terms(merchant=world.merchant_a, company_id=world.company.pk)
    assert not withdrawn.active and withdrawn.outstanding == 310_000
    with pytest.raises(DomainError) as caught:
        on_terms(world, (world.sku_a, 1), po_number="PO-2")
    assert caught.value.code == "merchant_grants_no_terms"
    assert "shop_a shop" in caught.value.message
