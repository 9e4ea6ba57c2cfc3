"""Home timeline: the first page for an account following 1,000 of 10,000 accounts that
have written 1,000,000 posts between them.

The data is built once with set-based SQL (generate_series on PostgreSQL, a recursive CTE
on SQLite) and reused on later runs. The selector is timed against one hand-written SQL
query that returns the same rows and columns, run through the same connection.

Posts: every 10th is a reply (never on a home timeline), every 10th (offset 5) a plain
repost, every 10th (offset 3) followers-only (仅粉丝可见); authors are spread over all
accounts. The viewer mutes 10 of the accounts it follows, blocks one account and is
blocked by another, so every filter has work to do. Every 100th post (offset 7, always a
public one) carries #benchtea, a tag the viewer follows: those posts join its home timeline
whoever wrote them. Every 20th post (offset 1, always a public original) carries a picture.
A data set built before posts had a visibility is given its followers-only tenth in one
UPDATE, one built before followed tags its tagged hundredth, one built before pictures its
twentieth with a picture.

A page is what the API draws a timeline from: the selector's posts, then each post's pictures
and polls (social.media.media_for_posts, social.polls.for_posts). The baseline runs the same
three statements by hand.
"""

import sys
import time
from datetime import UTC, datetime

from common import emit, percentile, setup_django, timed_ms

N_ACCOUNTS = 10_000
N_POSTS = 1_000_000
FOLLOWED_EVERY = 10  # the viewer follows accounts 10, 20, …, 10,000: 1,000 of them
N_MUTED = 10
OTHER_FOLLOWS_EACH = 20
REPEAT = 1_000
WARMUP = 50
PREFIX = "tl_"  # usernames tl_1 … tl_10000; tl_1 is the viewer
PRIVATE_EVERY, PRIVATE_OFFSET = 10, 3  # post i is followers-only when i % 10 = 3
TAGGED_EVERY, TAGGED_OFFSET = 100, 7  # post i carries the followed tag when i % 100 = 7
FOLLOWED_TAG = "benchtea"
PICTURE_EVERY, PICTURE_OFFSET = 20, 1  # post i has a picture when i % 20 = 1


def log(message: str) -> None:
    print(f"# timeline: {message}", file=sys.stderr, flush=True)


def series(vendor: str, count: int) -> tuple[str, str]:
    """(prefix, source) for `INSERT … {prefix} SELECT … FROM {source}` over i = 1..count."""
    count = int(count)
    if vendor == "postgresql":
        return "", f"generate_series(1, {count}) AS s(i)"
    return (
        f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {count})",
        "s",
    )


def insert_select(model, count: int, exprs: dict[str, tuple[str, list]]) -> None:
    """Insert ``count`` rows of ``model`` in one statement; ``exprs`` gives SQL (over the
    series variable ``i``) for some columns, every other column takes its field default."""
    from django.db import connection

    columns, values, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.column in exprs:
            sql, sql_params = exprs[field.column]
            values.append(sql)
            params.extend(sql_params)
        elif field.primary_key:
            continue
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        columns.append(connection.ops.quote_name(field.column))
    prefix, source = series(connection.vendor, count)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"{prefix} SELECT {', '.join(values)} FROM {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def max_id(model) -> int:
    from django.db.models import Max

    return model.objects.aggregate(top=Max("pk"))["top"] or 0


def is_built() -> bool:
    from infoconnect.accounts.models import User
    from infoconnect.social.models import Post

    accounts = User.objects.filter(username__startswith=PREFIX)
    if not accounts.exists():
        return False
    low, high = (
        accounts.order_by("pk").values_list("pk", flat=True).first(),
        accounts.order_by("-pk").values_list("pk", flat=True).first(),
    )
    complete = (
        accounts.count() == N_ACCOUNTS
        and Post.objects.filter(author_id__gte=low, author_id__lte=high).count() == N_POSTS
    )
    if not complete:
        raise SystemExit(
            "timeline: the benchmark database holds an incomplete data set; "
            "delete it (.bench/ or the *_bench PostgreSQL database) and run again"
        )
    return True


