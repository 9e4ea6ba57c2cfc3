"""The messaging programme: an operator enrols merchants and suspends them."""

from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from infoconnect.accounts.gates import require_verified_merchant
from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.messaging.errors import MessagingError
from infoconnect.messaging.lifecycle import QUOTA_STATES, campaigns
from infoconnect.messaging.models import Campaign, Enrolment


@transaction.atomic
def enrol_merchant(*, merchant: User, note: str = "") -> Enrolment:
    if not merchant.is_merchant or not merchant.is_verified_merchant:
        raise DomainError(MessagingError.NOT_MERCHANT)
    enrolment, created = Enrolment.objects.get_or_create(merchant=merchant, defaults={"note": note})
    if not created:
        Enrolment.objects.filter(pk=enrolment.pk).update(
            status=Enrolment.Status.ENROLLED, note=note, suspended_at=None
        )
        enrolment.refresh_from_db()
    return enrolment


@transaction.atomic
def suspend_merchant(*, merchant_id: int, note: str) -> bool:
    """Suspend an enrolled merchant and stop its campaigns that have not ended (each is
    settled as it fails). Returns False when it was not enrolled."""
    suspended = Enrolment.objects.filter(
        merchant_id=merchant_id, status=Enrolment.Status.ENROLLED
    ).update(status=Enrolment.Status.SUSPENDED, note=note, suspended_at=timezone.now())
    if suspended:
        now = timezone.now()
        stopping = (
            Campaign.objects.select_for_update()
            .filter(merchant_id=merchant_id, state__in=campaigns.sources("suspend"))
            .order_by("pk")
        )
        for campaign in stopping:
            campaigns.move(
                campaign,
                "suspend",
                strict=False,
                now=now,
                failure_code=Campaign.Failure.MERCHANT_SUSPENDED,
                finished_at=now,
                updated_at=now,
            )
    return bool(suspended)


def require_enrolled(merchant: User, *, lock: bool = False) -> None:
    """A merchant in good standing in the programme; ``lock`` serialises its quota checks."""
    if not merchant.is_merchant:
        raise DomainError(MessagingError.NOT_MERCHANT)
    require_verified_merchant(merchant)
    enrolments = Enrolment.objects.filter(merchant=merchant)
    if lock:
        enrolments = enrolments.select_for_update()
    enrolment = enrolments.first()
    if enrolment is None or enrolment.status != Enrolment.Status.ENROLLED:
        raise DomainError(MessagingError.NOT_ENROLLED)


def local_day(moment: datetime) -> date:
    """The site's day a campaign sent (or due) at ``moment`` counts against."""
    return timezone.localdate(moment)


def check_quota(*, merchant_id: int, day: date, exclude_id: int) -> None:
    """The programme's daily campaign quota: that day's campaigns in a state that uses it up
    (the lifecycle's QUOTA_STATES), and cancelled ones that had started."""
    limit = PlatformSettings.current().campaigns_per_day
    used = (
        Campaign.objects.filter(merchant_id=merchant_id, send_day=day)
        .filter(
            Q(state__in=QUOTA_STATES) | Q(state=Campaign.State.CANCELLED, started_at__isnull=False)
        )
        .exclude(pk=exclude_id)
        .count()
    )
    if used >= limit:
        raise DomainError(MessagingError.CAMPAIGN_QUOTA_EXCEEDED)
