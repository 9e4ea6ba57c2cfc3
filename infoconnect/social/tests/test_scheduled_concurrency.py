"""True concurrency on PostgreSQL: a scheduled status published by two runs at once (the task
and the sweep) is posted once, and schedulings at once keep the daily limit."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.social.actions import scheduled
from infoconnect.social.models import Post, ScheduledStatus

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent writers")


def run_together(*works) -> list:
    """Each work in its own thread, released at once; what each returned, or its error code."""
    barrier = threading.Barrier(len(works))
    results: list = [None] * len(works)

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = works[index]()
        except DomainError as error:
            results[index] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_publishings_at_once_post_once(make_user):
    alice = make_user("alice")
    row = scheduled.schedule_status(
        author=alice, text="Once only", scheduled_at=timezone.now() + timedelta(hours=1)
    )
    now = row.scheduled_at + timedelta(seconds=1)

    def publish():
        return scheduled.publish_due(scheduledstatus_id=row.pk, now=now)

    assert sorted(run_together(publish, publish, publish)) == [False, False, True]
    assert Post.objects.filter(text="Once only").count() == 1
    row.refresh_from_db()
    assert row.state == ScheduledStatus.State.PUBLISHED


def test_schedulings_at_once_keep_the_daily_limit(make_user):
    alice = make_user("alice")
    at = timezone.localtime() + timedelta(days=3)
    for n in range(scheduled.SCHEDULED_DAILY_MAX - 1):
        scheduled.schedule_status(author=alice, text=f"Post {n}", scheduled_at=at)

    def schedule(n):
        return lambda: scheduled.schedule_status(author=alice, text=f"Race {n}", scheduled_at=at).pk

    results = run_together(*(schedule(n) for n in range(4)))
    assert sorted(r for r in results if isinstance(r, str)) == ["too_many_scheduled"] * 3
    assert ScheduledStatus.objects.count() == scheduled.SCHEDULED_DAILY_MAX
