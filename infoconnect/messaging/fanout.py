"""The set-based SQL of a campaign's fan-out, written for SQLite and PostgreSQL.

One chunk of followers (a follower-id range) is written with one INSERT … SELECT … ON
CONFLICT DO NOTHING that leaves out deactivated, blocked (either way), muted, opted-out and
capped followers. On PostgreSQL the same statement (a data-modifying CTE) returns every count; on
SQLite a second statement, driven by the small sets of blocks, mutes and opt-outs, counts
the skips. Capped = targeted − delivered − the other skips.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection

from infoconnect.messaging.models import Message
from infoconnect.shop.models import Order

# Skip reasons in order of precedence: a follower who is several is counted under the first.
INACTIVE, BLOCKED, MUTED, OPTED_OUT = 1, 2, 3, 4

# The shop's order states that make a follower someone who "has bought from me": paid or
# later, and not refunded.
BOUGHT_STATES = (Order.State.PAID, Order.State.SHIPPED, Order.State.COMPLETED)


@dataclass(frozen=True)
class Audience:
    merchant_id: int
    tags: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    followed_since: datetime | None = None
    bought_from_me: bool = False

    @classmethod
    def of(cls, merchant_id: int, spec: dict, now: datetime) -> "Audience":
        days = spec.get("followed_within_days")
        return cls(
            merchant_id=merchant_id,
            tags=tuple(spec.get("tags") or ()),
            regions=tuple(spec.get("regions") or ()),
            followed_since=now - timedelta(days=days) if days else None,
            bought_from_me=bool(spec.get("bought_from_me")),
        )


@dataclass(frozen=True)
class Cap:
    """The frequency cap, active only once the merchant sent `limit` messages in the window."""

    message_ids: tuple[int, ...]
    limit: int


@dataclass(frozen=True)
class ChunkCounts:
    targeted: int
    delivered: int
    blocked: int
    muted: int
    unsubscribed: int
    capped: int
    inactive: int


def active_cap(
    *, merchant_id: int, limit: int, days: int, now: datetime, exclude_id: int | None
) -> Cap | None:
    recent = (
        Message.objects.filter(
            sender_id=merchant_id,
            campaign__isnull=False,
            is_test=False,
            created_at__gte=now - timedelta(days=days),
        )
        .exclude(pk=exclude_id)
        .values_list("pk", flat=True)
    )
    ids = tuple(recent)
    # Fewer recent messages than the cap: nobody can have reached it.
    if len(ids) < limit:
        return None
    return Cap(message_ids=ids, limit=limit)


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


def _candidates(
    audience: Audience,
    low: int | None,
    high: int | None,
    driver: tuple[str, list] | None = None,
    outer_join: str = "",
) -> tuple[str, list]:
    """FROM … WHERE … selecting the merchant's followers in the audience (alias f).

    With a driver (a query of follower ids), only those followers, looked up one by one.
    """
    params: list = []
    if driver is None:
        sql = f"FROM social_follow f{outer_join}"
    else:
        # CROSS JOIN keeps SQLite's loop order: the small set outside, the follow index inside.
        sql = f"FROM ({driver[0]}) d CROSS JOIN social_follow f"
        params += driver[1]
    if audience.regions:
        sql += (
            " JOIN accounts_user u ON u.id = f.follower_id"
            f" AND u.region IN ({_placeholders(audience.regions)})"
        )
        params += list(audience.regions)
    sql += " WHERE f.target_id = %s"
    params.append(audience.merchant_id)
    if driver is not None:
        sql += " AND f.follower_id = d.id"
    if low is not None:
        sql += " AND f.follower_id >= %s AND f.follower_id < %s"
        params += [low, high]
    if audience.followed_since is not None:
        sql += " AND f.created_at >= %s"
        params.append(audience.followed_since)
    if audience.tags:
        sql += (
            " AND EXISTS (SELECT 1 FROM messaging_followertag t WHERE t.merchant_id = %s"
            f" AND t.follower_id = f.follower_id AND t.tag IN ({_placeholders(audience.tags)}))"
        )
        params += [audience.merchant_id, *audience.tags]
    if audience.bought_from_me:
        # Paid or later, and not refunded: an order that was undone is not a customer.
        sql += (
            " AND EXISTS (SELECT 1 FROM shop_order o WHERE o.buyer_id = f.follower_id"
            f" AND o.merchant_id = %s AND o.state IN ({_placeholders(BOUGHT_STATES)}))"
        )
        params += [audience.merchant_id, *(str(state) for state in BOUGHT_STATES)]
    return sql, params


def _capped(cap: Cap) -> tuple[str, list]:
    return (
        "(SELECT COUNT(*) FROM messaging_receipt r WHERE r.recipient_id = f.follower_id"
        f" AND r.message_id IN ({_placeholders(cap.message_ids)})) >= %s",
        [*cap.message_ids, cap.limit],
    )


def _skip_set(
    merchant_id: int, low: int | None, high: int | None, *, reasons: bool = False
) -> tuple[str, list]:
    """Account ids (in the range) deactivated, or that block, are blocked by, mute or opted out
    of the merchant.

    These sets are small next to the follower list (deactivated accounts have a partial index
    of their own), so both databases hash them once per statement instead of probing five
    indexes for every follower.
    """
    sources = [
        # (id column, table, condition, whether it takes the merchant's id, reason)
        ("id", "accounts_user", "NOT is_active", False, INACTIVE),
        ("blocker_id", "social_block", "blocked_id = %s", True, BLOCKED),
        ("blocked_id", "social_block", "blocker_id = %s", True, BLOCKED),
        ("muter_id", "social_mute", "muted_id = %s", True, MUTED),
        (
            "follower_id",
            "messaging_marketingpreference",
            "merchant_id = %s AND NOT accepts_marketing",
            True,
            OPTED_OUT,
        ),
    ]
    selects, params = [], []
    for column, table, condition, by_merchant, reason in sources:
        reason_column = f", {reason} AS reason" if reasons else ""
        sql = f"SELECT {column} AS id{reason_column} FROM {table} WHERE {condition}"
        if by_merchant:
            params.append(merchant_id)
        if low is not None:
            sql += f" AND {column} >= %s AND {column} < %s"
            params += [low, high]
        selects.append(sql)
    return " UNION ALL ".join(selects), params


def _eligible(
    audience: Audience, cap: Cap | None, low: int | None, high: int | None
) -> tuple[str, list]:
    skip_set, params = _skip_set(audience.merchant_id, low, high)
    sql = f"AND f.follower_id NOT IN ({skip_set})"
    if cap is not None:
        capped, capped_params = _capped(cap)
        sql += f" AND NOT {capped}"
        params = [*params, *capped_params]
    return sql, params


def write_chunk(
    *,
    audience: Audience,
    message_id: int,
    low: int,
    high: int,
    cap: Cap | None,
    now: datetime,
) -> ChunkCounts:
    """Write one follower range's receipts and count who was left out, and why."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A lost commit loses the chunk's done flag with it, so the retry rewrites it.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            # Compiling this statement costs more than the JIT saves.
            cursor.execute("SET LOCAL jit TO OFF")
            return _write_chunk_counting(cursor, audience, message_id, low, high, cap, now)
        candidates, candidate_params = _candidates(audience, low, high)
        eligible, eligible_params = _eligible(audience, cap, low, high)
        cursor.execute(
            "INSERT INTO messaging_receipt (recipient_id, message_id, created_at, flags)"
            f" SELECT f.follower_id, %s, %s, 0 {candidates} {eligible}"
            " ON CONFLICT DO NOTHING",
            [message_id, now, *candidate_params, *eligible_params],
        )
        delivered = cursor.rowcount
        inactive, blocked, muted, unsubscribed = _skips(cursor, audience, low, high)
        if cap is None:
            targeted = delivered + inactive + blocked + muted + unsubscribed
        else:
            candidates, candidate_params = _candidates(audience, low, high)
            cursor.execute(f"SELECT COUNT(*) {candidates}", candidate_params)
            targeted = cursor.fetchone()[0]
    return ChunkCounts(
        targeted=targeted,
        delivered=delivered,
        blocked=blocked,
        muted=muted,
        unsubscribed=unsubscribed,
        capped=targeted - delivered - inactive - blocked - muted - unsubscribed,
        inactive=inactive,
    )


