"""The operator's announcements (made in the admin) as each person sees them, and dismissing
one."""

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.social.errors import SocialError
from infoconnect.social.models import Announcement, AnnouncementDismissal


def _current():
    now = timezone.now()
    return Announcement.objects.filter(published=True).filter(
        Q(starts_at__isnull=True) | Q(starts_at__lte=now),
        Q(ends_at__isnull=True) | Q(ends_at__gt=now),
    )


def current(*, user: User, with_dismissed: bool = False) -> list[Announcement]:
    """Published announcements whose time has come and not gone, newest first; each with
    ``read`` set when the user dismissed it."""
    dismissed = AnnouncementDismissal.objects.filter(
        user_id=user.pk, announcement_id=OuterRef("pk")
    )
    queryset = _current().annotate(read=Exists(dismissed))
    if not with_dismissed:
        queryset = queryset.filter(read=False)
    return list(queryset.order_by("-published_at", "-id"))


@transaction.atomic
def dismiss(*, user: User, announcement_id: int) -> None:
    """Mark a current announcement read for the user; again changes nothing."""
    announcement = _current().filter(pk=announcement_id).first()
    if announcement is None:
        raise DomainError(SocialError.ANNOUNCEMENT_NOT_FOUND)
    AnnouncementDismissal.objects.bulk_create(
        [AnnouncementDismissal(user=user, announcement=announcement)],
        ignore_conflicts=True,
        unique_fields=["user", "announcement"],
    )
