"""True concurrency on PostgreSQL: a scheduled status published by two runs at once (the task
and the sweep) is posted once, and schedulings at once keep the daily limit."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from infoconnect.core.testing import run_together
from infoconnect.social.actions import scheduled
from infoconnect.social.models import Post, ScheduledStatus

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent writers")


def test_two_publishings_at_once_post_once(make_user):
    alice = make_user("alice")
    row = scheduled.schedule_status(
        author=alice, text="Once only", scheduled_at=timezone.now() + timedelta(hours=1)
    )
    now = row.scheduled_at + timedelta(seconds=1)

    def publish():
        return scheduled.publish_due(scheduledstatus_id=row.pk, now=now)

    assert run_together(publish, publish, publish) == ["ok"] * 3
    assert Post.objects.filter(text="Once only").count() == 1
    row.refresh_from_db()
    assert row.state == ScheduledStatus.State.PUBLISHED


def test_schedulings_at_once_keep_the_daily_limit(make_user):
    alice = make_user("alice")
    at = timezone.localtime() + timedelta(days=3)
    for n in range(scheduled.SCHEDULED_DAILY_MAX - 1):
        scheduled.schedule_status(author=alice, text=f"Post {n}", scheduled_at=at)

    def schedule(n):
        return lambda: scheduled.schedule_status(author=alice, text=f"Race {n}", scheduled_at=at)

    results = run_together(*(schedule(n) for n in range(4)))
    assert sorted(results) == ["ok", *["too_many_scheduled"] * 3]
    assert ScheduledStatus.objects.count() == scheduled.SCHEDULED_DAILY_MAX
