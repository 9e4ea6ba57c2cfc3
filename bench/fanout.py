"""Campaign fan-out to 1,000,000 followers (10% opted out), and the inbox's first page with
10,000,000 receipts in the table.

fanout.*: from the send call until every receipt is written, with the real database worker
(django_tasks_db's Worker, two of them in threads on PostgreSQL so two chunks are written at
once). baseline = one plain INSERT … SELECT of the same receipts on the same database,
both into an emptied receipts table, alternated FANOUT_ROUNDS times (median of each).
The inbox is then measured with the table topped up to 10,000,000 receipts.
"""

import os
import random
import threading
import time

from common import emit, median, percentile, setup_django

FOLLOWERS = int(os.environ.get("FANOUT_FOLLOWERS", "1000000"))
RECEIPTS = int(os.environ.get("FANOUT_RECEIPTS", "10000000"))
ROUNDS = int(os.environ.get("FANOUT_ROUNDS", "3"))
MERCHANT = "fanout_bench"


def series(vendor: str, count: int) -> str:
    """A FROM clause yielding g = 1..count."""
    if vendor == "postgresql":
        return f"generate_series(1, {count}) AS s(g)"
    return (
        f"(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {count})"
        " SELECT g FROM s) s"
    )


def setup_people(vendor: str):
    """The merchant and its followers, built once per benchmark database."""
    from django.db import connection, transaction
    from django.utils import timezone

    from infoconnect.accounts.models import MerchantProfile, User
    from infoconnect.messaging import actions

    merchant = User.objects.filter(username=MERCHANT).first()
    if merchant is None:
        merchant = User.objects.create_user(MERCHANT, kind="merchant", is_verified_merchant=True)
        MerchantProfile.objects.create(
            user=merchant,
            shop_name="Fan-out shop",
            company_name="Fan-out Trading Co., Ltd.",
            business_license_number="91310000MA1FL8TQ3X",
            contact_phone="13800138000",
            status=MerchantProfile.Status.VERIFIED,
        )
    actions.enrol_merchant(merchant=merchant)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM social_follow WHERE target_id = %s", [merchant.pk])
        if cursor.fetchone()[0] == FOLLOWERS:
            return merchant
    now = timezone.now()
    false = "false" if vendor == "postgresql" else "0"
    true = "true" if vendor == "postgresql" else "1"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM social_follow WHERE target_id = %s", [merchant.pk])
        cursor.execute(
            "DELETE FROM messaging_marketingpreference WHERE merchant_id = %s", [merchant.pk]
        )
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM accounts_user")
        base = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO accounts_user (password, last_login, is_superuser, first_name,"
            " last_name, email, is_staff, is_active, date_joined, username, kind,"
            " display_name, bio, region, avatar, avatar_thumb, is_verified_merchant,"
            " message_policy, followers_count, following_count, posts_count)"
            f" SELECT '!', NULL, {false}, '', '', '', {false}, {true}, %s,"
            f" 'fo{base}_' || g, 'person', '', '', 'SH', '', '', {false}, 'everyone', 0, 1, 0"
            f" FROM {series(vendor, FOLLOWERS)}",
            [now],
        )
        cursor.execute(
            "INSERT INTO social_follow (follower_id, target_id, created_at)"
            " SELECT id, %s, %s FROM accounts_user WHERE id > %s AND username LIKE %s",
            [merchant.pk, now, base, f"fo{base}\\_%" if vendor == "postgresql" else f"fo{base}_%"],
        )
        # Every tenth follower has turned this merchant's marketing off.
        cursor.execute(
            "INSERT INTO messaging_marketingpreference"
            " (follower_id, merchant_id, accepts_marketing, source, updated_at)"
            f" SELECT follower_id, target_id, {false}, 'settings', %s FROM social_follow"
            " WHERE target_id = %s AND follower_id %% 10 = 0",
            [now, merchant.pk],
        )
        User.objects.filter(pk=merchant.pk).update(followers_count=FOLLOWERS)
    analyze(vendor)
    return merchant


def analyze(vendor: str, tables: tuple[str, ...] = ()) -> None:
    """Statistics, and on PostgreSQL the visibility map that autovacuum keeps for a table that
    is mostly read (the follow list): without it a freshly loaded table cannot be read by its
    index alone, which no database that has been running a while is like."""
    from django.db import connection

    command = "VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE"
    with connection.cursor() as cursor:
        for table in tables or ("",):
            cursor.execute(f"{command} {table}".strip())


def reset_messaging(vendor: str) -> None:
    from django.db import connection, transaction

    tables = [
        "messaging_receipt",
        "messaging_campaignactivity",
        "messaging_campaignchunk",
        "messaging_participant",
        "messaging_conversation",
        "messaging_campaign",
        "messaging_message",
        "django_tasks_database_dbtaskresult",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE messaging_receipt")
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def baseline(vendor: str, merchant) -> tuple[int, float]:
    """One plain INSERT … SELECT of the same receipts."""
    from django.db import connection, transaction
    from django.utils import timezone

    from infoconnect.messaging.models import Message

    message = Message.objects.create(sender=merchant, body="baseline")
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO messaging_receipt (recipient_id, message_id, created_at, flags)"
            " SELECT f.follower_id, %s, %s, 0 FROM social_follow f WHERE f.target_id = %s"
            " AND NOT EXISTS (SELECT 1 FROM messaging_marketingpreference p"
            " WHERE p.merchant_id = f.target_id AND p.follower_id = f.follower_id"
            " AND NOT p.accepts_marketing)",
            [message.pk, timezone.now(), merchant.pk],
        )
        rows = cursor.rowcount
    return rows, time.perf_counter() - start


