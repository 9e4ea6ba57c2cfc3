"""Reads of monthly statements (对账单): who may see one, its totals as SQL aggregates, its
lines a page at a time, the payments and credit notes of its month.

A statement's month holds the orders **placed on terms** in it (their creation time in the
site's time zone), the company's payments on terms made in it, and the credit notes of the
on-terms orders cancelled or refunded in it (the receivable's credited amount, dated by the
order's closing). Opening balance: the previous month's statement's closing balance, or,
without one, everything ordered on terms before the month less what was paid and credited
before it. The statement is due ``net_days`` of the pair's terms after the month's last day.

A company's finance members, administrators and viewers read its statements; a merchant reads
those it issued. Anyone else is told the statement does not exist.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from infoconnect.core.errors import DomainError
from infoconnect.core.ids import is_id
from infoconnect.invoicing.selectors import invoice_numbers_for_orders
from infoconnect.invoicing.vat import split
from infoconnect.procurement import selectors
from infoconnect.procurement.errors import ProcurementError, StatementError
from infoconnect.procurement.models import (
    Membership,
    PaymentTerms,
    Receivable,
    Role,
    Statement,
    StatementDispute,
    TermsPayment,
)
from infoconnect.shop.models import Order, OrderLine

if TYPE_CHECKING:
    from infoconnect.accounts.models import User

# The roles that read a company's statements (finance also confirms and disputes them).
READER_ROLES = (Role.FINANCE, Role.ADMIN, Role.VIEWER)
LINES_PAGE = 200


# --- months ---------------------------------------------------------------------------------


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The month's first instant and the next month's, in the site's time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(month, datetime.time.min, tzinfo=zone)
    return start, datetime.datetime.combine(next_month(month), datetime.time.min, tzinfo=zone)


def last_closed_month(today: datetime.date | None = None) -> datetime.date:
    return previous_month(today or timezone.localdate())


def due_date(month: datetime.date, net_days: int) -> datetime.date:
    return next_month(month) - datetime.timedelta(days=1) + datetime.timedelta(days=net_days)


# --- totals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    opening_balance: int
    orders_total: int
    payments_total: int
    credits_total: int

    @property
    def closing_balance(self) -> int:
        return self.opening_balance + self.orders_total - self.payments_total - self.credits_total


def pair_lines(company_id: int, merchant_id: int) -> QuerySet[OrderLine]:
    return OrderLine.objects.filter(
        order__company_id=company_id, order__merchant_id=merchant_id, order__on_terms=True
    )


def _ordered(company_id: int, merchant_id: int, when: Q) -> int:
    total = (
        pair_lines(company_id, merchant_id)
        .filter(when)
        .aggregate(total=Sum(F("unit_price") * F("quantity")))["total"]
    )
    return int(total or 0)


def _paid(company_id: int, merchant_id: int, when: Q) -> int:
    total = TermsPayment.objects.filter(when, company_id=company_id, merchant_id=merchant_id)
    return int(total.aggregate(total=Sum("amount"))["total"] or 0)


def _credited(company_id: int, merchant_id: int, when: Q) -> int:
    total = Receivable.objects.filter(
        when, company_id=company_id, merchant_id=merchant_id, credited__gt=0
    ).aggregate(total=Sum("credited"))["total"]
    return int(total or 0)


def month_totals(*, company_id: int, merchant_id: int, month: datetime.date) -> Totals:
    """The month's four figures, each one aggregate query (two more for an opening balance
    without a previous statement)."""
    start, end = month_bounds(month)
    previous = (
        Statement.objects.filter(
            company_id=company_id, merchant_id=merchant_id, month=previous_month(month)
        )
        .values_list("closing_balance", flat=True)
        .first()
    )
    if previous is None:
        previous = (
            _ordered(company_id, merchant_id, Q(order__created_at__lt=start))
            - _paid(company_id, merchant_id, Q(created_at__lt=start))
            - _credited(company_id, merchant_id, Q(order__closed_at__lt=start))
        )
    return Totals(
        opening_balance=previous,
        orders_total=_ordered(
            company_id, merchant_id, Q(order__created_at__gte=start, order__created_at__lt=end)
        ),
        payments_total=_paid(company_id, merchant_id, Q(created_at__gte=start, created_at__lt=end)),
        credits_total=_credited(
            company_id, merchant_id, Q(order__closed_at__gte=start, order__closed_at__lt=end)
        ),
    )


def pairs_with_orders_on_terms(month: datetime.date) -> list[tuple[int, int]]:
    """(company id, merchant id) of every pair with an order placed on terms in the month."""
    start, end = month_bounds(month)
    return list(
        Order.objects.filter(
            on_terms=True, company_id__isnull=False, created_at__gte=start, created_at__lt=end
        )
        .values_list("company_id", "merchant_id")
        .distinct()
        .order_by("company_id", "merchant_id")
    )


def terms_of(*, company_id: int, merchant_id: int) -> PaymentTerms | None:
    return PaymentTerms.objects.filter(company_id=company_id, merchant_id=merchant_id).first()


def open_to_pay(statement: Statement) -> int:
    """What is still owed on the orders of the statement's month: what paying the statement
    from the company wallet pays."""
    start, end = month_bounds(statement.month)
    total = Receivable.objects.filter(
        company_id=statement.company_id,
        merchant_id=statement.merchant_id,
        order__created_at__gte=start,
        order__created_at__lt=end,
    ).aggregate(total=Sum(F("amount") - F("credited") - F("paid")))["total"]
    return int(total or 0)


# --- who may see which statement ------------------------------------------------------------


def reader_membership(*, user: User, company_id: object) -> Membership:
    """The user's membership if it may read the company's statements (else 404 / 403)."""
    membership = selectors.require_member(user=user, company_id=company_id)
    if not any(selectors.holds_role(membership, role) for role in READER_ROLES):
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    return membership


def company_statements(*, membership: Membership) -> list[Statement]:
    return list(
        Statement.objects.filter(company_id=membership.company_id).select_related("merchant")
    )


def company_statement(*, membership: Membership, statement_id: object) -> Statement:
    return _one(_related(Statement.objects.filter(company_id=membership.company_id)), statement_id)


def merchant_statements(*, merchant: User) -> list[Statement]:
    return list(Statement.objects.filter(merchant_id=merchant.pk).select_related("company"))


def merchant_statement(*, merchant: User, statement_id: object, lock: bool = False) -> Statement:
    found = Statement.objects.filter(merchant_id=merchant.pk)
    # Locked, the row alone: PostgreSQL locks no nullable side of an outer join.
    return _one(found.select_for_update() if lock else _related(found), statement_id)


def _related(statements: QuerySet[Statement]) -> QuerySet[Statement]:
    return statements.select_related("company", "merchant", "merchant__merchant_profile")


def _one(statements: QuerySet[Statement], statement_id: object) -> Statement:
    statement = statements.filter(pk=statement_id).first() if is_id(statement_id) else None
    if statement is None:
        raise DomainError(StatementError.STATEMENT_NOT_FOUND)
    return statement


# --- what a statement shows -----------------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    id: int
    order_id: int
    placed_at: datetime.datetime
    po_number: str
    requester: str
    department: str
    sku_id: int | None
    item: str
    quantity: int
    unit_price: int
    amount: int
    net: int
    tax_rate: int
    tax: int
    invoice_number: str  # "" when not invoiced

    @property
    def rate_percent(self) -> str:
        return f"{self.tax_rate / 100:g}%"

    @property
    def invoice_label(self) -> str:
        return self.invoice_number or _("not invoiced")


def month_lines(statement: Statement) -> QuerySet[OrderLine]:
    start, end = month_bounds(statement.month)
    return pair_lines(statement.company_id, statement.merchant_id).filter(
        order__created_at__gte=start, order__created_at__lt=end
    )


LINE_FIELDS = (
    "id", "order_id", "order__created_at", "order__po_number", "order__buyer__display_name",
    "order__buyer__username", "order__department_name", "order__completed_at", "sku_id", "title",
    "attributes", "quantity", "unit_price", "tax_rate",
)  # fmt: skip


def statement_lines(
    statement: Statement, *, after: int = 0, limit: int | None = LINES_PAGE
) -> list[StatementLine]:
    """The month's order lines after line id ``after``, oldest first (keyset pages)."""
    rows = month_lines(statement).filter(id__gt=after).order_by("id").values(*LINE_FIELDS)
    rows = list(rows[:limit] if limit else rows)
    numbers = invoice_numbers(statement, rows)
    return [_line(row, numbers.get(row["order_id"], "")) for row in rows]


