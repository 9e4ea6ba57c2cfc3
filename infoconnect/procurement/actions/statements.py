"""Monthly statements (对账单): the merchant issues a closed month's statement to a company it
gives terms to (and the statement sweep issues last month's for every pair with orders on
terms, once: the month's unique constraint decides); the company's finance members confirm it
or dispute lines with a reason each; the merchant answers each dispute, and once none is
open the statement is issued again, its totals computed afresh.

What a statement counts is described in ``statement_reads``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.core.ids import is_id
from infoconnect.procurement import selectors, statement_reads
from infoconnect.procurement.errors import ProcurementError, StatementError
from infoconnect.procurement.lifecycle import statement_disputes, statements
from infoconnect.procurement.models import Role, Statement, StatementDispute

if TYPE_CHECKING:
    from infoconnect.accounts.models import User

REASON_MAX = 1000
MAX_DISPUTED_LINES = 200


def _figures(company_id: int, merchant_id: int, month: datetime.date) -> dict:
    totals = statement_reads.month_totals(
        company_id=company_id, merchant_id=merchant_id, month=month
    )
    terms = statement_reads.terms_of(company_id=company_id, merchant_id=merchant_id)
    return {
        "opening_balance": totals.opening_balance,
        "orders_total": totals.orders_total,
        "payments_total": totals.payments_total,
        "credits_total": totals.credits_total,
        "closing_balance": totals.closing_balance,
        "due_on": statement_reads.due_date(month, terms.net_days) if terms else None,
    }


def _issue(company_id: int, merchant_id: int, month: datetime.date, now: datetime.datetime):
    # A savepoint: the unique month constraint refuses a second statement without spoiling
    # the caller's transaction.
    with transaction.atomic():
        return statements.create(
            company_id=company_id,
            merchant_id=merchant_id,
            month=month,
            issued_at=now,
            **_figures(company_id, merchant_id, month),
        )


@transaction.atomic
def issue_statement(
    *,
    merchant: User,
    company_id: int,
    month: datetime.date,
    now: datetime.datetime | None = None,
) -> Statement:
    """The merchant's statement to the company for ``month`` (any day of it), once it ended."""
    if not merchant.is_authenticated or not merchant.is_merchant:
        raise DomainError(StatementError.NOT_MERCHANT)
    if not isinstance(month, datetime.date) or not is_id(company_id):
        raise DomainError(StatementError.MONTH_NOT_CLOSED)
    now = now or timezone.now()
    month = statement_reads.first_of_month(month)
    if month > statement_reads.last_closed_month(timezone.localdate(now)):
        raise DomainError(StatementError.MONTH_NOT_CLOSED)
    if statement_reads.terms_of(company_id=company_id, merchant_id=merchant.pk) is None:
        raise DomainError(StatementError.NO_TERMS)
    try:
        return _issue(company_id, merchant.pk, month, now)
    except IntegrityError:
        raise DomainError(StatementError.STATEMENT_EXISTS) from None


def issue_due_statements(*, now: datetime.datetime | None = None) -> int:
    """Last month's statement for every pair that ordered on terms in it and has none yet;
    safe to run any day and twice at once (each statement in its own transaction)."""
    now = now or timezone.now()
    month = statement_reads.last_closed_month(timezone.localdate(now))
    issued = 0
    for company_id, merchant_id in statement_reads.pairs_with_orders_on_terms(month):
        if Statement.objects.filter(
            company_id=company_id, merchant_id=merchant_id, month=month
        ).exists():
            continue
        try:
            with transaction.atomic():
                _issue(company_id, merchant_id, month, now)
        except IntegrityError:
            continue  # another sweep issued it first
        issued += 1
    return issued


def _finance_statement(user: User, company_id: object, statement_id: object) -> Statement:
    membership = selectors.require_member(user=user, company_id=company_id)
    statement = statement_reads.company_statement(membership=membership, statement_id=statement_id)
    if not selectors.holds_role(membership, Role.FINANCE):
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    return statement


@transaction.atomic
def confirm_statement(*, user: User, company_id: int, statement_id: int) -> Statement:
    """Finance agrees with the statement; confirmed is final."""
    statement = _finance_statement(user, company_id, statement_id)
    now = timezone.now()
    statements.move(statement, "confirm", confirmed_at=now, confirmed_by=user, now=now)
    return statement


@dataclass(frozen=True)
class DisputedLine:
    order_line_id: int
    reason: str


@transaction.atomic
def dispute_lines(
    *, user: User, company_id: int, statement_id: int, lines: list[DisputedLine]
) -> list[StatementDispute]:
    """Finance disputes lines of the statement, a reason each; the statement is disputed until
    the merchant has answered them all."""
    statement = _finance_statement(user, company_id, statement_id)
    if not 0 < len(lines) <= MAX_DISPUTED_LINES:
        raise DomainError(StatementError.DISPUTE_INVALID)
    ids = [line.order_line_id for line in lines]
    reasons = [(line.reason or "").strip() for line in lines]
    if (
        not all(is_id(line_id) for line_id in ids)
        or len(set(ids)) != len(ids)
        or not all(0 < len(reason) <= REASON_MAX for reason in reasons)
    ):
        raise DomainError(StatementError.DISPUTE_INVALID)
    orders = statement_reads.line_orders(statement, ids)
    if len(orders) != len(ids):
        raise DomainError(StatementError.DISPUTE_INVALID)
    now = timezone.now()
    # The move first: it locks the row, so a second finance member's disputes wait here and
    # then see these as open.
    statements.move(statement, "dispute", now=now)
    if statement_reads.open_disputed_line_ids(statement) & set(ids):
        raise DomainError(StatementError.DISPUTE_OPEN)
    return statement_disputes.create_all(
        [
            StatementDispute(
                statement=statement,
                order_id=orders[line_id],
                order_line_id=line_id,
                reason=reason,
                raised_by=user,
                created_at=now,
            )
            for line_id, reason in zip(ids, reasons, strict=True)
        ]
    )


@transaction.atomic
def answer_dispute(*, merchant: User, dispute_id: int, answer: str) -> StatementDispute:
    """The merchant answers one open dispute of its statement; the last answer issues the
    statement again, its figures computed afresh (a credit note since shows in them)."""
    if not merchant.is_authenticated or not merchant.is_merchant:
        raise DomainError(StatementError.NOT_MERCHANT)
    statement_id = (
        StatementDispute.objects.filter(pk=dispute_id, statement__merchant_id=merchant.pk)
        .values_list("statement_id", flat=True)
        .first()
        if is_id(dispute_id)
        else None
    )
    if statement_id is None:
        raise DomainError(StatementError.DISPUTE_NOT_FOUND)
    # The statement's lock orders two answers to its last disputes: the second sees none open.
    statement = statement_reads.merchant_statement(
        merchant=merchant, statement_id=statement_id, lock=True
    )
    answer = (answer or "").strip()
    if not 0 < len(answer) <= REASON_MAX:
        raise DomainError(StatementError.ANSWER_INVALID)
    dispute = StatementDispute.objects.get(pk=dispute_id)
    now = timezone.now()
    statement_disputes.move(
        dispute, "answer", answer=answer, answered_by=merchant, answered_at=now, now=now
    )
    if not statement_reads.open_disputed_line_ids(statement):
        figures = _figures(statement.company_id, statement.merchant_id, statement.month)
        statements.move(statement, "reissue", issued_at=now, now=now, **figures)
    return dispute