def run_workers(count: int) -> None:
    from django.db import connections
    from django_tasks_db.management.commands.db_worker import Worker

    def work():
        try:
            Worker(
                queue_names=["default"],
                interval=0.05,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=f"bench-{threading.get_ident()}",
                excluded_queue_names=[],
            ).run()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def fanout(vendor: str, merchant) -> tuple[int, float]:
    from infoconnect.messaging import actions
    from infoconnect.messaging.models import Campaign
    from infoconnect.wallet import actions as wallet_actions

    campaign = actions.create_campaign(
        merchant=merchant,
        title="Bench sale",
        body="A million people hear about it.",
        link_url="https://shop.example.com/sale",
    )
    # Sending holds the campaign's cost (1 fen a follower) from the merchant's balance.
    payment = wallet_actions.start_topup(
        user_id=merchant.pk, amount=wallet_actions.MAX_TOPUP, destination="merchant"
    )
    wallet_actions.complete_topup(payment_id=payment.pk)
    start = time.perf_counter()
    actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    run_workers(2 if vendor == "postgresql" else 1)
    elapsed = time.perf_counter() - start
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign.state == "sent", campaign.state
    return campaign.delivered, elapsed


def fill_receipts(vendor: str, merchant) -> None:
    """Top the receipts table up to RECEIPTS rows: campaigns of other merchants to everyone."""
    from django.db import connection, transaction
    from django.utils import timezone

    from infoconnect.accounts.models import User
    from infoconnect.messaging.models import Campaign, Message, Receipt

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(follower_id), MAX(follower_id) FROM social_follow WHERE target_id = %s",
            [merchant.pk],
        )
        low, high = cursor.fetchone()
    missing = RECEIPTS - Receipt.objects.count()
    shop = 0
    while missing > 0:
        shop += 1
        other, _ = User.objects.get_or_create(
            username=f"fanout_other{shop}", defaults={"kind": "merchant"}
        )
        campaign = Campaign.objects.create(
            merchant=other, title=f"Offer {shop}", body="Offer", state="sent"
        )
        message = Message.objects.create(sender=other, campaign=campaign, body="Offer")
        rows = min(missing, high - low + 1)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO messaging_receipt (recipient_id, message_id, created_at, flags)"
                " SELECT follower_id, %s, %s, 0 FROM social_follow"
                " WHERE target_id = %s AND follower_id < %s",
                [message.pk, timezone.now(), merchant.pk, low + rows],
            )
            missing -= cursor.rowcount
    analyze(vendor)


def inbox_p99(merchant) -> tuple[float, int]:
    from infoconnect.accounts.models import User
    from infoconnect.messaging import actions, selectors
    from infoconnect.social.models import Follow

    ids = list(
        Follow.objects.filter(target=merchant)
        .order_by("follower_id")
        .values_list("follower_id", flat=True)[:: max(1, FOLLOWERS // 2000)]
    )
    random.seed(3)
    sample = random.sample(ids, min(500, len(ids)))
    # Some of them also have private conversations with the merchant.
    for person_id in sample[:25]:
        actions.send_message(sender=merchant, recipient_id=person_id, body="Thanks for your order!")
    users = list(User.objects.filter(pk__in=sample))
    for user in users[:20]:
        selectors.inbox(user=user)  # warm the caches
    samples = []
    entries = 0
    for user in users:
        start = time.perf_counter()
        page = selectors.inbox(user=user)
        samples.append((time.perf_counter() - start) * 1000)
        entries += len(page)
    return percentile(samples, 99), entries


def main() -> None:
    vendor = setup_django()
    merchant = setup_people(vendor)
    analyze(vendor, tables=("social_follow", "messaging_marketingpreference"))
    # The machine is shared: alternate the two and keep the median of each.
    base_times, send_times = [], []
    for _ in range(ROUNDS):
        reset_messaging(vendor)
        base_rows, base_seconds = baseline(vendor, merchant)
        reset_messaging(vendor)
        delivered, seconds = fanout(vendor, merchant)
        assert delivered == base_rows, (delivered, base_rows)
        base_times.append(base_seconds)
        send_times.append(seconds)
    base_seconds, seconds = median(base_times), median(send_times)
    rate, base_rate = delivered / seconds, base_rows / base_seconds
    emit(
        "fanout.deliveries_per_s",
        rate,
        "rows/s",
        base_rate,
        rate / base_rate,
        vendor=vendor,
        followers=FOLLOWERS,
        delivered=delivered,
        rounds=ROUNDS,
        seconds_each=[round(t, 3) for t in send_times],
        baseline_seconds_each=[round(t, 3) for t in base_times],
    )
    per_million = seconds * 1_000_000 / FOLLOWERS
    base_per_million = base_seconds * 1_000_000 / FOLLOWERS
    emit(
        "fanout.seconds_1m",
        per_million,
        "s",
        base_per_million,
        base_per_million / per_million,
        vendor=vendor,
        followers=FOLLOWERS,
    )
    fill_receipts(vendor, merchant)
    from infoconnect.messaging.models import Receipt

    p99, entries = inbox_p99(merchant)
    emit(
        "inbox.first_page_p99_ms",
        p99,
        "ms",
        None,
        None,
        vendor=vendor,
        receipts=Receipt.objects.count(),
        target_ms=10,
    )


if __name__ == "__main__":
    main()