def _write_chunk_counting(
    cursor, audience: Audience, message_id: int, low: int, high: int, cap: Cap | None, now
) -> ChunkCounts:
    """PostgreSQL: the insert and every count in one statement (a data-modifying CTE), so
    all of them see one snapshot. The counts take a second index-only pass over the range,
    which costs less than keeping the range's followers in a materialized CTE for both."""
    skip_set, skip_params = _skip_set(audience.merchant_id, low, high, reasons=True)
    candidates, candidate_params = _candidates(audience, low, high)
    counted, counted_params = _candidates(
        audience, low, high, outer_join=" LEFT JOIN s ON s.id = f.follower_id"
    )
    capped, capped_params = _capped(cap) if cap is not None else ("FALSE", [])
    cursor.execute(
        f"WITH s AS (SELECT id, MIN(reason) AS reason FROM ({skip_set}) k GROUP BY id),"
        " ins AS (INSERT INTO messaging_receipt (recipient_id, message_id, created_at, flags)"
        f" SELECT f.follower_id, %s, %s, 0 {candidates}"
        f" AND f.follower_id NOT IN (SELECT id FROM s) AND NOT {capped}"
        " ON CONFLICT DO NOTHING RETURNING 1)"
        " SELECT (SELECT COUNT(*) FROM ins), COUNT(*), COUNT(*) FILTER (WHERE s.reason = %s),"
        " COUNT(*) FILTER (WHERE s.reason = %s), COUNT(*) FILTER (WHERE s.reason = %s),"
        f" COUNT(*) FILTER (WHERE s.reason = %s) {counted}",
        [
            *skip_params,
            message_id,
            now,
            *candidate_params,
            *capped_params,
            INACTIVE,
            BLOCKED,
            MUTED,
            OPTED_OUT,
            *counted_params,
        ],
    )
    delivered, targeted, inactive, blocked, muted, opted_out = cursor.fetchone()
    return ChunkCounts(
        targeted=targeted,
        delivered=delivered,
        blocked=blocked,
        muted=muted,
        unsubscribed=opted_out,
        capped=targeted - delivered - inactive - blocked - muted - opted_out,
        inactive=inactive,
    )


