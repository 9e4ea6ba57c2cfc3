"""The delivery engine: exactly once, every skip reason, cap, quota, schedule, cancel."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.messaging import actions, fanout
from infoconnect.messaging.models import (
    Campaign,
    CampaignChunk,
    FollowerTag,
    MarketingPreference,
    Message,
    Receipt,
)
from infoconnect.messaging.tasks import deliver_campaign, start_scheduled_campaign
from infoconnect.messaging.tests.conftest import cancel_during_second_chunk
from infoconnect.social.models import Block, Follow, Mute

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def send_now(committed):
    def send(**kwargs):
        with committed():
            return actions.send_campaign(**kwargs)

    return send


def receivers(campaign: Campaign) -> list[int]:
    campaign.refresh_from_db()
    return sorted(
        Receipt.objects.filter(message_id=campaign.message_id).values_list(
            "recipient_id", flat=True
        )
    )


def test_send_reaches_every_follower_once_in_chunks(
    send_now, settings, merchant, followers, campaign
):
    settings.MESSAGING_CHUNK_SIZE = 3
    sent = send_now(merchant=merchant, campaign_id=campaign.pk)
    sent.refresh_from_db()
    assert sent.state == "sent"
    assert sent.chunks_total == 4
    assert sent.chunks_done == 4
    assert (sent.targeted, sent.delivered, sent.skipped) == (10, 10, 0)
    assert receivers(sent) == sorted(p.pk for p in followers)
    assert CampaignChunk.objects.filter(campaign=sent, done=True).count() == 4


def test_send_twice_sends_once(send_now, merchant, followers, campaign):
    send_now(merchant=merchant, campaign_id=campaign.pk)
    again = send_now(merchant=merchant, campaign_id=campaign.pk)
    assert again.state == "sent"
    assert again.delivered == 10
    assert Message.objects.filter(campaign=campaign, is_test=False).count() == 1
    assert Receipt.objects.count() == 10


def test_interrupted_send_resumes_exactly_once(
    send_now, settings, monkeypatch, merchant, followers, campaign
):
    settings.MESSAGING_CHUNK_SIZE = 3
    settings.MESSAGING_FANOUT_TASKS = 1
    real = fanout.write_chunk
    calls = {"n": 0}

    def crash_on_third_chunk(**kwargs):
        calls["n"] += 1
        counts = real(**kwargs)
        if calls["n"] == 3:
            # The worker dies after writing the rows but before the chunk commits.
            raise RuntimeError("worker killed")
        return counts

    monkeypatch.setattr(fanout, "write_chunk", crash_on_third_chunk)
    send_now(merchant=merchant, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.state == "sending"
    assert campaign.chunks_done == 2
    assert campaign.delivered == Receipt.objects.count() == 6

    monkeypatch.setattr(fanout, "write_chunk", real)
    deliver_campaign.call(campaign.pk)
    deliver_campaign.call(campaign.pk)  # a duplicate retry finds nothing left to do
    campaign.refresh_from_db()
    assert campaign.state == "sent"
    assert (campaign.chunks_done, campaign.delivered, campaign.targeted) == (4, 10, 10)
    assert receivers(campaign) == sorted(p.pk for p in followers)


def test_every_skip_reason_counted_separately(send_now, merchant, followers, campaign, make_user):
    blocked_by_fan, blocked_by_shop, muted, opted_out, unsubscribed = followers[:5]
    Block.objects.create(blocker=blocked_by_fan, blocked=merchant)
    Block.objects.create(blocker=merchant, blocked=blocked_by_shop)
    Mute.objects.create(muter=muted, muted=merchant)
    # Muted and opted out: counted once, under the first reason.
    Mute.objects.create(muter=opted_out, muted=merchant)
    MarketingPreference.objects.create(
        follower=opted_out, merchant=merchant, accepts_marketing=False
    )
    MarketingPreference.objects.create(
        follower=unsubscribed, merchant=merchant, accepts_marketing=False, source="unsubscribe"
    )
    # Someone who opted back in receives it.
    MarketingPreference.objects.create(
        follower=followers[5], merchant=merchant, accepts_marketing=True
    )
    # An account an operator deactivated (and that had muted too): counted as deactivated.
    deactivated = followers[6]
    Mute.objects.create(muter=deactivated, muted=merchant)
    User.objects.filter(pk=deactivated.pk).update(is_active=False)
    estimate = actions.estimate_campaign(merchant=merchant, campaign_id=campaign.pk)
    assert estimate == {
        "targeted": 10,
        "recipients": 4,
        "skipped": {"muted": 2, "unsubscribed": 1, "blocked": 2, "capped": 0, "inactive": 1},
        "price_per_message_fen": 1,
        "cost_fen": 4,
        "hold_fen": 10,
        "currency": "CNY",
    }
    send_now(merchant=merchant, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert (campaign.targeted, campaign.delivered) == (10, 4)
    assert (
        campaign.skipped_blocked,
        campaign.skipped_muted,
        campaign.skipped_unsubscribed,
        campaign.skipped_capped,
        campaign.skipped_inactive,
    ) == (2, 2, 1, 0, 1)
    assert receivers(campaign) == sorted(p.pk for p in followers[5:] if p != deactivated)


def _sent_before(merchant, days_ago: int, recipients) -> None:
    """A campaign the merchant sent days_ago (written directly, as history)."""
    when = timezone.now() - timedelta(days=days_ago)
    old = Campaign.objects.create(
        merchant=merchant,
        title="old",
        body="old",
        state="sent",
        send_day=when.date(),
        started_at=when,
    )
    message = Message.objects.create(sender=merchant, campaign=old, body="old", created_at=when)
    Receipt.objects.bulk_create(
        [Receipt(recipient_id=p.pk, message_id=message.pk, created_at=when) for p in recipients]
    )


def test_frequency_cap(send_now, merchant, followers, campaign):
    for days_ago in (2, 5, 9):
        _sent_before(merchant, days_ago, followers)
    _sent_before(merchant, 12, followers[:4])  # four within 30 days for the first four
    _sent_before(merchant, 40, followers[4:])  # outside the window: does not count
    estimate = actions.estimate_campaign(merchant=merchant, campaign_id=campaign.pk)
    assert estimate["skipped"]["capped"] == 4
    assert estimate["recipients"] == 6
    send_now(merchant=merchant, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert (campaign.targeted, campaign.delivered, campaign.skipped_capped) == (10, 6, 4)
    assert receivers(campaign) == sorted(p.pk for p in followers[4:])


def test_a_deactivated_account_at_the_cap_is_counted_as_deactivated(
    send_now, merchant, followers, campaign
):
    for days_ago in (2, 5, 9, 12):
        _sent_before(merchant, days_ago, followers[:3])
    User.objects.filter(pk__in=[followers[0].pk, followers[9].pk]).update(is_active=False)
    estimate = actions.estimate_campaign(merchant=merchant, campaign_id=campaign.pk)
    assert (estimate["skipped"]["capped"], estimate["skipped"]["inactive"]) == (2, 2)
    send_now(merchant=merchant, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert (campaign.targeted, campaign.delivered) == (10, 6)
    assert (campaign.skipped_capped, campaign.skipped_inactive) == (2, 2)
    assert campaign.billable_fen == 6 * campaign.price_per_message_fen
    assert receivers(campaign) == sorted(p.pk for p in followers[3:9])


def test_cap_is_the_operators_setting(send_now, merchant, followers, campaign):
    PlatformSettings.objects.update_or_create(pk=1, defaults={"marketing_cap_messages": 1})
    PlatformSettings.objects.exclude(pk=1).delete()
    _sent_before(merchant, 3, followers[:3])
    send_now(merchant=merchant, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert (campaign.delivered, campaign.skipped_capped) == (7, 3)


def test_one_campaign_per_day(send_now, merchant, followers, campaign):
    send_now(merchant=merchant, campaign_id=campaign.pk)
    second = actions.create_campaign(merchant=merchant, title="Again", body="More")
    with pytest.raises(DomainError) as error:
        send_now(merchant=merchant, campaign_id=second.pk)
    assert error.value.code == "campaign_quota_exceeded"
    assert error.value.status == 429
    second.refresh_from_db()
    assert second.state == "draft"
    assert Message.objects.filter(campaign=second).count() == 0
    # Tomorrow is fine.
    scheduled = actions.schedule_campaign(
        merchant=merchant, campaign_id=second.pk, scheduled_at=timezone.now() + timedelta(days=1)
    )
    assert scheduled.state == "scheduled"


def test_segment_by_tag_region_and_recency(send_now, merchant, followers, campaign):
    FollowerTag.objects.bulk_create(
        [FollowerTag(merchant=merchant, follower=p, tag="vip") for p in followers[:6]]
    )
    Follow.objects.filter(follower__in=followers[:2], target=merchant).update(
        created_at=timezone.now() - timedelta(days=60)
    )
    actions.update_campaign(
        merchant=merchant,
        campaign_id=campaign.pk,
        audience={"tags": ["VIP"], "regions": ["SH"], "followed_within_days": 30},
    )
    # fan01, fan03, fan05 are vip in SH; fan01 followed too long ago.
    expected = sorted(p.pk for p in (followers[3], followers[5]))
    assert actions.estimate_campaign(merchant=merchant, campaign_id=campaign.pk)["recipients"] == 2
    send_now(merchant=merchant, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert (campaign.targeted, campaign.delivered) == (2, 2)
    assert receivers(campaign) == expected


def test_cancel_mid_send_writes_no_further_chunks(
    send_now, settings, monkeypatch, merchant, followers, campaign
):
    settings.MESSAGING_CHUNK_SIZE = 3
    real = actions.deliver_next_chunk
    calls = {"n": 0}

    def cancel_after_first_chunk(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            actions.cancel_campaign(merchant=merchant, campaign_id=campaign.pk)
        return real(**kwargs)

    monkeypatch.setattr(actions.delivery, "deliver_next_chunk", cancel_after_first_chunk)
    send_now(merchant=merchant, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.state == "cancelled"
    assert (campaign.chunks_done, campaign.delivered) == (1, 3)
    assert receivers(campaign) == sorted(p.pk for p in followers[:3])
    monkeypatch.setattr(actions.delivery, "deliver_next_chunk", real)
    deliver_campaign.call(campaign.pk)
    assert Receipt.objects.count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_cancel_committed_while_a_chunk_is_written_rolls_the_chunk_back(
    send_now, settings, monkeypatch, merchant, followers, campaign
):
    if connection.vendor != "postgresql":
        pytest.skip("needs a second PostgreSQL connection writing concurrently")
    settings.MESSAGING_CHUNK_SIZE = 3
    # The merchant's cancel commits while this worker's second chunk is still open.
    cancel_during_second_chunk(monkeypatch, merchant=merchant, campaign=campaign)
    send_now(merchant=merchant, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.state == "cancelled"
    assert (campaign.chunks_done, campaign.delivered) == (1, 3)
    assert receivers(campaign) == sorted(p.pk for p in followers[:3])


def test_cancel_action_while_sending_and_when_not_allowed(
    send_now, settings, merchant, followers, campaign
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MESSAGING_CHUNK_SIZE = 3
    send_now(merchant=merchant, campaign_id=campaign.pk)
    actions.deliver_next_chunk(campaign_id=campaign.pk)
    cancelled = actions.cancel_campaign(merchant=merchant, campaign_id=campaign.pk)
    assert cancelled.state == "cancelled"
    deliver_campaign.call(campaign.pk)
    assert Receipt.objects.count() == 3
    with pytest.raises(DomainError) as error:
        actions.cancel_campaign(merchant=merchant, campaign_id=campaign.pk)
    assert error.value.code == "campaign_not_cancellable"


def test_scheduled_send_waits_until_due(committed, settings, merchant, followers, campaign):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    when = timezone.now() + timedelta(hours=2)
    with committed():
        actions.schedule_campaign(merchant=merchant, campaign_id=campaign.pk, scheduled_at=when)
    queued = default_task_backend.results
    assert len(queued) == 1
    assert queued[0].task.run_after == when
    # Run early (a clock skew, a manual run): nothing is sent and it waits again.
    assert start_scheduled_campaign.call(campaign.pk) is False
    campaign.refresh_from_db()
    assert campaign.state == "scheduled"
    assert len(default_task_backend.results) == 2
    # Due: it starts, and its chunks are delivered by the queued task.
    Campaign.objects.filter(pk=campaign.pk).update(
        scheduled_at=timezone.now() - timedelta(seconds=1)
    )
    with committed():
        assert start_scheduled_campaign.call(campaign.pk) is True
    assert start_scheduled_campaign.call(campaign.pk) is False  # twice starts once
    assert default_task_backend.results[-1].task.name == "deliver_campaign"
    deliver_campaign.call(campaign.pk)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.delivered) == ("sent", 10)


def test_scheduled_campaign_of_a_suspended_merchant_fails(merchant, followers, campaign):
    actions.schedule_campaign(
        merchant=merchant, campaign_id=campaign.pk, scheduled_at=timezone.now() + timedelta(hours=1)
    )
    actions.suspend_merchant(merchant_id=merchant.pk, note="review")
    Campaign.objects.filter(pk=campaign.pk).update(
        scheduled_at=timezone.now() - timedelta(seconds=1)
    )
    assert start_scheduled_campaign.call(campaign.pk) is False
    campaign.refresh_from_db()
    assert (campaign.state, campaign.failure_code) == ("failed", "merchant_suspended")
    assert campaign.failure_reason == "Your shop was suspended from the messaging programme."
    assert Receipt.objects.count() == 0


def test_schedule_in_the_past_is_refused(merchant, campaign):
    with pytest.raises(DomainError) as error:
        actions.schedule_campaign(
            merchant=merchant,
            campaign_id=campaign.pk,
            scheduled_at=timezone.now() - timedelta(minutes=1),
        )
    assert error.value.code == "schedule_in_past"
    campaign.refresh_from_db()
    assert campaign.state == "draft"


def test_who_may_not_send(send_now, make_user, followers, merchant):
    person = make_user("bob")
    with pytest.raises(DomainError) as error:
        actions.create_campaign(merchant=person, title="Hi", body="Buy")
    assert error.value.code == "not_merchant"
    outsider = make_user("other", kind="merchant", verified=True)
    with pytest.raises(DomainError) as error:
        actions.create_campaign(merchant=outsider, title="Hi", body="Buy")
    assert error.value.code == "not_enrolled"
    campaign = actions.create_campaign(merchant=merchant, title="Hi", body="Buy")
    actions.suspend_merchant(merchant_id=merchant.pk, note="spam")
    with pytest.raises(DomainError) as error:
        send_now(merchant=merchant, campaign_id=campaign.pk)
    assert error.value.code == "not_enrolled"
    # Another merchant cannot touch it.
    actions.enrol_merchant(merchant=outsider)
    with pytest.raises(DomainError) as error:
        send_now(merchant=outsider, campaign_id=campaign.pk)
    assert error.value.code == "campaign_not_found"
    assert Receipt.objects.count() == 0


def test_bad_campaign_input(merchant):
    cases = [
        ({"title": "", "body": "x"}, "invalid_campaign"),
        ({"title": "x" * 101, "body": "x"}, "invalid_campaign"),
        ({"title": "x", "body": "x" * 2001}, "invalid_message"),
        ({"title": "x", "body": "x", "link_url": "javascript:alert(1)"}, "invalid_campaign"),
        ({"title": "x", "body": "x", "audience": {"regions": ["ZZ"]}}, "invalid_audience"),
        ({"title": "x", "body": "x", "audience": {"followed_within_days": 0}}, "invalid_audience"),
        ({"title": "x", "body": "x", "audience": {"colour": "red"}}, "invalid_audience"),
    ]
    for kwargs, code in cases:
        with pytest.raises(DomainError) as error:
            actions.create_campaign(merchant=merchant, **kwargs)
        assert error.value.code == code, kwargs
    assert Campaign.objects.count() == 0


def test_update_only_while_draft(send_now, merchant, followers, campaign):
    updated = actions.update_campaign(
        merchant=merchant, campaign_id=campaign.pk, title="Summer sale"
    )
    assert updated.title == "Summer sale"
    send_now(merchant=merchant, campaign_id=campaign.pk)
    with pytest.raises(DomainError) as error:
        actions.update_campaign(merchant=merchant, campaign_id=campaign.pk, title="Autumn")
    assert error.value.code == "campaign_not_draft"
    campaign.refresh_from_db()
    assert campaign.title == "Summer sale"


def test_test_send_goes_to_the_merchant_only(merchant, followers, campaign):
    message = actions.send_test(merchant=merchant, campaign_id=campaign.pk)
    assert list(Receipt.objects.values_list("recipient_id", "message_id")) == [
        (merchant.pk, message.pk)
    ]
    campaign.refresh_from_db()
    assert (campaign.state, campaign.delivered) == ("draft", 0)


def test_no_followers_is_sent_at_once(send_now, merchant, campaign):
    sent = send_now(merchant=merchant, campaign_id=campaign.pk)
    assert (sent.state, sent.chunks_total, sent.delivered) == ("sent", 0, 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_share_chunks_without_overlap(
    send_now, settings, merchant, followers, campaign
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    import threading

    from django.db import connections

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MESSAGING_CHUNK_SIZE = 1
    send_now(merchant=merchant, campaign_id=campaign.pk)

    def worker():
        try:
            actions.deliver_campaign_chunks(campaign_id=campaign.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    campaign.refresh_from_db()
    assert (campaign.state, campaign.delivered, campaign.chunks_done) == (
        "sent",
        10,
        campaign.chunks_total,
    )
    assert receivers(campaign) == sorted(p.pk for p in followers)


def test_suspending_a_merchant_stops_its_sending_campaign(settings, merchant, followers, campaign):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MESSAGING_CHUNK_SIZE = 5
    actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    actions.deliver_next_chunk(campaign_id=campaign.pk)
    assert actions.suspend_merchant(merchant_id=merchant.pk, note="review") is True
    deliver_campaign.call(campaign.pk)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.delivered) == ("failed", 5)
    assert Receipt.objects.count() == 5


def test_a_stale_followers_count_only_changes_chunk_sizes(
    send_now, settings, merchant, followers, campaign
):
    settings.MESSAGING_CHUNK_SIZE = 3
    type(merchant).objects.filter(pk=merchant.pk).update(followers_count=2)
    send_now(merchant=merchant, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.chunks_total, campaign.delivered) == ("sent", 1, 10)
    assert receivers(campaign) == sorted(p.pk for p in followers)
