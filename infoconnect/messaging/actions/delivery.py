"""A campaign's fan-out: the start of a send (its message, chunks and hold) and the chunks'
delivery, one transaction per chunk, shared by as many workers as there are tasks.

A chunk is a follower-id range written by one set-based statement (``fanout.write_chunk``)
and claimed with its ``done`` flag in the same transaction, so a worker that dies loses only
its open chunk, which the next worker writes again (receipts are ``ON CONFLICT DO NOTHING``).
A worker writes only while the campaign is ``sending``: once it has left that state, no
further chunk is written, and a chunk open at that moment rolls back.
"""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.jobs import enqueue_on_commit
from infoconnect.core.models import PlatformSettings
from infoconnect.messaging import fanout, streams
from infoconnect.messaging.actions.billing import hold_billing
from infoconnect.messaging.actions.programme import check_quota, local_day, require_enrolled
from infoconnect.messaging.lifecycle import DELIVER_TASK, campaigns
from infoconnect.messaging.models import Campaign, CampaignChunk, Message

State = Campaign.State
# PostgreSQL writes chunks on several workers at once; SQLite has one writer, so its chunks
# only bound what a crash redoes and are larger to save per-commit work.
DEFAULT_CHUNK_SIZE = {"postgresql": 250_000, "sqlite": 500_000}
# Tasks queued per send; each takes unwritten chunks, so that many workers share the work
# (SQLite has one writer: a second task would only wait).
DEFAULT_FANOUT_TASKS = {"postgresql": 2, "sqlite": 1}
# What a worker reads of the campaign for each chunk.
CHUNK_FIELDS = ("state", "merchant_id", "audience", "message_id", "started_at")


def chunk_size() -> int:
    default = DEFAULT_CHUNK_SIZE.get(connection.vendor, 250_000)
    return int(getattr(settings, "MESSAGING_CHUNK_SIZE", default))


def fanout_tasks(chunks: int) -> int:
    """How many delivery tasks share ``chunks`` unwritten chunks."""
    default = DEFAULT_FANOUT_TASKS.get(connection.vendor, 1)
    return min(chunks, int(getattr(settings, "MESSAGING_FANOUT_TASKS", default)))


# ---------------------------------------------------------------- the start


def begin_sending(*, campaign: Campaign, verb: str) -> None:
    """Take the ``send`` or ``start`` edge: the quota, the hold, the message and the chunks.

    Call it in a transaction: a refusal after the move (the hold) undoes the move.
    """
    merchant = campaign.merchant
    require_enrolled(merchant, lock=True)
    now = timezone.now()
    day = local_day(now)
    check_quota(merchant_id=merchant.pk, day=day, exclude_id=campaign.pk)
    rules = PlatformSettings.current()
    followers_count = User.objects.values_list("followers_count", flat=True).get(pk=merchant.pk)
    ranges = fanout.follower_ranges(
        merchant_id=merchant.pk, chunk_size=chunk_size(), followers_hint=followers_count
    )
    campaigns.move(
        campaign,
        verb,
        now=now,
        context={"deliveries": fanout_tasks(len(ranges))},
        started_at=now,
        send_day=day,
        updated_at=now,
        price_per_message_fen=rules.price_per_message_fen,
    )
    hold_billing(campaign=campaign, now=now, rules=rules, followers_count=followers_count)
    message = Message.objects.create(
        sender=merchant,
        campaign=campaign,
        body=campaign.body,
        attachment_type=Message.Attachment.LINK if campaign.link_url else "",
        attachment_url=campaign.link_url,
        created_at=now,
    )
    CampaignChunk.objects.bulk_create(
        [
            CampaignChunk(campaign=campaign, follower_low=low, follower_high=high)
            for low, high in ranges
        ]
    )
    Campaign.objects.filter(pk=campaign.pk).update(message=message, chunks_total=len(ranges))
    if not ranges:
        finish_if_complete(campaign)


# ---------------------------------------------------------------- the chunks


class Stopped(Exception):
    """The campaign left `sending` while a chunk was being written: roll the chunk back."""


def deliver_campaign_chunks(*, campaign_id: int) -> int:
    """Write every remaining chunk, each in its own transaction; returns how many."""
    written = 0
    while deliver_next_chunk(campaign_id=campaign_id):
        written += 1
    return written


def deliver_next_chunk(*, campaign_id: int) -> bool:
    """Write one unwritten chunk of a sending campaign; False when there is none left."""
    try:
        with transaction.atomic():
            return deliver_one(campaign_id)
    except Stopped:
        return False


def sending_campaign(campaign_id: int) -> Campaign | None:
    campaign = Campaign.objects.only(*CHUNK_FIELDS).filter(pk=campaign_id).first()
    return campaign if campaign is not None and campaign.state == State.SENDING else None


