"""Issuing, confirming and disputing statements, and answering disputes: the figures, the
states, bad input and who may not."""

import datetime

import pytest
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import statements as actions
from infoconnect.procurement.actions.statements import DisputedLine
from infoconnect.procurement.models import PaymentTerms, Statement, StatementDispute
from infoconnect.procurement.statement_reads import month_lines, next_month, previous_month
from infoconnect.procurement.tests.factories import make_company, valid_uscc
from infoconnect.procurement.tests.statements.world import (
    at,
    credit,
    order_on_terms,
    payment,
    statements_of,
)

pytestmark = pytest.mark.django_db


def code(call) -> str:
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value.code


def month_of_activity(w, toner):
    """Before the month: ¥3,100.00 ordered, ¥1,000.00 paid. In it: two orders (¥6,200.00 +
    ¥91.00 and ¥3,100.00), ¥2,000.00 paid, the earlier order credited ¥500.00."""
    earlier = previous_month(w.month)
    before = order_on_terms(w, [(w.sku_a, 1, 1300)], placed_at=at(earlier, 3))
    payment(w, 100_000, paid_at=at(earlier, 20))
    first = order_on_terms(w, [(w.sku_a, 2, 1300), (toner, 2, 600)], placed_at=at(w.month, 2))
    second = order_on_terms(w, [(w.sku_a, 1, 1300)], placed_at=at(w.month, 15), po_number="PO-9")
    payment(w, 200_000, paid_at=at(w.month, 10))
    credit(before, 50_000, closed_at=at(w.month, 12))
    return before, first, second


def test_the_merchant_issues_a_closed_month_with_its_four_figures(w, toner):
    month_of_activity(w, toner)
    # Outside the statement: another merchant's order, and one placed this month.
    order_on_terms(w, [(w.sku_b, 1, 1300)], placed_at=at(w.month, 5), merchant=w.merchant_b)
    order_on_terms(w, [(w.sku_a, 1, 1300)], placed_at=timezone.now())

    statement = actions.issue_statement(
        merchant=w.merchant_a, company_id=w.company.pk, month=w.month + datetime.timedelta(days=9)
    )

    assert statement.month == w.month
    assert statement.state == Statement.State.ISSUED
    assert statement.opening_balance == 310_000 - 100_000
    assert statement.orders_total == 620_000 + 9_100 + 310_000
    assert statement.payments_total == 200_000
    assert statement.credits_total == 50_000
    assert statement.closing_balance == 210_000 + 939_100 - 200_000 - 50_000 == 899_100
    assert statement.due_on == next_month(w.month) - datetime.timedelta(
        days=1
    ) + datetime.timedelta(days=30)


def test_the_opening_balance_is_the_previous_statements_closing(w, toner):
    earlier = previous_month(w.month)
    order_on_terms(w, [(w.sku_a, 1, 1300)], placed_at=at(earlier, 3))
    Statement.objects.create(
        company=w.company, merchant=w.merchant_a, month=earlier, closing_balance=123_456
    )
    statement = actions.issue_statement(
        merchant=w.merchant_a, company_id=w.company.pk, month=w.month
    )
    assert statement.opening_balance == 123_456
    assert statement.closing_balance == 123_456


def test_a_month_is_issued_once(w):
    actions.issue_statement(merchant=w.merchant_a, company_id=w.company.pk, month=w.month)
    assert (
        code(
            lambda: actions.issue_statement(
                merchant=w.merchant_a, company_id=w.company.pk, month=w.month
            )
        )
        == "statement_exists"
    )
    assert len(statements_of(w)) == 1


@pytest.mark.parametrize("month", ["this", "next"])
def test_a_month_not_ended_is_refused(w, month):
    today = timezone.localdate()
    day = today if month == "this" else next_month(today)
    assert (
        code(
            lambda: actions.issue_statement(
                merchant=w.merchant_a, company_id=w.company.pk, month=day
            )
        )
        == "statement_month_not_closed"
    )
    assert statements_of(w) == []


