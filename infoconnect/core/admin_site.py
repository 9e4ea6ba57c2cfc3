"""The operator's admin: Django's, opening on a dashboard of what waits for the operator and what
the platform earned, each number a link to the filtered list it counts."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from infoconnect.core.dashboard import DAYS, DayRevenue, OperatorDashboard, operator_dashboard
from infoconnect.core.money import format_money
from infoconnect.wallet.models import AccountKind

# The chart's geometry, in SVG user units: one bar a day, side by side.
BAR_WIDTH = 12
BAR_GAP = 4
CHART_HEIGHT = 80


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    url: str
    id: str


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    height: int
    title: str
    url: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    total: str
    bars: tuple[Bar, ...]


def _changelist(model: str, **filters) -> str:
    url = reverse(f"admin:{model.replace('.', '_')}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _between(field: str, day: DayRevenue) -> dict[str, str]:
    return {f"{field}__gte": day.starts_at.isoformat(), f"{field}__lt": day.ends_at.isoformat()}


def _day_url(series: str, day: DayRevenue) -> str:
    if series == "gmv":
        return _changelist("shop.order", **_between("paid_at", day))
    kind = (
        AccountKind.COMMISSION_REVENUE if series == "commission" else AccountKind.MESSAGING_REVENUE
    )
    return _changelist(
        "wallet.ledgerentry", account__kind__exact=kind, **_between("created_at", day)
    )


def _chart(series: str, title: str, dashboard: OperatorDashboard) -> Chart:
    amounts = [getattr(day, series) for day in dashboard.days]
    top = max(max(amounts), 1)
    bars = []
    for position, (day, amount) in enumerate(zip(dashboard.days, amounts, strict=True)):
        # A day with any revenue shows at least a sliver; a day with none, nothing.
        height = max(round(CHART_HEIGHT * max(amount, 0) / top), 1 if amount > 0 else 0)
        bars.append(
            Bar(
                x=position * (BAR_WIDTH + BAR_GAP),
                y=CHART_HEIGHT - height,
                height=height,
                title=f"{day.day.isoformat()}: {format_money(amount, dashboard.currency)}",
                url=_day_url(series, day),
            )
        )
    return Chart(
        id=f"chart-{series}",
        title=str(title),
        total=format_money(sum(amounts), dashboard.currency),
        bars=tuple(bars),
    )


def _allowed(request: HttpRequest, model: str) -> bool:
    app_label, name = model.split(".")
    return request.user.has_perm(f"{app_label}.view_{name}")


def dashboard_context(request: HttpRequest, *, now: datetime | None = None) -> dict:
    """The dashboard's tiles and charts, each a link to the admin list it counts; a member of
    staff sees those of the lists they may view."""
    dashboard = operator_dashboard(now=now)
    today = dashboard.today
    money = dashboard.currency
    queues = [
        # (the list it counts, what it counts, how many, the list's filters, the tile's id)
        (
            "accounts.merchantprofile",
            _("Merchants waiting for verification"),
            dashboard.merchants_pending,
            {"status__exact": "pending"},
            "merchants-pending",
        ),
        (
            "procurement.company",
            _("Companies waiting for verification"),
            dashboard.companies_pending,
            {"status__exact": "pending"},
            "companies-pending",
        ),
        (
            "shop.refundrequest",
            _("Refund disputes to decide"),
            dashboard.refunds_disputed,
            {"state__exact": "disputed"},
            "refunds-disputed",
        ),
        (
            "wallet.heldtransfer",
            _("Bank transfers held for the operator"),
            dashboard.transfers_held,
            {"status__exact": "held"},
            "transfers-held",
        ),
        (
            "messaging.enrolment",
            _("Merchants suspended by spam reports, to review"),
            dashboard.merchants_suspended,
            {"status__exact": "suspended"},
            "merchants-suspended",
        ),
        (
            "messaging.campaign",
            _("Spam reports on campaigns, last 30 days"),
            dashboard.spam_reports,
            {"spam_reports": "recent"},
            "spam-reports",
        ),
    ]
    revenue = [
        (
            "shop.order",
            _("GMV today"),
            today.gmv,
            _between("paid_at", today),
            "gmv-today",
        ),
        (
            "wallet.ledgerentry",
            _("Commission today"),
            today.commission,
            {
                "account__kind__exact": AccountKind.COMMISSION_REVENUE,
                **_between("created_at", today),
            },
            "commission-today",
        ),
        (
            "wallet.ledgerentry",
            _("Messaging revenue today"),
            today.messaging,
            {
                "account__kind__exact": AccountKind.MESSAGING_REVENUE,
                **_between("created_at", today),
            },
            "messaging-today",
        ),
    ]
    can_see_ledger = _allowed(request, "wallet.ledgerentry")
    charts = [
        chart
        for chart, allowed in (
            (_chart("gmv", _("GMV"), dashboard), _allowed(request, "shop.order")),
            (_chart("commission", _("Commission"), dashboard), can_see_ledger),
            (_chart("messaging", _("Messaging revenue"), dashboard), can_see_ledger),
        )
        if allowed
    ]
    return {
        "queues": [
            Tile(label=str(label), value=str(count), url=_changelist(model, **filters), id=id_)
            for model, label, count, filters, id_ in queues
            if _allowed(request, model)
        ],
        "revenue": [
            Tile(
                label=str(label),
                value=format_money(amount, money),
                url=_changelist(model, **filters),
                id=id_,
            )
            for model, label, amount, filters, id_ in revenue
            if _allowed(request, model)
        ],
        "charts": charts,
        "chart_days": DAYS,
        "chart_width": DAYS * (BAR_WIDTH + BAR_GAP) - BAR_GAP,
        "chart_height": CHART_HEIGHT,
        "bar_width": BAR_WIDTH,
    }


class OperatorAdminSite(admin.AdminSite):
    site_header = _("InfoConnect operations")
    site_title = _("InfoConnect operations")
    index_title = _("Operator dashboard")
    index_template = "admin/operator_index.html"

    def index(self, request, extra_context=None):
        context = {**dashboard_context(request), **(extra_context or {})}
        return super().index(request, extra_context=context)
