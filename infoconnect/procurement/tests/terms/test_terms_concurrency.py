"""True concurrency on PostgreSQL: requisitions placed at once on one merchant's terms never
together pass the credit limit."""

import pytest
from django.db import connection

from infoconnect.procurement.actions import requisitions, submission
from infoconnect.procurement.models import PaymentTerms, Receivable, Requisition
from infoconnect.procurement.tests.factories import add
from infoconnect.procurement.tests.invariants.test_concurrency import run_together
from infoconnect.procurement.tests.terms.world import balance, grant
from infoconnect.shop.models import Order
from infoconnect.wallet.models import AccountKind

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent writers")


def test_parallel_placements_never_pass_the_credit_limit(world, make_user):
    grant(world, world.merchant_a, limit=3 * 310_000 + 1)  # room for three printers
    drafts = []
    for index in range(6):
        buyer = make_user(f"buyer{index}")
        add(world.company, world.admin, buyer, "buyer", department=world.design)
        line = requisitions.add_to_requisition(
            user=buyer, company_id=world.company.pk, sku_id=world.sku_a.pk, quantity=1
        )
        requisitions.update_details(
            user=buyer, requisition_id=line.requisition_id, department_id=world.design.pk,
            ship_to_id=world.ship_to.pk, payment_method="on_terms",
        )  # fmt: skip
        drafts.append((buyer, line.requisition_id))

    def submit(buyer, requisition_id):
        return lambda: submission.submit_requisition(user=buyer, requisition_id=requisition_id)

    results = run_together(*(submit(buyer, pk) for buyer, pk in drafts))
    assert results == ["ok"] * 6
    states = sorted(
        Requisition.objects.filter(pk__in=[pk for _b, pk in drafts]).values_list(
            "state", "placing_error"
        )
    )
    assert states == [("approved", "credit_limit_exceeded")] * 3 + [("ordered", "")] * 3
    terms = PaymentTerms.objects.get()
    assert terms.outstanding == 930_000 <= terms.credit_limit
    assert Order.objects.filter(on_terms=True).count() == 3
    assert Receivable.objects.count() == 3
    assert balance(AccountKind.RECEIVABLE, world.merchant_a.pk) == 930_000