def test_only_a_merchant_with_terms_for_the_company_issues(w):
    assert (
        code(
            lambda: actions.issue_statement(
                merchant=w.merchant_b, company_id=w.company.pk, month=w.month
            )
        )
        == "statement_no_terms"
    )
    assert (
        code(
            lambda: actions.issue_statement(
                merchant=w.finance, company_id=w.company.pk, month=w.month
            )
        )
        == "statement_not_merchant"
    )
    assert statements_of(w) == []


def test_the_sweep_issues_last_months_statements_once_for_pairs_with_orders(w, make_user):
    order_on_terms(w, [(w.sku_a, 1, 1300)], placed_at=at(w.month, 4))
    other_admin = make_user("li")
    other = make_company(other_admin, name="北京纸业", code=valid_uscc(7))
    PaymentTerms.objects.create(merchant=w.merchant_a, company=other, credit_limit=10**9)
    order_on_terms(w, [(w.sku_a, 2, 1300)], placed_at=at(w.month, 8), company=other)
    # No order on terms last month: no statement for merchant B.
    PaymentTerms.objects.create(merchant=w.merchant_b, company=w.company, credit_limit=10**9)

    assert actions.issue_due_statements() == 2
    assert actions.issue_due_statements() == 0
    issued = Statement.objects.order_by("company_id")
    assert [(s.company_id, s.merchant_id, s.month, s.orders_total) for s in issued] == [
        (w.company.pk, w.merchant_a.pk, w.month, 310_000),
        (other.pk, w.merchant_a.pk, w.month, 620_000),
    ]


@pytest.fixture
def issued(w, toner):
    month_of_activity(w, toner)
    return actions.issue_statement(merchant=w.merchant_a, company_id=w.company.pk, month=w.month)


def line_ids(statement):
    return list(month_lines(statement).order_by("id").values_list("id", flat=True))


def test_finance_confirms_and_confirmed_is_final(w, issued):
    statement = actions.confirm_statement(
        user=w.finance, company_id=w.company.pk, statement_id=issued.pk
    )
    issued.refresh_from_db()
    assert (issued.state, issued.confirmed_by_id) == (Statement.State.CONFIRMED, w.finance.pk)
    assert statement.confirmed_at is not None
    assert (
        code(
            lambda: actions.confirm_statement(
                user=w.finance, company_id=w.company.pk, statement_id=issued.pk
            )
        )
        == "statement_invalid_state"
    )
    assert (
        code(
            lambda: actions.dispute_lines(
                user=w.finance,
                company_id=w.company.pk,
                statement_id=issued.pk,
                lines=[DisputedLine(line_ids(issued)[0], "Wrong price")],
            )
        )
        == "statement_invalid_state"
    )


def test_who_may_not_confirm(w, issued, make_user):
    stranger = make_user("li")
    other = make_company(stranger, name="Beijing Paper Works", code=valid_uscc(9))
    for user, expected in (
        (w.buyer, "role_required"),
        (w.viewer, "role_required"),
        (w.admin, "role_required"),
        (stranger, "not_a_member"),
    ):
        assert (
            code(
                lambda user=user: actions.confirm_statement(
                    user=user, company_id=w.company.pk, statement_id=issued.pk
                )
            )
            == expected
        )
    # Another company's finance cannot reach it through their own company either.
    assert (
        code(
            lambda: actions.confirm_statement(
                user=stranger,
                company_id=other.pk,
                statement_id=issued.pk,
            )
        )
        == "statement_not_found"
    )
    issued.refresh_from_db()
    assert issued.state == Statement.State.ISSUED


