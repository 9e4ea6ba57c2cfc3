"""Per-account daily top-up limits (the operator's platform settings).

Each account (a person or merchant by its user, a company by the company) may open top-ups
worth at most a sum, and at most a number of them, per site day: the day in China time, reset
at midnight there. What was opened counts, paid or not; a top-up the provider refused to open
gives its share back.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from infoconnect.accounts.gates import is_verified_merchant
from infoconnect.core.errors import DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.core.money import format_money
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.models import TopupDay

SITE_ZONE = ZoneInfo("Asia/Shanghai")
Owner = TopupDay.Owner


@dataclass(frozen=True)
class Allowance:
    max_amount: int
    max_count: int
    amount_left: int
    count_left: int
    resets_at: datetime  # the next midnight in China time

    @property
    def amount_left_now(self) -> int:
        """The most one more top-up may be today."""
        return self.amount_left if self.count_left else 0


def site_day(now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), SITE_ZONE).date()


def _resets_at(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=SITE_ZONE)


def _limits(owner_kind: str, owner_id: int) -> tuple[int, int]:
    rules = PlatformSettings.current()
    if owner_kind == Owner.COMPANY:
        return rules.topup_daily_amount_company, rules.topup_daily_count_company
    if is_verified_merchant(owner_id):
        return rules.topup_daily_amount_merchant, rules.topup_daily_count_merchant
    return rules.topup_daily_amount_person, rules.topup_daily_count_person


def allowance(*, owner_id: int, owner_kind: str = Owner.USER, now=None) -> Allowance:
    """What the account may still top up today."""
    day = site_day(now)
    max_amount, max_count = _limits(owner_kind, owner_id)
    used = (
        TopupDay.objects.filter(owner_kind=owner_kind, owner_id=owner_id, day=day)
        .values_list("amount", "count")
        .first()
    ) or (0, 0)
    return Allowance(
        max_amount=max_amount,
        max_count=max_count,
        amount_left=max(max_amount - used[0], 0),
        count_left=max(max_count - used[1], 0),
        resets_at=_resets_at(day),
    )


def exceeded_message(left: Allowance, currency: str = "CNY") -> str:
    return gettext(
        "Today's top-up limit is %(amount)s in at most %(count)s top-ups; %(left)s is left "
        "today in %(left_count)s more. The limit resets at %(reset)s (midnight, China time)."
    ) % {
        "amount": format_money(left.max_amount, currency),
        "count": left.max_count,
        "left": format_money(left.amount_left_now, currency),
        "left_count": left.count_left,
        "reset": left.resets_at.strftime("%Y-%m-%d %H:%M"),
    }


@transaction.atomic
def take(*, owner_id: int, amount: int, owner_kind: str = Owner.USER, now=None) -> date:
    """Count a top-up of ``amount`` against today's limits, or refuse it (422).

    One conditional UPDATE of the day's row: a concurrent top-up waits for this one's row
    lock and is checked against what this one left. Returns the day it was counted on.
    """
    day = site_day(now)
    max_amount, max_count = _limits(owner_kind, owner_id)
    TopupDay.objects.bulk_create(
        [TopupDay(owner_kind=owner_kind, owner_id=owner_id, day=day)], ignore_conflicts=True
    )
    taken = TopupDay.objects.filter(
        owner_kind=owner_kind,
        owner_id=owner_id,
        day=day,
        amount__lte=max_amount - amount,
        count__lte=max_count - 1,
    ).update(amount=F("amount") + amount, count=F("count") + 1)
    if not taken:
        left = allowance(owner_id=owner_id, owner_kind=owner_kind, now=now)
        raise DomainError(WalletError.TOPUP_LIMIT_EXCEEDED, exceeded_message(left))
    return day


@transaction.atomic
def give_back(*, owner_id: int, amount: int, day: date, owner_kind: str = Owner.USER) -> None:
    """Undo ``take`` for a top-up that was never opened (its provider refused it)."""
    TopupDay.objects.filter(
        owner_kind=owner_kind, owner_id=owner_id, day=day, count__gte=1, amount__gte=amount
    ).update(amount=F("amount") - amount, count=F("count") - 1)
