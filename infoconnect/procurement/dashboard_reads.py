"""Reads for a company's dashboard: what waits for the member's approval, their latest
requisitions, the budgets of the current month, quarter and year, and what the company spent.

Spend is the total of the company's orders placed through requisitions (paid, shipped or
completed), less what a refund or a cancel gave back (``RequisitionOrder.released``), by the
month the order was paid in Shanghai. The database adds it up at two grains: the net by month,
department and merchant, and the lines' gross by month, department, merchant and category; a
group's net is shared among its categories in proportion to their gross (largest remainder,
so the shares add up to the fen).

Who sees what: budgets of the departments the member's roles cover (a company-wide role: all);
spend of the departments an administrator, approver, finance or viewer role covers, and of the
member's own requisitions (a buyer sees only theirs).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import F, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import pgettext

from infoconnect.accounts.models import User
from infoconnect.procurement.models import (
    ApprovalStep,
    Budget,
    Membership,
    Requisition,
    RequisitionOrder,
    RoleAssignment,
)
from infoconnect.procurement.requisition_reads import OVERSEEING_ROLES, awaiting_me
from infoconnect.shop.models import Order

SPENT_STATES = (Order.State.PAID, Order.State.SHIPPED, Order.State.COMPLETED)
MONTHS = 12
LATEST = 10
PERIOD_ORDER = {Budget.Period.MONTH: 0, Budget.Period.QUARTER: 1, Budget.Period.YEAR: 2}


def requisition_path(company_id: int, requisition_id: int) -> str:
    return f"/companies/{company_id}/requisitions/{requisition_id}/"


# --- who sees what ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Visibility:
    """The departments (by materialized path) whose budgets and spend the member sees."""

    user_id: int
    budgets_everywhere: bool
    budget_paths: tuple[str, ...]
    spend_everywhere: bool
    spend_paths: tuple[str, ...]


def visibility(membership: Membership) -> Visibility:
    roles = list(
        RoleAssignment.objects.filter(membership=membership).values_list(
            "role", "department_id", "department__path"
        )
    )
    overseeing = [(d, p) for role, d, p in roles if role in OVERSEEING_ROLES]
    return Visibility(
        user_id=membership.user_id,
        budgets_everywhere=any(d is None for _role, d, _p in roles),
        budget_paths=tuple(sorted({p for _role, d, p in roles if d is not None})),
        spend_everywhere=any(d is None for d, _p in overseeing),
        spend_paths=tuple(sorted({p for d, p in overseeing if d is not None})),
    )


def _under(paths: tuple[str, ...], lookup: str) -> Q:
    """Rows whose department is in one of the subtrees ``paths``; no paths: none."""
    covered = Q(pk__in=[])
    for path in paths:
        covered |= Q(**{f"{lookup}__startswith": path})
    return covered


# --- approvals and requisitions ---------------------------------------------------------------


def pending_for(membership: Membership) -> list[Requisition]:
    """What waits for the member's decision, oldest wait first, each with ``waiting_since``
    (when its waiting step became theirs: at its start, or when it escalated or was delegated
    to them) and ``url``."""
    waiting = [ApprovalStep.State.WAITING, ApprovalStep.State.ESCALATED]
    rows = list(
        awaiting_me(membership=membership)
        .select_related("requester")
        .annotate(
            waiting_since=Min(
                "steps__assignees__added_at",
                filter=Q(steps__state__in=waiting, steps__assignees__user_id=membership.user_id),
            )
        )
        .order_by("waiting_since", "pk")
    )
    for requisition in rows:
        requisition.url = requisition_path(membership.company_id, requisition.pk)
    return rows


def my_requisitions(membership: Membership) -> list[Requisition]:
    rows = list(
        Requisition.objects.filter(
            company_id=membership.company_id, requester_id=membership.user_id
        )
        .select_related("department")
        .order_by("-created_at", "-pk")[:LATEST]
    )
    for requisition in rows:
        requisition.url = requisition_path(membership.company_id, requisition.pk)
    return rows


# --- budgets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetBar:
    budget: Budget
    used: int
    percent: int  # of the amount, at most 100 for the bar's width

    @property
    def over(self) -> bool:
        return self.used > self.budget.amount

    @property
    def last_day(self) -> date:
        """The period's last day (``ends_on`` is the day after it)."""
        return self.budget.ends_on - timedelta(days=1)


def today() -> date:
    """Today where the site keeps time (Asia/Shanghai unless configured), as the budgets'
    own movements read it (actions/budget_holds.py)."""
    return timezone.localdate()