def next_chunk(campaign_id: int) -> tuple[CampaignChunk | None, bool]:
    """An unwritten chunk this worker now holds, and whether it had to wait for it.

    Several workers share a campaign: each takes a chunk nobody else holds. When every
    unwritten chunk is held, another worker is writing it, or the session of a worker that
    was killed goes on for a few seconds: wait for it (a plain FOR UPDATE). Its commit takes
    the chunk away and the wait moves to the next; its end without a commit leaves the chunk
    to this worker. Either way the send finishes here, without waiting for the resume sweep.
    """
    pending = CampaignChunk.objects.filter(campaign_id=campaign_id, done=False).order_by(
        "follower_low"
    )
    if not connection.features.has_select_for_update_skip_locked:
        # SQLite: one writer, no row locks.
        return pending.first(), False
    chunk = pending.select_for_update(skip_locked=True).first()
    if chunk is not None:
        return chunk, False
    return pending.select_for_update().first(), True


def deliver_one(campaign_id: int) -> bool:
    campaign = sending_campaign(campaign_id)
    if campaign is None:
        return False
    chunk, waited = next_chunk(campaign_id)
    if waited:
        # Did it leave `sending` (stopped, or finished by that worker) meanwhile?
        campaign = sending_campaign(campaign_id)
        if campaign is None:
            return False
    if chunk is None:
        finish_if_complete(campaign)
        return False
    now = timezone.now()
    rules = PlatformSettings.current()
    counts = fanout.write_chunk(
        audience=fanout.Audience.of(
            campaign.merchant_id, campaign.audience, campaign.started_at or now
        ),
        message_id=campaign.message_id,
        low=chunk.follower_low,
        high=chunk.follower_high,
        cap=fanout.active_cap(
            merchant_id=campaign.merchant_id,
            limit=rules.marketing_cap_messages,
            days=rules.marketing_cap_days,
            now=now,
            exclude_id=campaign.message_id,
        ),
        now=now,
    )
    record_chunk(campaign=campaign, chunk=chunk, counts=counts, now=now)
    return True


def record_chunk(
    *, campaign: Campaign, chunk: CampaignChunk, counts: fanout.ChunkCounts, now: datetime
) -> None:
    """Claim the chunk and add its counts; the last one also moves the campaign to `sent`.

    The hot path of the lifecycle's ``finish`` edge: one statement for the counters and the
    state, reported to the lifecycle when it finished the campaign.
    """
    claimed = CampaignChunk.objects.filter(pk=chunk.pk, done=False).update(
        done=True, delivered=counts.delivered, finished_at=now
    )
    last = Q(chunks_done=F("chunks_total") - 1)
    progressed = Campaign.objects.filter(pk=chunk.campaign_id, state=State.SENDING).update(
        chunks_done=F("chunks_done") + 1,
        targeted=F("targeted") + counts.targeted,
        delivered=F("delivered") + counts.delivered,
        skipped_blocked=F("skipped_blocked") + counts.blocked,
        skipped_muted=F("skipped_muted") + counts.muted,
        skipped_unsubscribed=F("skipped_unsubscribed") + counts.unsubscribed,
        skipped_capped=F("skipped_capped") + counts.capped,
        skipped_inactive=F("skipped_inactive") + counts.inactive,
        state=Case(When(last, then=Value(State.SENT)), default=F("state")),
        finished_at=Case(When(last, then=Value(now)), default=F("finished_at")),
        updated_at=now,
    )
    if not claimed or not progressed:
        raise Stopped()
    streams.chunk_delivered(
        merchant_id=campaign.merchant_id, low=chunk.follower_low, high=chunk.follower_high
    )
    streams.campaign_progressed(campaign_id=chunk.campaign_id, merchant_id=campaign.merchant_id)
    if Campaign.objects.filter(pk=chunk.campaign_id, state=State.SENT).exists():
        campaigns.report(campaign, "finish", from_state=State.SENDING, now=now)


def finish_if_complete(campaign: Campaign) -> bool:
    """Take the ``finish`` edge once every chunk is written (none to write, or a worker
    that finished the last chunk died before it could tell)."""
    now = timezone.now()
    return campaigns.move(
        campaign,
        "finish",
        strict=False,
        now=now,
        where={"chunks_done": F("chunks_total")},
        finished_at=now,
        updated_at=now,
    )


def requeue_sending(*, campaign_ids: Iterable[int]) -> int:
    """Queue delivery again for those of the campaigns still sending (a lost worker's)."""
    ids = list(
        Campaign.objects.filter(pk__in=list(campaign_ids), state__in=campaigns.sources("finish"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for campaign_id in ids:
        enqueue_on_commit(DELIVER_TASK, campaign_id)
    return len(ids)