def all_statement_lines(statement: Statement, *, chunk: int = 2000) -> Iterator[StatementLine]:
    """Every line of the month, a chunk of queries at a time (CSV and PDF)."""
    after = 0
    while lines := statement_lines(statement, after=after, limit=chunk):
        yield from lines
        after = lines[-1].id


def _line(row: dict, invoice_number: str) -> StatementLine:
    amount = row["unit_price"] * row["quantity"]
    net, tax = split(amount, row["tax_rate"])
    label = ", ".join(f"{k}: {v}" for k, v in sorted((row["attributes"] or {}).items()))
    return StatementLine(
        id=row["id"],
        order_id=row["order_id"],
        placed_at=row["order__created_at"],
        po_number=row["order__po_number"],
        requester=row["order__buyer__display_name"] or row["order__buyer__username"],
        department=row["order__department_name"],
        sku_id=row["sku_id"],
        item=f"{row['title']} ({label})" if label else row["title"],
        quantity=row["quantity"],
        unit_price=row["unit_price"],
        amount=amount,
        net=net,
        tax_rate=row["tax_rate"],
        tax=tax,
        invoice_number=invoice_number,
    )


def invoice_numbers(statement: Statement, rows: list[dict]) -> dict[int, str]:
    """Order id -> the number of its latest issued blue invoice (per order or merged)."""
    return invoice_numbers_for_orders(sorted({row["order_id"] for row in rows}))