def current_budgets(membership: Membership, seen: Visibility, on: date) -> list[BudgetBar]:
    """The budgets whose period includes ``on``, month before quarter before year, each in
    department tree order."""
    rows = Budget.objects.filter(
        company_id=membership.company_id, starts_on__lte=on, ends_on__gt=on
    ).select_related("department")
    if not seen.budgets_everywhere:
        rows = rows.filter(_under(seen.budget_paths, "department__path"))
    budgets = sorted(
        rows,
        key=lambda b: (PERIOD_ORDER.get(b.period, 9), b.department.path, b.starts_on, b.pk),
    )
    return [
        BudgetBar(
            budget=budget,
            used=budget.used,
            percent=min(100, budget.used * 100 // budget.amount),
        )
        for budget in budgets
    ]


# --- spend -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpendCell:
    month: date
    department: str
    category: str
    merchant: str
    amount: int  # fen


@dataclass
class Bar:
    label: str
    amount: int
    percent: int = 0


@dataclass
class Spend:
    cells: list[SpendCell]
    months: list[date] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(cell.amount for cell in self.cells)

    def by(self, attribute: str) -> list[Bar]:
        totals: dict[str, int] = defaultdict(int)
        for cell in self.cells:
            totals[getattr(cell, attribute)] += cell.amount
        return _scaled([Bar(label, amount) for label, amount in totals.items() if amount])

    def by_month(self) -> list[Bar]:
        totals: dict[date, int] = defaultdict(int)
        for cell in self.cells:
            totals[cell.month] += cell.amount
        return _scaled(
            [Bar(month.strftime("%Y-%m"), totals[month]) for month in self.months], sort=False
        )


def _scaled(bars: list[Bar], *, sort: bool = True) -> list[Bar]:
    if sort:
        bars.sort(key=lambda bar: (-bar.amount, bar.label))
    top = max((bar.amount for bar in bars), default=0)
    for bar in bars:
        bar.percent = bar.amount * 100 // top if top else 0
    return bars


def last_months(on: date, count: int = MONTHS) -> list[date]:
    """The first days of the ``count`` months up to ``on``'s, oldest first."""
    index = on.year * 12 + on.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def spend_orders(membership: Membership, seen: Visibility, since: datetime) -> QuerySet:
    rows = RequisitionOrder.objects.filter(
        requisition__company_id=membership.company_id,
        order__state__in=SPENT_STATES,
        order__paid_at__gte=since,
    )
    if not seen.spend_everywhere:
        rows = rows.filter(
            Q(requisition__requester_id=seen.user_id)
            | _under(seen.spend_paths, "requisition__department__path")
        )
    return rows


def _merchant_names(ids: set[int]) -> dict[int, str]:
    return {
        pk: shop or display or username
        for pk, username, display, shop in User.objects.filter(pk__in=ids).values_list(
            "pk", "username", "display_name", "merchant_profile__shop_name"
        )
    }


def _shares(net: int, gross: dict[str, int]) -> dict[str, int]:
    """``net`` shared among the categories in proportion to their gross, to the fen."""
    weight = sum(gross.values())
    if weight <= 0:
        return {next(iter(gross)): net}
    floors = {key: net * value // weight for key, value in gross.items()}
    left = net - sum(floors.values())
    by_remainder = sorted(gross, key=lambda key: (-(net * gross[key] % weight), key))
    for key in by_remainder[:left]:
        floors[key] += 1
    return floors


def spend(membership: Membership, seen: Visibility, on: date) -> Spend:
    months = last_months(on)
    since = datetime.combine(months[0], time.min, tzinfo=timezone.get_current_timezone())
    orders = spend_orders(membership, seen, since)
    month = TruncMonth("order__paid_at", tzinfo=timezone.get_current_timezone())
    nets = list(
        orders.values(
            "merchant_id",
            "requisition__department_id",
            month=month,
            department=F("requisition__department__name"),
        )
        .annotate(amount=Sum(F("total") - F("released")))
        .order_by()
    )
    grosses = list(
        orders.values(
            "merchant_id",
            "requisition__department_id",
            month=month,
            department=F("requisition__department__name"),
            category=F("order__lines__product__category__name"),
        )
        .annotate(gross=Sum(F("order__lines__unit_price") * F("order__lines__quantity")))
        .order_by()
    )
    no_department = pgettext("dashboard", "No department")
    no_category = pgettext("dashboard", "Uncategorised")
    gross_of: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in grosses:
        key = (_month_of(row["month"]), row["requisition__department_id"], row["merchant_id"])
        gross_of[key][row["category"] or no_category] += row["gross"] or 0
    names = _merchant_names({row["merchant_id"] for row in nets})
    cells = []
    for row in nets:
        key = (_month_of(row["month"]), row["requisition__department_id"], row["merchant_id"])
        shares = _shares(row["amount"], gross_of.get(key) or {no_category: 0})
        for category, amount in sorted(shares.items()):
            if amount:
                cells.append(
                    SpendCell(
                        month=key[0],
                        department=row["department"] or no_department,
                        category=category,
                        merchant=names.get(row["merchant_id"], ""),
                        amount=amount,
                    )
                )
    cells.sort(key=lambda c: (c.month, c.department, c.category, c.merchant))
    return Spend(cells=cells, months=months)


def _month_of(value: date | datetime) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


# --- the page --------------------------------------------------------------------------------


@dataclass
class Dashboard:
    membership: Membership
    pending: list[Requisition]
    mine: list[Requisition]
    budgets: list[BudgetBar]
    spend: Spend


def dashboard(membership: Membership, on: date | None = None) -> Dashboard:
    on = on or today()
    seen = visibility(membership)
    return Dashboard(
        membership=membership,
        pending=pending_for(membership),
        mine=my_requisitions(membership),
        budgets=current_budgets(membership, seen, on),
        spend=spend(membership, seen, on),
    )
