"""What the operator sees first in the admin: the queues waiting for them, and the platform's
revenue today and over the last 30 days (China time). One read, a fixed number of queries."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from infoconnect.accounts.selectors import pending_merchant_applications
from infoconnect.core.money import DEFAULT_CURRENCY
from infoconnect.messaging.models import Campaign, Enrolment
from infoconnect.procurement.models import Company
from infoconnect.shop.models import Order, RefundRequest
from infoconnect.wallet.models import PLATFORM, AccountKind, HeldTransfer, LedgerEntry
from infoconnect.wallet.topup_limits import SITE_ZONE, site_day

DAYS = 30


@dataclass(frozen=True)
class DayRevenue:
    """One China-time day, in fen: what buyers paid for orders (GMV), and what the platform
    earned from it (commission) and from merchants' campaigns (messaging)."""

    day: date
    starts_at: datetime
    ends_at: datetime
    gmv: int
    commission: int
    messaging: int


@dataclass(frozen=True)
class OperatorDashboard:
    currency: str
    merchants_pending: int  # applications awaiting verification
    companies_pending: int  # registrations awaiting verification
    refunds_disputed: int  # refund disputes a side escalated to the platform
    transfers_held: int  # bank transfers that matched nothing, for the operator to resolve
    # Spam reports are bits on a campaign message's receipts, counted on the campaign (there is
    # no report row): the campaigns reported in the window, their reports, and the merchants the
    # threshold suspended from the messaging programme, awaiting review.
    campaigns_reported: int
    spam_reports: int
    merchants_suspended: int
    since: datetime  # the window's first instant: midnight, China time, DAYS - 1 days ago
    days: tuple[DayRevenue, ...]  # oldest first; the last is today

    @property
    def today(self) -> DayRevenue:
        return self.days[-1]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SITE_ZONE)


def operator_dashboard(
    *, now: datetime | None = None, currency: str = DEFAULT_CURRENCY
) -> OperatorDashboard:
    since = window_start(now)
    first = since.date()
    china_day = TruncDate("created_at", tzinfo=SITE_ZONE)

    gmv = dict(
        Order.objects.filter(paid_at__gte=since, currency=currency)
        .annotate(day=TruncDate("paid_at", tzinfo=SITE_ZONE))
        .values("day")
        .annotate(total=Sum("total"))
        .values_list("day", "total")
    )
    revenue: dict[tuple[str, date], int] = {
        (kind, day): total
        for kind, day, total in LedgerEntry.objects.filter(
            account__owner_id=PLATFORM,
            account__kind__in=[AccountKind.COMMISSION_REVENUE, AccountKind.MESSAGING_REVENUE],
            account__currency=currency,
            created_at__gte=since,
        )
        .annotate(day=china_day)
        .values("account__kind", "day")
        .annotate(total=Sum("amount"))
        .values_list("account__kind", "day", "total")
    }
    reported = Campaign.objects.filter(created_at__gte=since, reported__gt=0).aggregate(
        campaigns=Count("pk"), reports=Sum("reported")
    )
    days = []
    for offset in range(DAYS):
        day = first + timedelta(days=offset)
        days.append(
            DayRevenue(
                day=day,
                starts_at=_midnight(day),
                ends_at=_midnight(day + timedelta(days=1)),
                gmv=int(gmv.get(day) or 0),
                commission=int(revenue.get((AccountKind.COMMISSION_REVENUE, day)) or 0),
                messaging=int(revenue.get((AccountKind.MESSAGING_REVENUE, day)) or 0),
            )
        )
    return OperatorDashboard(
        currency=currency,
        merchants_pending=pending_merchant_applications().count(),
        companies_pending=Company.objects.filter(status=Company.Status.PENDING).count(),
        refunds_disputed=RefundRequest.objects.filter(state=RefundRequest.State.DISPUTED).count(),
        transfers_held=HeldTransfer.objects.filter(status=HeldTransfer.Status.HELD).count(),
        campaigns_reported=reported["campaigns"],
        spam_reports=int(reported["reports"] or 0),
        merchants_suspended=Enrolment.objects.filter(status=Enrolment.Status.SUSPENDED).count(),
        since=since,
        days=tuple(days),
    )


def window_start(now: datetime | None = None) -> datetime:
    """The window's first instant: midnight, China time, DAYS - 1 days before today. A list
    filter showing the rows a number counts starts there too."""
    return _midnight(site_day(now) - timedelta(days=DAYS - 1))