def build(vendor: str) -> None:
    from django.db import connection, transaction

    from infoconnect.accounts.models import User
    from infoconnect.social.models import Block, Follow, Mute, Post

    started = time.perf_counter()
    now = datetime.now(UTC).replace(microsecond=0)
    if vendor == "postgresql":
        # Newest post at `now`, one second apart going back.
        created = (f"%s::timestamptz - make_interval(secs => {N_POSTS} - i)", [now])
    else:
        # Django stores SQLite datetimes as UTC text.
        created = (
            f"datetime(%s, '-' || ({N_POSTS} - i) || ' seconds')",
            [now.strftime("%Y-%m-%d %H:%M:%S")],
        )
    with transaction.atomic():
        u = max_id(User)
        p = max_id(Post)
        insert_select(
            User,
            N_ACCOUNTS,
            {
                "id": (f"{u} + i", []),
                "username": (f"'{PREFIX}' || i", []),
                "email": (f"'{PREFIX}' || i || '@example.com'", []),
                "password": ("'!'", []),  # an unusable password
                "display_name": ("'Timeline ' || i", []),
                "date_joined": ("%s", [now]),
                "posts_count": (str(N_POSTS // N_ACCOUNTS), []),
            },
        )
        log(f"{N_ACCOUNTS} accounts in {time.perf_counter() - started:.1f}s")
        # 7919 is prime to 10,000: every account writes 100 posts, interleaved in time.
        insert_select(
            Post,
            N_POSTS,
            {
                "id": (f"{p} + i", []),
                "author_id": (f"{u} + 1 + (((i %% {N_ACCOUNTS}) * 7919) %% {N_ACCOUNTS})", []),
                "text": (
                    "CASE WHEN i %% 10 = 5 THEN '' ELSE 'Post number ' || i || ' #bench' END",
                    [],
                ),
                "in_reply_to_id": (f"CASE WHEN i %% 10 = 0 THEN {p} + i - 1 END", []),
                "repost_of_id": (f"CASE WHEN i %% 10 = 5 THEN {p} + i - 3 END", []),
                "visibility": (
                    f"CASE WHEN i %% {PRIVATE_EVERY} = {PRIVATE_OFFSET} "
                    "THEN 'private' ELSE 'public' END",
                    [],
                ),
                "created_at": created,
            },
        )
        log(f"{N_POSTS} posts in {time.perf_counter() - started:.1f}s")
        viewer = u + 1
        n_followed = N_ACCOUNTS // FOLLOWED_EVERY
        insert_select(
            Follow,
            n_followed,
            {
                "follower_id": (str(viewer), []),
                "target_id": (f"{u} + {FOLLOWED_EVERY} * i", []),
                "created_at": ("%s", [now]),
            },
        )
        # Every other account follows 20 others, so the follow table is not the viewer's alone.
        others = (N_ACCOUNTS - 1) * OTHER_FOLLOWS_EACH
        follower_idx = f"(2 + (i - 1) / {OTHER_FOLLOWS_EACH})"
        insert_select(
            Follow,
            others,
            {
                "follower_id": (f"{u} + {follower_idx}", []),
                "target_id": (
                    f"{u} + 1 + (({follower_idx} - 1 + ((i - 1) %% {OTHER_FOLLOWS_EACH} + 1) * 491)"
                    f" %% {N_ACCOUNTS})",
                    [],
                ),
                "created_at": ("%s", [now]),
            },
        )
        insert_select(
            Mute,
            N_MUTED,
            {
                "muter_id": (str(viewer), []),
                "muted_id": (f"{u} + {FOLLOWED_EVERY} * i", []),
                "created_at": ("%s", [now]),
            },
        )
        Block.objects.create(blocker_id=viewer, blocked_id=u + 15)
        Block.objects.create(blocker_id=u + 25, blocked_id=viewer)
        User.objects.filter(pk=viewer).update(following_count=n_followed)
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (User, Post):
                    table = model._meta.db_table
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    log(f"built in {time.perf_counter() - started:.1f}s")


def ensure_visibility(vendor: str) -> None:
    """Give a data set built before posts had a visibility its followers-only tenth."""
    from django.db import connection
    from django.db.models import Max, Min

    from infoconnect.accounts.models import User
    from infoconnect.social.models import Post, Visibility

    accounts = User.objects.filter(username__startswith=PREFIX).aggregate(
        low=Min("pk"), high=Max("pk")
    )
    posts = Post.objects.filter(author_id__gte=accounts["low"], author_id__lte=accounts["high"])
    if posts.filter(visibility=Visibility.PRIVATE).exists():
        return
    started = time.perf_counter()
    first = posts.aggregate(first=Min("pk"))["first"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE social_post SET visibility = 'private' WHERE id >= %s AND id < %s"
            f" AND (id - %s + 1) %% {PRIVATE_EVERY} = {PRIVATE_OFFSET}",
            [first, first + N_POSTS, first],
        )
        cursor.execute("VACUUM ANALYZE social_post" if vendor == "postgresql" else "ANALYZE")
    log(
        f"{N_POSTS // PRIVATE_EVERY} posts made followers-only in {time.perf_counter() - started:.1f}s"
    )


def ensure_followed_tag(vendor: str) -> None:
    """Tag every 100th post with the tag the viewer follows (once per data set)."""
    from django.db import connection
    from django.db.models import Max, Min

    from infoconnect.accounts.models import User
    from infoconnect.social.models import FollowedTag, Post, Tag

    viewer = User.objects.get(username=f"{PREFIX}1")
    tag, _created = Tag.objects.get_or_create(name=FOLLOWED_TAG)
    if FollowedTag.objects.filter(user=viewer, tag=tag).exists():
        return
    started = time.perf_counter()
    accounts = User.objects.filter(username__startswith=PREFIX).aggregate(
        low=Min("pk"), high=Max("pk")
    )
    posts = Post.objects.filter(author_id__gte=accounts["low"], author_id__lte=accounts["high"])
    first = posts.aggregate(first=Min("pk"))["first"]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO social_posttag (tag_id, post_id) SELECT %s, id FROM social_post"
            f" WHERE id >= %s AND id < %s AND (id - %s + 1) %% {TAGGED_EVERY} = {TAGGED_OFFSET}",
            [tag.pk, first, first + N_POSTS, first],
        )
        FollowedTag.objects.create(user=viewer, tag=tag)
        cursor.execute("VACUUM ANALYZE social_posttag" if vendor == "postgresql" else "ANALYZE")
    log(f"{N_POSTS // TAGGED_EVERY} posts tagged in {time.perf_counter() - started:.1f}s")


def ensure_pictures(vendor: str) -> None:
    """Give every 20th post a picture (once per data set): rows only, no files."""
    from django.db import connection
    from django.db.models import Max, Min

    from infoconnect.accounts.models import User
    from infoconnect.social.models import MediaAttachment, Post

    accounts = User.objects.filter(username__startswith=PREFIX).aggregate(
        low=Min("pk"), high=Max("pk")
    )
    posts = Post.objects.filter(author_id__gte=accounts["low"], author_id__lte=accounts["high"])
    first = posts.aggregate(first=Min("pk"))["first"]
    if MediaAttachment.objects.filter(post_id__gte=first, post_id__lt=first + N_POSTS).exists():
        return
    started = time.perf_counter()
    post_id = f"({first} - 1 + {PICTURE_EVERY} * (i - 1) + {PICTURE_OFFSET})"
    insert_select(
        MediaAttachment,
        N_POSTS // PICTURE_EVERY,
        {
            "owner_id": (f"(SELECT author_id FROM social_post WHERE id = {post_id})", []),
            "post_id": (post_id, []),
            "image": ("'media/bench/tea.jpg'", []),
            "thumbnail": ("'media/thumbs/bench/tea.jpg'", []),
            "width": ("1200", []),
            "height": ("900", []),
            "blurhash": ("'LEHV6nWB2yk8pyo0adR*.7kCMdnj'", []),
            "description": ("'A cup of tea'", []),
        },
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE social_mediaattachment" if vendor == "postgresql" else "ANALYZE"
        )
    log(f"{N_POSTS // PICTURE_EVERY} pictures in {time.perf_counter() - started:.1f}s")


def baseline_sql() -> str:
    """The page by hand: the same rows and the same columns the selector's query loads."""
    from infoconnect.accounts.models import User
    from infoconnect.social.models import Post

    def cols(model, alias: str) -> str:
        return ", ".join(f"{alias}.{f.column}" for f in model._meta.concrete_fields)

    return f"""
        SELECT {cols(Post, "p")}, {cols(User, "a")}, {cols(Post, "r")}, {cols(User, "ra")}
        FROM social_post p
        JOIN accounts_user a ON a.id = p.author_id
        LEFT JOIN social_post r ON r.id = p.repost_of_id
        LEFT JOIN accounts_user ra ON ra.id = r.author_id
        WHERE (p.author_id IN (SELECT target_id FROM social_follow WHERE follower_id = %s)
               OR p.author_id = %s
               OR (p.visibility = 'public'
                   AND p.id IN (SELECT pt.post_id FROM social_posttag pt
                                JOIN social_followedtag ft ON ft.tag_id = pt.tag_id
                                WHERE ft.user_id = %s)
                   AND p.author_id NOT IN (
                     SELECT blocked_id FROM social_block WHERE blocker_id = %s
                     UNION ALL SELECT blocker_id FROM social_block WHERE blocked_id = %s)))
          AND p.in_reply_to_id IS NULL
          AND p.author_id NOT IN (SELECT muted_id FROM social_mute WHERE muter_id = %s)
          AND p.author_id NOT IN (
            SELECT la.account_id FROM social_listaccount la JOIN social_list l ON l.id = la.list_id
            WHERE l.owner_id = %s AND l.exclusive)
          AND (r.author_id IS NULL OR r.author_id NOT IN (
                SELECT muted_id FROM social_mute WHERE muter_id = %s
                UNION ALL SELECT blocked_id FROM social_block WHERE blocker_id = %s
                UNION ALL SELECT blocker_id FROM social_block WHERE blocked_id = %s))
          AND (p.visibility <> 'direct' OR p.author_id = %s OR p.id IN (
                SELECT post_id FROM social_mention WHERE user_id = %s))
          AND (r.id IS NULL OR r.visibility IN ('public', 'unlisted') OR r.author_id = %s
               OR (r.visibility = 'private'
                   AND r.author_id IN (SELECT target_id FROM social_follow WHERE follower_id = %s))
               OR r.id IN (SELECT post_id FROM social_mention WHERE user_id = %s))
        ORDER BY p.id DESC
        LIMIT 20
    """


def main() -> int:
    vendor = setup_django()
    from django.db import connection

    from infoconnect.accounts.models import User
    from infoconnect.core.pagination import PageParams
    from infoconnect.social import polls
    from infoconnect.social.media import media_for_posts
    from infoconnect.social.models import MediaAttachment, Poll, Post
    from infoconnect.social.selectors import home_timeline

    if is_built():
        log("reusing the data set")
        ensure_visibility(vendor)
    else:
        build(vendor)
    ensure_followed_tag(vendor)
    ensure_pictures(vendor)
    viewer = User.objects.get(username=f"{PREFIX}1")

    def selector() -> tuple[list, dict]:
        posts = home_timeline(user=viewer, page=PageParams())
        shown = []
        for post in posts:
            post.author.username  # noqa: B018 - loaded by select_related, touched to prove it
            if post.repost_of is not None:
                post.repost_of.author.username  # noqa: B018
            shown.append(post.repost_of if post.is_plain_repost else post)
        pictures = media_for_posts(p.pk for p in shown)
        polls.for_posts(shown, viewer)
        return posts, pictures

    sql = baseline_sql()
    params = [viewer.pk] * sql.count("%s")
    table = connection.ops.quote_name
    columns = [f.column for f in Post._meta.concrete_fields]
    REPOST, TEXT = columns.index("repost_of_id"), columns.index("text")  # noqa: N806
    media_columns = ", ".join(f.column for f in MediaAttachment._meta.concrete_fields)
    poll_columns = ", ".join(f.column for f in Poll._meta.concrete_fields)

    def baseline() -> tuple[list, list]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            # A plain repost (no text) shows the post it reposts.
            ids = [row[REPOST] if row[REPOST] and not row[TEXT] else row[0] for row in rows]
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"SELECT {media_columns} FROM {table('social_mediaattachment')}"
                f" WHERE post_id IN ({marks}) ORDER BY post_id, position",
                ids,
            )
            pictures = cursor.fetchall()
            cursor.execute(
                f"SELECT {poll_columns} FROM {table('social_poll')} WHERE post_id IN ({marks})",
                ids,
            )
            cursor.fetchall()
            return rows, pictures

    (posts, pictures), (rows, their_pictures) = selector(), baseline()
    mine, theirs = [p.pk for p in posts], [row[0] for row in rows]
    if mine != theirs or len(mine) != PageParams().limit:
        print(f"timeline: selector {mine} != baseline {theirs}", file=sys.stderr)
        return 1
    if sum(map(len, pictures.values())) != len(their_pictures) or not their_pictures:
        print("timeline: the page's pictures differ from the baseline's", file=sys.stderr)
        return 1
    timed_ms(selector, WARMUP)
    timed_ms(baseline, WARMUP)
    # Interleaved, so a busy machine slows both sides alike.
    value, base = [], []
    for _ in range(REPEAT):
        value += timed_ms(selector, 1)
        base += timed_ms(baseline, 1)
    for pct in (50, 99):
        v, b = percentile(value, pct), percentile(base, pct)
        emit(f"timeline.home_p{pct}_ms", v, "ms", b, b / v, vendor=vendor, runs=REPEAT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
