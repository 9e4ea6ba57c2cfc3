"""A worker killed mid-chunk (`kill -9`) leaves its PostgreSQL session running the chunk's
insert for a few seconds, holding the chunk's lock. The surviving worker does not end while
undone chunks remain: it waits for the lock and finishes the send by itself, each follower
receiving the campaign once, with no resume command."""

import threading
import time

import psycopg
import pytest
from django.db import connection, connections

from infoconnect.messaging import actions, fanout
from infoconnect.messaging.models import Campaign, CampaignChunk, Receipt
from infoconnect.messaging.tasks import deliver_campaign

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# How long the killed worker's session goes on holding its chunk.
LINGER = 1.0


@pytest.fixture(autouse=True)
def postgres_only(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MESSAGING_CHUNK_SIZE = 3


def raw_connection():
    """A session of its own, outside Django's (another process's, as far as the test goes)."""
    return connection.get_new_connection(connection.get_connection_params())


def receivers(campaign: Campaign) -> list[int]:
    campaign.refresh_from_db()
    return sorted(
        Receipt.objects.filter(message_id=campaign.message_id).values_list(
            "recipient_id", flat=True
        )
    )


def test_a_live_worker_finishes_the_chunk_a_killed_workers_session_still_locks(
    merchant, followers, campaign
):
    actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    first = CampaignChunk.objects.filter(campaign=campaign).order_by("follower_low").first()

    # The killed worker's session: it holds the first chunk and is still inserting its rows.
    dead = raw_connection()
    with dead.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        dead_pid = cursor.fetchone()[0]
        cursor.execute(
            "SELECT id FROM messaging_campaignchunk WHERE id = %s FOR UPDATE", [first.pk]
        )
        cursor.execute(
            "INSERT INTO messaging_receipt (recipient_id, message_id, created_at, flags)"
            " SELECT follower_id, %s, now(), 0 FROM social_follow"
            " WHERE target_id = %s AND follower_id >= %s AND follower_id < %s",
            [campaign.message_id, merchant.pk, first.follower_low, first.follower_high],
        )

    def server_ends_the_dead_session():
        killer = raw_connection()
        killer.autocommit = True
        killer.execute("SELECT pg_terminate_backend(%s)", [dead_pid])
        killer.close()

    ending = threading.Timer(LINGER, server_ends_the_dead_session)
    ending.start()
    started = time.monotonic()
    # The surviving worker's task: the three free chunks, then the one it waited for.
    written = deliver_campaign.call(campaign.pk)
    elapsed = time.monotonic() - started
    ending.join()

    assert written == 4
    assert LINGER <= elapsed < LINGER + 10
    campaign.refresh_from_db()
    assert (campaign.state, campaign.chunks_done, campaign.delivered, campaign.targeted) == (
        "sent",
        4,
        10,
        10,
    )
    assert receivers(campaign) == sorted(p.pk for p in followers)
    assert Receipt.objects.count() == 10
    with pytest.raises(psycopg.OperationalError):
        dead.execute("SELECT 1")
    dead.close()


def test_a_worker_waits_for_the_last_chunk_another_live_worker_is_writing(
    monkeypatch, merchant, followers, campaign
):
    actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    first = CampaignChunk.objects.filter(campaign=campaign).order_by("follower_low").first()
    real = fanout.write_chunk
    holding = threading.Event()
    finish = threading.Event()

    def slow_first_chunk(**kwargs):
        if kwargs["low"] == first.follower_low:
            holding.set()
            assert finish.wait(10)
        return real(**kwargs)

    monkeypatch.setattr(fanout, "write_chunk", slow_first_chunk)

    def other_worker():
        try:
            actions.deliver_next_chunk(campaign_id=campaign.pk)
        finally:
            connections.close_all()

    other = threading.Thread(target=other_worker)
    other.start()
    assert holding.wait(10)
    threading.Timer(LINGER, finish.set).start()
    # This worker writes the three others, then waits for the first and sees the send end.
    assert actions.deliver_campaign_chunks(campaign_id=campaign.pk) == 3
    other.join()
    campaign.refresh_from_db()
    assert (campaign.state, campaign.chunks_done, campaign.delivered) == ("sent", 4, 10)
    assert receivers(campaign) == sorted(p.pk for p in followers)
