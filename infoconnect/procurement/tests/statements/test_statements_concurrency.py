"""True concurrency on PostgreSQL: the merchant's answers to a statement's last two disputes
at once issue it again; two sweeps at once issue a month's statement once; a confirmation
racing a dispute leaves one of them."""

import pytest
from django.db import connection

from infoconnect.procurement.actions import statements as actions
from infoconnect.procurement.actions.statements import DisputedLine
from infoconnect.procurement.models import Statement, StatementDispute
from infoconnect.procurement.statement_reads import month_lines
from infoconnect.procurement.tests.organisation.test_departments_concurrency import run_together
from infoconnect.procurement.tests.statements.world import at, order_on_terms

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent writers")


@pytest.fixture
def issued(w):
    order_on_terms(w, [(w.sku_a, 1, 1300)], placed_at=at(w.month, 2))
    order_on_terms(w, [(w.sku_a, 2, 1300)], placed_at=at(w.month, 3))
    return actions.issue_statement(merchant=w.merchant_a, company_id=w.company.pk, month=w.month)


def test_the_last_two_answers_at_once_issue_the_statement_again(w, issued):
    lines = list(month_lines(issued).order_by("id").values_list("id", flat=True))
    disputes = actions.dispute_lines(
        user=w.finance,
        company_id=w.company.pk,
        statement_id=issued.pk,
        lines=[DisputedLine(line, "Wrong") for line in lines],
    )
    results = run_together(
        *(
            lambda d=d: actions.answer_dispute(merchant=w.merchant_a, dispute_id=d.pk, answer="OK")
            for d in disputes
        )
    )
    assert results == ["ok", "ok"]
    issued.refresh_from_db()
    assert issued.state == Statement.State.ISSUED
    assert set(StatementDispute.objects.values_list("state", flat=True)) == {"answered"}


def test_two_sweeps_at_once_issue_once(w):
    order_on_terms(w, [(w.sku_a, 1, 1300)], placed_at=at(w.month, 2))
    counts = []
    results = run_together(
        lambda: counts.append(actions.issue_due_statements()),
        lambda: counts.append(actions.issue_due_statements()),
    )
    assert results == ["ok", "ok"]
    assert sorted(counts) == [0, 1]
    assert Statement.objects.count() == 1


def test_a_confirmation_racing_a_dispute_leaves_one(w, issued):
    line = month_lines(issued).order_by("id").values_list("id", flat=True).first()
    results = run_together(
        lambda: actions.confirm_statement(
            user=w.finance, company_id=w.company.pk, statement_id=issued.pk
        ),
        lambda: actions.dispute_lines(
            user=w.finance,
            company_id=w.company.pk,
            statement_id=issued.pk,
            lines=[DisputedLine(line, "Wrong")],
        ),
    )
    assert sorted(results) == ["ok", "statement_invalid_state"]
    issued.refresh_from_db()
    if results[0] == "ok":
        assert issued.state == "confirmed" and not StatementDispute.objects.exists()
    else:
        assert issued.state == "disputed" and StatementDispute.objects.count() == 1