def test_finance_disputes_lines_with_a_reason_each(w, issued):
    first, second, _third = line_ids(issued)
    disputes = actions.dispute_lines(
        user=w.finance,
        company_id=w.company.pk,
        statement_id=issued.pk,
        lines=[DisputedLine(first, "单价与合同不符"), DisputedLine(second, " Not delivered ")],
    )
    issued.refresh_from_db()
    assert issued.state == Statement.State.DISPUTED
    assert [(d.order_line_id, d.reason, d.state) for d in disputes] == [
        (first, "单价与合同不符", "open"),
        (second, "Not delivered", "open"),
    ]
    assert (
        code(
            lambda: actions.dispute_lines(
                user=w.finance,
                company_id=w.company.pk,
                statement_id=issued.pk,
                lines=[DisputedLine(first, "Again")],
            )
        )
        == "dispute_already_open"
    )
    assert StatementDispute.objects.count() == 2


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [("first", "")],
        [("first", "x" * 1001)],
        [("first", "Wrong"), ("first", "Twice")],
        [("outside", "Another merchant's line")],
        [(0, "No line")],
    ],
)
def test_bad_disputes_write_nothing(w, issued, lines):
    outside = order_on_terms(
        w, [(w.sku_b, 1, 1300)], placed_at=at(w.month, 5), merchant=w.merchant_b
    ).lines.get()
    ids = {"first": line_ids(issued)[0], "outside": outside.pk, 0: 0}
    assert (
        code(
            lambda: actions.dispute_lines(
                user=w.finance,
                company_id=w.company.pk,
                statement_id=issued.pk,
                lines=[DisputedLine(ids[key], reason) for key, reason in lines],
            )
        )
        == "dispute_invalid"
    )
    issued.refresh_from_db()
    assert issued.state == Statement.State.ISSUED
    assert StatementDispute.objects.count() == 0


def test_a_buyer_may_not_dispute(w, issued):
    assert (
        code(
            lambda: actions.dispute_lines(
                user=w.buyer,
                company_id=w.company.pk,
                statement_id=issued.pk,
                lines=[DisputedLine(line_ids(issued)[0], "Wrong")],
            )
        )
        == "role_required"
    )
    assert StatementDispute.objects.count() == 0


def test_the_last_answer_issues_the_statement_again_with_fresh_figures(w, issued):
    first, second, third = line_ids(issued)
    one, two = actions.dispute_lines(
        user=w.finance,
        company_id=w.company.pk,
        statement_id=issued.pk,
        lines=[DisputedLine(first, "Wrong price"), DisputedLine(third, "Never arrived")],
    )
    actions.answer_dispute(merchant=w.merchant_a, dispute_id=one.pk, answer="Contract price 2026")
    issued.refresh_from_db()
    assert issued.state == Statement.State.DISPUTED

    # The merchant credits the order that never arrived, then answers.
    order = month_lines(issued).get(pk=third).order
    credit(order, 310_000, closed_at=at(w.month, 28))
    answered = actions.answer_dispute(
        merchant=w.merchant_a, dispute_id=two.pk, answer="Credited in full"
    )
    assert (answered.state, answered.answer, answered.answered_by_id) == (
        "answered",
        "Credited in full",
        w.merchant_a.pk,
    )
    issued.refresh_from_db()
    assert issued.state == Statement.State.ISSUED
    assert issued.credits_total == 50_000 + 310_000
    assert issued.closing_balance == 899_100 - 310_000
    assert (
        code(
            lambda: actions.answer_dispute(merchant=w.merchant_a, dispute_id=two.pk, answer="Again")
        )
        == "dispute_answered"
    )
    actions.confirm_statement(user=w.finance, company_id=w.company.pk, statement_id=issued.pk)


def test_who_may_not_answer_and_bad_answers(w, issued):
    (dispute,) = actions.dispute_lines(
        user=w.finance,
        company_id=w.company.pk,
        statement_id=issued.pk,
        lines=[DisputedLine(line_ids(issued)[0], "Wrong price")],
    )
    assert (
        code(
            lambda: actions.answer_dispute(
                merchant=w.merchant_b, dispute_id=dispute.pk, answer="No"
            )
        )
        == "dispute_not_found"
    )
    assert (
        code(lambda: actions.answer_dispute(merchant=w.finance, dispute_id=dispute.pk, answer="No"))
        == "statement_not_merchant"
    )
    for answer in ("", "   ", "x" * 1001):
        assert (
            code(
                lambda answer=answer: actions.answer_dispute(
                    merchant=w.merchant_a, dispute_id=dispute.pk, answer=answer
                )
            )
            == "dispute_answer_invalid"
        )
    dispute.refresh_from_db()
    issued.refresh_from_db()
    assert (dispute.state, dispute.answer, issued.state) == ("open", "", "disputed")
    assert (
        code(
            lambda: actions.confirm_statement(
                user=w.finance, company_id=w.company.pk, statement_id=issued.pk
            )
        )
        == "statement_invalid_state"
    )