def _skips(
    cursor, audience: Audience, low: int | None, high: int | None
) -> tuple[int, int, int, int]:
    """Deactivated, blocked, muted and opted-out followers in the range, each counted under
    one reason."""
    skip_set, skip_params = _skip_set(audience.merchant_id, low, high, reasons=True)
    driver = (f"SELECT id, MIN(reason) AS reason FROM ({skip_set}) k GROUP BY id", skip_params)
    candidates, candidate_params = _candidates(audience, low, high, driver=driver)
    cursor.execute(f"SELECT d.reason, COUNT(*) {candidates} GROUP BY d.reason", candidate_params)
    counts = dict(cursor.fetchall())
    return tuple(counts.get(reason, 0) for reason in (INACTIVE, BLOCKED, MUTED, OPTED_OUT))


def count_audience(audience: Audience) -> int:
    """Every follower in the audience, before skips: an index-only count."""
    candidates, params = _candidates(audience, None, None)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {candidates}", params)
        return int(cursor.fetchone()[0])


def estimate(*, audience: Audience, cap: Cap | None) -> ChunkCounts:
    """The whole audience's counts, as a send now would find them.

    An index-only count of the audience and counts driven by the small skip sets; only an
    active frequency cap needs a look at every remaining follower.
    """
    candidates, params = _candidates(audience, None, None)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {candidates}", params)
        targeted = int(cursor.fetchone()[0])
        inactive, blocked, muted, opted_out = _skips(cursor, audience, None, None)
        capped = 0
        if cap is not None:
            eligible, eligible_params = _eligible(audience, None, None, None)
            capped_sql, capped_params = _capped(cap)
            cursor.execute(
                f"SELECT COUNT(*) {candidates} {eligible} AND {capped_sql}",
                [*params, *eligible_params, *capped_params],
            )
            capped = int(cursor.fetchone()[0])
    return ChunkCounts(
        targeted=targeted,
        delivered=targeted - inactive - blocked - muted - opted_out - capped,
        blocked=blocked,
        muted=muted,
        unsubscribed=opted_out,
        capped=capped,
        inactive=inactive,
    )


def follower_ranges(
    *, merchant_id: int, chunk_size: int, followers_hint: int = 0
) -> list[tuple[int, int]]:
    """Split the merchant's follower ids into ranges of about chunk_size followers.

    The merchant's followers_count sizes the chunks when it is known (a stale count only
    makes them uneven); the lowest and highest ids are two index lookups.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(follower_id) FROM social_follow WHERE target_id = %s", [merchant_id]
        )
        low = cursor.fetchone()[0]
        if low is None:
            return []
        cursor.execute(
            "SELECT MAX(follower_id) FROM social_follow WHERE target_id = %s", [merchant_id]
        )
        high = cursor.fetchone()[0]
        count = followers_hint
        if count <= 0:
            cursor.execute("SELECT COUNT(*) FROM social_follow WHERE target_id = %s", [merchant_id])
            count = cursor.fetchone()[0]
    chunks = max(1, -(-count // chunk_size))
    width = -(-(high - low + 1) // chunks)
    return [(start, min(start + width, high + 1)) for start in range(low, high + 1, width)]
