"""The demo's statement and the sweep's command."""

import pytest
from django.core.management import call_command

from infoconnect.procurement.demo_statements import seed_statement
from infoconnect.procurement.models import PaymentTerms, Statement
from infoconnect.procurement.tests.statements.world import at, order_on_terms

pytestmark = pytest.mark.django_db


def test_the_demo_issues_last_months_statement_once(w):
    order_on_terms(w, [(w.sku_a, 3, 1300)], placed_at=at(w.month, 6))
    statement = seed_statement(company=w.company, merchant_username=w.merchant_a.username)
    assert (statement.month, statement.orders_total, statement.state) == (
        w.month,
        930_000,
        "issued",
    )
    assert seed_statement(company=w.company, merchant_username=w.merchant_a.username) == statement
    assert Statement.objects.count() == 1


def test_the_demo_issues_nothing_without_terms(w):
    PaymentTerms.objects.all().delete()
    assert seed_statement(company=w.company, merchant_username=w.merchant_a.username) is None
    assert seed_statement(company=w.company, merchant_username="nobody") is None
    assert not Statement.objects.exists()


def test_the_sweep_command_issues_once(w, capsys):
    order_on_terms(w, [(w.sku_a, 1, 1300)], placed_at=at(w.month, 6))
    call_command("statements_sweep")
    call_command("statements_sweep")
    assert capsys.readouterr().out == "issued=1\nissued=0\n"
    assert Statement.objects.get().orders_total == 310_000