@dataclass(frozen=True)
class CreditNote:
    order_id: int
    closed_at: datetime.datetime
    amount: int

    @property
    def reference(self) -> str:
        return f"CN-{self.order_id}"


def statement_payments(statement: Statement) -> list[TermsPayment]:
    start, end = month_bounds(statement.month)
    return list(
        TermsPayment.objects.filter(
            company_id=statement.company_id,
            merchant_id=statement.merchant_id,
            created_at__gte=start,
            created_at__lt=end,
        )
        .select_related("paid_by")
        .order_by("created_at", "id")
    )


def statement_credits(statement: Statement) -> list[CreditNote]:
    start, end = month_bounds(statement.month)
    rows = (
        Receivable.objects.filter(
            company_id=statement.company_id,
            merchant_id=statement.merchant_id,
            credited__gt=0,
            order__closed_at__gte=start,
            order__closed_at__lt=end,
        )
        .order_by("order__closed_at", "order_id")
        .values_list("order_id", "order__closed_at", "credited")
    )
    return [CreditNote(order_id, closed_at, amount) for order_id, closed_at, amount in rows]


def statement_disputes(statement: Statement) -> list[StatementDispute]:
    return list(statement.disputes.select_related("raised_by", "answered_by").order_by("id"))


def open_disputed_line_ids(statement: Statement) -> set[int]:
    return set(
        statement.disputes.filter(state=StatementDispute.State.OPEN).values_list(
            "order_line_id", flat=True
        )
    )


def line_orders(statement: Statement, line_ids: list[int]) -> dict[int, int]:
    """Of ``line_ids``, those on the statement: line id -> its order id."""
    return dict(month_lines(statement).filter(id__in=line_ids).values_list("id", "order_id"))


def seller_name(merchant: User) -> str:
    profile = getattr(merchant, "merchant_profile", None)
    return profile.company_name if profile else merchant.name
