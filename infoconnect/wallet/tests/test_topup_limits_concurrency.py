"""Two top-ups opened at once cannot both pass a daily limit only one of them fits."""

import pytest
from django.db import connection

from infoconnect.core.models import PlatformSettings
from infoconnect.wallet import actions
from infoconnect.wallet.models import Payment, TopupDay
from infoconnect.wallet.tests.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent writers")


def test_parallel_top_ups_open_no_more_than_the_days_sum(make_user):
    alice = make_user("alice")
    PlatformSettings.objects.filter(pk=PlatformSettings.current().pk).update(
        topup_daily_amount_person=30_000, topup_daily_count_person=100
    )
    results = run_together(8, lambda _i: actions.start_topup(user_id=alice.pk, amount=10_000))
    assert sorted(results) == ["ok"] * 3 + ["topup_limit_exceeded"] * 5
    assert Payment.objects.count() == 3
    day = TopupDay.objects.get()
    assert (day.amount, day.count) == (30_000, 3)


def test_parallel_top_ups_open_no_more_than_the_days_number(make_user):
    alice = make_user("alice")
    PlatformSettings.objects.filter(pk=PlatformSettings.current().pk).update(
        topup_daily_count_person=1
    )
    results = run_together(6, lambda _i: actions.start_topup(user_id=alice.pk, amount=100))
    assert sorted(results) == ["ok"] + ["topup_limit_exceeded"] * 5
    assert Payment.objects.count() == 1
