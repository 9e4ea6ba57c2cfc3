import pytest

from infoconnect.procurement.demo_terms import seed_terms
from infoconnect.procurement.models import PaymentTerms

pytestmark = pytest.mark.django_db


def test_the_demo_grants_net_30_once(world):
    first = seed_terms(world.company, world.merchant_a)
    again = seed_terms(world.company, world.merchant_a)
    assert first.pk == again.pk
    assert PaymentTerms.objects.count() == 1
    assert (first.get_net_days_display(), first.credit_limit, first.grace_days) == (
        "Net 30", 5_000_000, 7,
    )  # fmt: skip
