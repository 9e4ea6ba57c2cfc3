"""Reads of the microblog: timelines (newest first, cursor-paged by id), threads,
relationships, notifications and search. Every read hides what blocks and mutes hide."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.accounts.selectors import people
from infoconnect.core.errors import DomainError
from infoconnect.core.pagination import PageParams, paginate
from infoconnect.social.errors import SocialError
from infoconnect.social.models import (
    Block,
    Bookmark,
    Follow,
    FollowedTag,
    FollowRequest,
    Like,
    List,
    ListAccount,
    MediaAttachment,
    Mention,
    Mute,
    Notification,
    Pin,
    Post,
    PostTag,
    ScheduledStatus,
    Tag,
    Visibility,
)
from infoconnect.social.text import normalize_tag

POST_RELATED = ("author", "repost_of", "repost_of__author")


def _viewer_id(viewer: User | None) -> int | None:
    return viewer.pk if viewer is not None and viewer.is_authenticated else None


# Who may read a post, by its visibility: anyone may read these two (unlisted ones only by
# link and on the profile, not on the public and tag timelines or in search).
OPEN_VISIBILITIES = (Visibility.PUBLIC, Visibility.UNLISTED)
# Reposting shows a post to the reposter's followers: only these may be reposted.
REPOSTABLE_VISIBILITIES = OPEN_VISIBILITIES


def visible_to(viewer: User | None, *, prefix: str = "") -> Q:
    """The posts a viewer may read, as a filter on Post (``prefix`` reaches a related post,
    e.g. ``"repost_of__"``): public and unlisted for anyone; followers-only (仅粉丝可见) for
    the author, its followers and the accounts it mentions; direct for the author and the
    accounts it mentions. Nobody reads a post across a block, either way, nor a post of an
    inactive account."""
    author = f"{prefix}author_id"
    rule = Q(**{f"{prefix}visibility__in": OPEN_VISIBILITIES})
    viewer_id = _viewer_id(viewer)
    if viewer_id is not None:
        follows_author = Exists(
            Follow.objects.filter(follower_id=viewer_id, target_id=OuterRef(author))
        )
        mentioned = Exists(
            Mention.objects.filter(user_id=viewer_id, post_id=OuterRef(f"{prefix}id"))
        )
        rule |= (
            Q(**{author: viewer_id})
            | (Q(**{f"{prefix}visibility": Visibility.PRIVATE}) & follows_author)
            | (
                Q(**{f"{prefix}visibility__in": (Visibility.PRIVATE, Visibility.DIRECT)})
                & mentioned
            )
        )
        blocked = Exists(
            Block.objects.filter(
                Q(blocker_id=viewer_id, blocked_id=OuterRef(author))
                | Q(blocker_id=OuterRef(author), blocked_id=viewer_id)
            )
        )
        rule &= ~blocked
    return rule & Q(**{f"{prefix}author__is_active": True})


def can_see(*, post: Post, viewer: User | None) -> bool:
    """The per-object form of ``visible_to`` for a post already loaded (and, for a repost,
    the post it reposts)."""
    viewer_id = _viewer_id(viewer)
    for shown in (post, post.repost_of if post.repost_of_id else None):
        if shown is None:
            continue
        if not shown.author.is_active:
            return False
        if viewer_id is None:
            if shown.visibility not in OPEN_VISIBILITIES:
                return False
            continue
        if Block.objects.filter(
            Q(blocker_id=viewer_id, blocked_id=shown.author_id)
            | Q(blocker_id=shown.author_id, blocked_id=viewer_id)
        ).exists():
            return False
        if shown.visibility in OPEN_VISIBILITIES or shown.author_id == viewer_id:
            continue
        mentioned = Mention.objects.filter(post_id=shown.pk, user_id=viewer_id).exists()
        follower = (
            shown.visibility == Visibility.PRIVATE
            and Follow.objects.filter(follower_id=viewer_id, target_id=shown.author_id).exists()
        )
        if not (mentioned or follower):
            return False
    return True


def _muted_authors(viewer_id: int) -> Q:
    """Posts the viewer muted away: by accounts they mute, and reposts of their posts."""
    muted = Mute.objects.filter(muter_id=viewer_id).values("muted_id")
    return Q(author_id__in=muted) | Q(repost_of__author_id__in=muted)


def _visible(queryset: QuerySet, viewer: User | None, *, hide_muted: bool = True) -> QuerySet:
    """Posts the viewer may read (a repost only when its original is readable too)."""
    queryset = queryset.filter(
        visible_to(viewer), Q(repost_of__isnull=True) | visible_to(viewer, prefix="repost_of__")
    )
    viewer_id = _viewer_id(viewer)
    if viewer_id is not None and hide_muted:
        queryset = queryset.exclude(_muted_authors(viewer_id))
    return queryset


def _listed(queryset: QuerySet, viewer: User | None) -> QuerySet:
    """What the public and tag timelines show: public posts (and reposts of public posts)
    the viewer may read."""
    queryset = queryset.filter(
        Q(repost_of__isnull=True) | Q(repost_of__visibility=Visibility.PUBLIC),
        visibility=Visibility.PUBLIC,
    )
    return _visible(queryset, viewer)


# The home timeline's page of ids, by hand: it is the hottest read of the site and building
# the same filter through the ORM (five subqueries) costs more than running it.
_HOME_IDS_SQL = """
    SELECT p.id FROM social_post p
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
      AND (p.visibility IN ('public', 'unlisted', 'private') OR p.author_id = %s
           OR EXISTS (SELECT 1 FROM social_mention m WHERE m.post_id = p.id AND m.user_id = %s))
      AND (p.repost_of_id IS NULL OR EXISTS (
            SELECT 1 FROM social_post r
            WHERE r.id = p.repost_of_id
              AND r.author_id NOT IN (
                SELECT muted_id FROM social_mute WHERE muter_id = %s
                UNION ALL SELECT blocked_id FROM social_block WHERE blocker_id = %s
                UNION ALL SELECT blocker_id FROM social_block WHERE blocked_id = %s)
              AND (r.visibility IN ('public', 'unlisted') OR r.author_id = %s
                   OR (r.visibility = 'private' AND r.author_id IN (
                        SELECT target_id FROM social_follow WHERE follower_id = %s))
                   OR EXISTS (SELECT 1 FROM social_mention m
                              WHERE m.post_id = r.id AND m.user_id = %s))))
      AND NOT EXISTS (
        SELECT 1 FROM social_post n
        WHERE n.repost_of_id = CASE WHEN p.repost_of_id IS NOT NULL AND p.text = ''
                                    THEN p.repost_of_id ELSE p.id END
          AND n.id > p.id AND n.text = ''
          AND (n.author_id = %s
               OR n.author_id IN (SELECT target_id FROM social_follow WHERE follower_id = %s))
          AND n.author_id NOT IN (SELECT muted_id FROM social_mute WHERE muter_id = %s)
          AND n.author_id NOT IN (
            SELECT la.account_id FROM social_listaccount la JOIN social_list l ON l.id = la.list_id
            WHERE l.owner_id = %s AND l.exclusive))
      {cursor}
    ORDER BY p.id {direction}
"""


def home_timeline(*, user: User, page: PageParams) -> list[Post]:
    """The user's own posts and reposts, those of the accounts they follow, and the public
    posts that carry a tag they follow (by anyone they do not block nor are blocked by).

    Following someone is the choice to see them; only mutes, exclusive lists (their members
    are read there instead) and blocks of reposted authors still hide posts here, and visibility as ``visible_to`` has it: a followed
    account's followers-only posts show, its direct ones only to the accounts they mention,
    and a repost only when its original is readable. Comments live under their posts.

    A post shows once: an original, or a plain repost of it, gives way to a newer plain repost
    of it that is on this timeline too (the last NOT EXISTS), so the newest share stands for
    it. The rule does not depend on the cursor, so every page of the timeline keeps it.

    The page is one hand-written statement, loaded into model instances here: it is the
    busiest read of the microblog, and compiling the ORM query with its joins cost more
    than the database spent running it."""
    conditions = []
    params: list = [user.pk] * _HOME_IDS_SQL.count("%s")
    for value, op in ((page.max_id, "<"), (page.since_id, ">"), (page.min_id, ">")):
        if value is not None:
            conditions.append(f"AND p.id {op} %s")
            params.append(value)
    direction = "ASC" if page.min_id is not None else "DESC"
    # The limit is written into the statement: PostgreSQL plans a prepared statement once for
    # all values, and with the page size unknown it picks a plan for a long page.
    ids = _HOME_IDS_SQL.format(cursor=" ".join(conditions), direction=direction)
    columns = _post_page_columns()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns.select} FROM social_post p"
            " JOIN accounts_user a ON a.id = p.author_id"
            " LEFT JOIN social_post r ON r.id = p.repost_of_id"
            " LEFT JOIN accounts_user ra ON ra.id = r.author_id"
            f" WHERE p.id IN ({ids} LIMIT {int(page.limit)})",
            params,
        )
        rows = cursor.fetchall()
    posts = [columns.load(row) for row in columns.convert(rows)]
    # Sorted here: the page is 20 rows.
    return sorted(posts, key=lambda post: post.pk, reverse=True)


@dataclass(frozen=True)
class _PostPageColumns:
    """The columns of a post, its author, the post it reposts and that post's author, and how
    to turn a row of them into model instances as select_related would."""

    select: str
    post_fields: list[str]
    user_fields: list[str]
    converters: dict

    def convert(self, rows: list) -> list:
        if not self.converters:
            return rows
        compiler = Post.objects.none().query.get_compiler(connection=connection)
        return list(compiler.apply_converters(rows, self.converters))

    def load(self, row) -> Post:
        n_post, n_user = len(self.post_fields), len(self.user_fields)
        post = Post.from_db(connection.alias, self.post_fields, row[:n_post])
        author = User.from_db(connection.alias, self.user_fields, row[n_post : n_post + n_user])
        Post.author.field.set_cached_value(post, author)
        repost_of = None
        start = n_post + n_user
        if row[start] is not None:
            repost_of = Post.from_db(
                connection.alias, self.post_fields, row[start : start + n_post]
            )
            original_author = User.from_db(
                connection.alias, self.user_fields, row[start + n_post : start + n_post + n_user]
            )
            Post.author.field.set_cached_value(repost_of, original_author)
        Post.repost_of.field.set_cached_value(post, repost_of)
        return post


_columns_cache: dict[str, _PostPageColumns] = {}


def _post_page_columns() -> _PostPageColumns:
    """Built once per database engine: the select list and the engine's value converters."""
    cached = _columns_cache.get(connection.vendor)
    if cached is not None:
        return cached
    post_fields = list(Post._meta.concrete_fields)
    user_fields = list(User._meta.concrete_fields)
    layout = [(post_fields, "p"), (user_fields, "a"), (post_fields, "r"), (user_fields, "ra")]
    cols = [field.get_col(alias) for fields, alias in layout for field in fields]
    compiler = Post.objects.none().query.get_compiler(connection=connection)
    columns = _PostPageColumns(
        select=", ".join(f"{alias}.{field.column}" for fields, alias in layout for field in fields),
        post_fields=[field.attname for field in post_fields],
        user_fields=[field.attname for field in user_fields],
        converters=compiler.get_converters(cols),
    )
    _columns_cache[connection.vendor] = columns
    return columns


def _with_media(queryset: QuerySet) -> QuerySet:
    return queryset.filter(Exists(MediaAttachment.objects.filter(post_id=OuterRef("pk"))))


def profile_timeline(
    *,
    author: User,
    viewer: User | None,
    page: PageParams,
    include_replies: bool = False,
    only_media: bool = False,
) -> list[Post]:
    """An account's posts the viewer may read: all of them for the author, the open ones
    for anyone, the followers-only ones for its followers, and those that mention the
    viewer; nothing across a block."""
    viewer_id = _viewer_id(viewer)
    if (
        viewer_id is not None
        and Block.objects.filter(blocker_id=author.pk, blocked_id=viewer_id).exists()
    ):
        return []
    queryset = Post.objects.filter(author_id=author.pk)
    if not include_replies:
        queryset = queryset.filter(in_reply_to__isnull=True)
    if only_media:
        queryset = _with_media(queryset)
    return paginate(_visible(queryset, viewer).select_related(*POST_RELATED), page)


@dataclass(frozen=True)
class TagSummary:
    posts: int  # public posts and comments with the tag, by active accounts
    participants: int  # the distinct accounts that wrote them
    followers: int  # the accounts that follow the tag


TAG_SUMMARY_SECONDS = 60


def tag_summary(*, name: str) -> TagSummary:
    """A topic's figures as its page heads them, the same for every reader: two counts over
    the public posts the tag timeline lists and one of its followers, kept for a minute."""
    tag_id = Tag.objects.filter(name=normalize_tag(name)).values_list("pk", flat=True).first()
    if tag_id is None:
        return TagSummary(posts=0, participants=0, followers=0)

    def count() -> TagSummary:
        figures = PostTag.objects.filter(
            tag_id=tag_id, post__visibility=Visibility.PUBLIC, post__author__is_active=True
        ).aggregate(posts=Count("post_id"), participants=Count("post__author_id", distinct=True))
        followers = FollowedTag.objects.filter(tag_id=tag_id, user__is_active=True).count()
        return TagSummary(
            posts=figures["posts"], participants=figures["participants"], followers=followers
        )

    return cache.get_or_set(f"social:tag_summary:{tag_id}", count, TAG_SUMMARY_SECONDS)


def tag_timeline(*, name: str, viewer: User | None, page: PageParams) -> list[Post]:
    tag = Tag.objects.filter(name=normalize_tag(name)).first()
    if tag is None:
        return []
    queryset = Post.objects.filter(tags=tag)
    return paginate(_listed(queryset, viewer).select_related(*POST_RELATED), page)


def public_timeline(
    *, viewer: User | None, page: PageParams, only_media: bool = False
) -> list[Post]:
    """Every account's public posts, newest first, as Mastodon's public timeline has them:
    no comments and no plain reposts (a repost with a comment is a post of its own)."""
    queryset = Post.objects.filter(in_reply_to__isnull=True).exclude(
        repost_of__isnull=False, text=""
    )
    if only_media:
        queryset = _with_media(queryset)
    return paginate(_listed(queryset, viewer).select_related(*POST_RELATED), page)


def get_post(*, post_id: int, viewer: User | None, hide_muted: bool = True) -> Post:
    """One post the viewer may see (404 otherwise); a muted account's post too when
    ``hide_muted`` is off (the answer to one's own like or repost of it)."""
    queryset = _visible(Post.objects.filter(pk=post_id), viewer, hide_muted=hide_muted)
    post = queryset.select_related(*POST_RELATED).first()
    if post is None:
        raise DomainError(SocialError.POST_NOT_FOUND)
    return post


@dataclass
class Thread:
    ancestors: list[Post]
    descendants: list[Post]


def thread(*, post: Post, viewer: User | None, max_descendants: int = 500) -> Thread:
    """The comments a post replies to (oldest first) and those under it (in reading order)."""
    ancestors: list[Post] = []
    parent_id = post.in_reply_to_id
    seen = {post.pk}
    while parent_id and parent_id not in seen and len(ancestors) < 50:
        parent = (
            _visible(Post.objects.filter(pk=parent_id), viewer)
            .select_related(*POST_RELATED)
            .first()
        )
        if parent is None:
            break
        seen.add(parent.pk)
        ancestors.append(parent)
        parent_id = parent.in_reply_to_id
    ancestors.reverse()

    # Breadth-first by level, then laid out depth-first so each reply follows its parent.
    children: dict[int, list[Post]] = {}
    level = [post.pk]
    total = 0
    while level and total < max_descendants:
        rows = list(
            _visible(Post.objects.filter(in_reply_to_id__in=level), viewer)
            .select_related(*POST_RELATED)
            .order_by("id")[: max_descendants - total]
        )
        for row in rows:
            children.setdefault(row.in_reply_to_id, []).append(row)
        total += len(rows)
        level = [row.pk for row in rows]
    descendants: list[Post] = []

    def walk(parent_pk: int, depth: int) -> None:
        for child in children.get(parent_pk, []):
            child.depth = depth
            descendants.append(child)
            walk(child.pk, depth + 1)

    walk(post.pk, 0)
    return Thread(ancestors, descendants)


@dataclass(frozen=True)
class ViewerState:
    liked: frozenset[int]
    reposted: frozenset[int]
    bookmarked: frozenset[int] = frozenset()
    pinned: frozenset[int] = frozenset()

    def for_post(self, post: Post) -> dict:
        target = post.repost_of_id if post.is_plain_repost else post.pk
        return {
            "liked": target in self.liked,
            "reposted": target in self.reposted,
            "bookmarked": target in self.bookmarked,
            "pinned": post.pk in self.pinned,
        }


def viewer_state(*, viewer: User | None, posts: list[Post]) -> ViewerState:
    """Which of these posts (or the posts they repost) the viewer liked, reposted or
    bookmarked, and which of their own they pinned: one query for the page."""
    viewer_id = _viewer_id(viewer)
    ids = {p.repost_of_id if p.is_plain_repost else p.pk for p in posts}
    if viewer_id is None or not ids:
        return ViewerState(frozenset(), frozenset())

    def tagged(queryset: QuerySet, column: str, kind: str) -> QuerySet:
        return queryset.annotate(kind=Value(kind, output_field=CharField())).values_list(
            column, "kind"
        )

    parts = [
        tagged(Like.objects.filter(user_id=viewer_id, post_id__in=ids), "post_id", "liked"),
        tagged(
            Post.objects.filter(author_id=viewer_id, repost_of_id__in=ids, text=""),
            "repost_of_id",
            "reposted",
        ),
        tagged(
            Bookmark.objects.filter(user_id=viewer_id, post_id__in=ids), "post_id", "bookmarked"
        ),
    ]
    own = {p.pk for p in posts if p.author_id == viewer_id}
    if own:
        parts.append(
            tagged(Pin.objects.filter(user_id=viewer_id, post_id__in=own), "post_id", "pinned")
        )
    found: dict[str, set[int]] = {"liked": set(), "reposted": set(), "bookmarked": set()}
    found["pinned"] = set()
    for post_id, kind in parts[0].union(*parts[1:], all=True):
        found[kind].add(post_id)
    return ViewerState(**{kind: frozenset(post_ids) for kind, post_ids in found.items()})


# Accounts and relationships ----------------------------------------------------------------


def get_account(*, username: str | None = None, account_id: int | None = None) -> User:
    """An active person or merchant; a company's notice account has no profile."""
    queryset = people(User.objects.filter(is_active=True))
    if username is not None:
        user = queryset.filter(username__iexact=username).first()
    else:
        user = queryset.filter(pk=account_id).first() if account_id is not None else None
    if user is None:
        raise DomainError(SocialError.ACCOUNT_NOT_FOUND)
    return user


@dataclass(frozen=True)
class Relationship:
    following: bool = False
    followed_by: bool = False
    blocking: bool = False
    blocked_by: bool = False
    muting: bool = False
    requested: bool = False
    requested_by: bool = False


def relationship(*, viewer: User | None, target: User) -> Relationship:
    viewer_id = _viewer_id(viewer)
    if viewer_id is None or viewer_id == target.pk:
        return Relationship()
    return Relationship(
        following=Follow.objects.filter(follower_id=viewer_id, target_id=target.pk).exists(),
        followed_by=Follow.objects.filter(follower_id=target.pk, target_id=viewer_id).exists(),
        blocking=Block.objects.filter(blocker_id=viewer_id, blocked_id=target.pk).exists(),
        blocked_by=Block.objects.filter(blocker_id=target.pk, blocked_id=viewer_id).exists(),
        muting=Mute.objects.filter(muter_id=viewer_id, muted_id=target.pk).exists(),
        requested=FollowRequest.objects.filter(follower_id=viewer_id, target_id=target.pk).exists(),
        requested_by=FollowRequest.objects.filter(
            follower_id=target.pk, target_id=viewer_id
        ).exists(),
    )


def followers(*, account: User, page: PageParams) -> list[Follow]:
    """Follow rows whose ``follower`` follows ``account``; paged by the follow's id."""
    queryset = Follow.objects.filter(target_id=account.pk, follower__is_active=True)
    return paginate(queryset.select_related("follower"), page)


def following(*, account: User, page: PageParams) -> list[Follow]:
    queryset = Follow.objects.filter(follower_id=account.pk, target__is_active=True)
    return paginate(queryset.select_related("target"), page)


# Notifications -------------------------------------------------------------------------


def _readable_notifications(user: User) -> QuerySet:
    """The user's notifications, without those about a post they may not read (a comment
    only the commenter's followers see, a post whose author blocked them since)."""
    return Notification.objects.filter(recipient_id=user.pk).filter(
        Q(post__isnull=True) | visible_to(user, prefix="post__")
    )


def notifications(*, user: User, page: PageParams) -> list[Notification]:
    queryset = _readable_notifications(user).select_related(
        "actor", "post", "post__author", "post__repost_of", "post__repost_of__author"
    )
    return paginate(queryset, page)


def unread_notification_count(*, user: User) -> int:
    return _readable_notifications(user).filter(read_at__isnull=True).count()


def notified(keys: list[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which of these (recipient id, key) pairs already have their notification."""
    if not keys:
        return set()
    rows = Notification.objects.filter(
        recipient_id__in={r for r, _k in keys}, key__in={k for _r, k in keys}
    ).values_list("recipient_id", "key")
    return set(rows) & set(keys)


# Search --------------------------------------------------------------------------------


def search_accounts(
    *, query: str, viewer: User | None, limit: int = 20, following: bool = False, offset: int = 0
) -> list[User]:
    """Accounts by username or display name; ``following`` keeps those the viewer follows."""
    query = query.strip().lstrip("@")
    if not query:
        return []
    queryset = people(User.objects.filter(is_active=True)).filter(
        Q(username__icontains=query) | Q(display_name__icontains=query)
    )
    viewer_id = _viewer_id(viewer)
    if viewer_id is not None:
        queryset = queryset.exclude(
            pk__in=Block.objects.filter(blocked_id=viewer_id).values("blocker_id")
        )
    if following:
        if viewer_id is None:
            return []
        queryset = queryset.filter(
            pk__in=Follow.objects.filter(follower_id=viewer_id).values("target_id")
        )
    # Exact username first, then the most followed.
    exact_first = Case(When(lower_name=query.lower(), then=Value(0)), default=Value(1))
    return list(
        queryset.annotate(lower_name=Lower("username")).order_by(
            exact_first, "-followers_count", "pk"
        )[offset : offset + limit]
    )


def search_posts(*, query: str, viewer: User | None, page: PageParams) -> list[Post]:
    query = query.strip()
    if not query:
        return []
    queryset = Post.objects.filter(text__icontains=query, repost_of__isnull=True)
    viewer_id = _viewer_id(viewer)
    # An author who is not indexable is found by their own searches only.
    queryset = queryset.filter(Q(author__indexable=True) | Q(author_id=viewer_id))
    # Unlisted posts are found by link and on profiles only, except by their author.
    queryset = queryset.exclude(Q(visibility=Visibility.UNLISTED) & ~Q(author_id=viewer_id or 0))
    return paginate(_visible(queryset, viewer).select_related(*POST_RELATED), page)


def search_tags(*, query: str, limit: int = 10) -> list[Tag]:
    name = normalize_tag(query)
    if not name:
        return []
    return list(Tag.objects.filter(name__startswith=name).order_by("name")[:limit])


TRENDING_SECONDS = 300


def trending_tags(*, days: int = 7, limit: int = 10) -> list[tuple[str, int]]:
    """The topics of the moment: (tag name, posts) for the tags on most posts by active
    accounts in the last ``days``, kept for a few minutes (one grouped count)."""

    def rank() -> list[tuple[str, int]]:
        since = timezone.now() - timedelta(days=days)
        rows = (
            Tag.objects.filter(posts__created_at__gte=since, posts__author__is_active=True)
            .annotate(uses=Count("posts"))
            .order_by("-uses", "name")
            .values_list("name", "uses")[:limit]
        )
        return [(name, uses) for name, uses in rows]

    return cache.get_or_set(f"social:trending_tags:{days}:{limit}", rank, TRENDING_SECONDS)


# Lists, bookmarks, pins, favourites, mutes, blocks, follow requests ----------------------


def lists_of(*, owner: User) -> list[List]:
    """The owner's lists, oldest first (as Mastodon lists them)."""
    return list(List.objects.filter(owner_id=owner.pk).order_by("pk"))


def get_list(*, owner: User, list_id: int) -> List:
    """One of the owner's lists; another person's is as missing as one that never was."""
    found = List.objects.filter(pk=list_id, owner_id=owner.pk).first()
    if found is None:
        raise DomainError(SocialError.LIST_NOT_FOUND)
    return found


def owns_list(*, owner_id: int, list_id: int) -> bool:
    return List.objects.filter(pk=list_id, owner_id=owner_id).exists()


def list_members(*, list_: List, page: PageParams | None) -> list[ListAccount]:
    """The list's accounts, paged by when they were added; no page is every one of them."""
    queryset = ListAccount.objects.filter(list_id=list_.pk, account__is_active=True).select_related(
        "account"
    )
    if page is None:
        return list(queryset.order_by("-pk"))
    return paginate(queryset, page)


def lists_with_account(*, owner: User, account_id: int) -> list[List]:
    return list(
        List.objects.filter(owner_id=owner.pk, members__account_id=account_id).order_by("pk")
    )


def list_timeline(*, list_: List, page: PageParams) -> list[Post]:
    """Posts and reposts by the list's members that the owner still follows, as their
    followers may read them (never a direct post); replies as the list's policy says."""
    owner_id = list_.owner_id
    members = ListAccount.objects.filter(list_id=list_.pk).values("account_id")
    followed = Follow.objects.filter(follower_id=owner_id).values("target_id")
    queryset = Post.objects.filter(author_id__in=members).filter(author_id__in=followed)
    queryset = queryset.filter(
        visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE]
    )
    if list_.replies_policy == List.RepliesPolicy.NONE:
        queryset = queryset.filter(in_reply_to__isnull=True)
    elif list_.replies_policy == List.RepliesPolicy.LIST:
        queryset = queryset.filter(
            Q(in_reply_to__isnull=True) | Q(in_reply_to__author_id__in=members)
        )
    else:
        queryset = queryset.filter(
            Q(in_reply_to__isnull=True)
            | Q(in_reply_to__author_id__in=followed)
            | Q(in_reply_to__author_id=owner_id)
        )
    owner = User(pk=owner_id)
    return paginate(_visible(queryset, owner).select_related(*POST_RELATED), page)


def bookmarks(*, user: User, page: PageParams) -> list[Bookmark]:
    """The user's bookmarks of posts they may still see, newest bookmark first."""
    posts = _visible(Post.objects.all(), user).values("pk")
    queryset = Bookmark.objects.filter(user_id=user.pk, post_id__in=posts).select_related(
        *(f"post__{name}" for name in POST_RELATED)
    )
    return paginate(queryset, page)


def favourites(*, user: User, page: PageParams) -> list[Like]:
    """The user's likes of posts they may still see, newest like first."""
    posts = _visible(Post.objects.all(), user).values("pk")
    queryset = Like.objects.filter(user_id=user.pk, post_id__in=posts).select_related(
        *(f"post__{name}" for name in POST_RELATED)
    )
    return paginate(queryset, page)


def pinned_posts(*, author: User, viewer: User | None) -> list[Post]:
    """The author's pinned posts the viewer may see, the latest pin first."""
    viewer_id = _viewer_id(viewer)
    if (
        viewer_id is not None
        and Block.objects.filter(blocker_id=author.pk, blocked_id=viewer_id).exists()
    ):
        return []
    pins = Pin.objects.filter(user_id=author.pk).order_by("-pk").values_list("post_id", flat=True)
    order = list(pins)
    queryset = _visible(Post.objects.filter(pk__in=order, author_id=author.pk), viewer)
    found = {post.pk: post for post in queryset.select_related(*POST_RELATED)}
    return [found[pk] for pk in order if pk in found]


def mutes(*, user: User, page: PageParams) -> list[Mute]:
    queryset = Mute.objects.filter(muter_id=user.pk, muted__is_active=True)
    return paginate(queryset.select_related("muted"), page)


def blocks(*, user: User, page: PageParams) -> list[Block]:
    queryset = Block.objects.filter(blocker_id=user.pk, blocked__is_active=True)
    return paginate(queryset.select_related("blocked"), page)


def reblogged_by(*, post: Post, viewer: User | None, page: PageParams) -> list[Post]:
    """The plain reposts of a post, newest first; their authors are who reblogged it."""
    queryset = Post.objects.filter(repost_of_id=post.pk, text="", author__is_active=True)
    viewer_id = _viewer_id(viewer)
    if viewer_id is not None:
        queryset = queryset.exclude(
            author_id__in=Block.objects.filter(blocked_id=viewer_id).values("blocker_id")
        )
    return paginate(queryset.select_related("author"), page)


def favourited_by(*, post: Post, viewer: User | None, page: PageParams) -> list[Like]:
    queryset = Like.objects.filter(post_id=post.pk, user__is_active=True)
    viewer_id = _viewer_id(viewer)
    if viewer_id is not None:
        queryset = queryset.exclude(
            user_id__in=Block.objects.filter(blocked_id=viewer_id).values("blocker_id")
        )
    return paginate(queryset.select_related("user"), page)


def follow_requests(*, user: User, page: PageParams) -> list[FollowRequest]:
    """Who asked to follow the user, newest request first."""
    queryset = FollowRequest.objects.filter(target_id=user.pk, follower__is_active=True)
    return paginate(queryset.select_related("follower"), page)


def follow_request_count(*, user: User) -> int:
    return FollowRequest.objects.filter(target_id=user.pk, follower__is_active=True).count()


# The streaming API's reads --------------------------------------------------------------


def hidden_account_ids(*, user_id: int) -> set[int]:
    """Accounts whose posts a listener never hears of: those it blocks or mutes, or that
    block it (as the timelines hide them)."""
    blocked = Block.objects.filter(blocker_id=user_id).values_list("blocked_id", flat=True)
    blockers = Block.objects.filter(blocked_id=user_id).values_list("blocker_id", flat=True)
    muted = Mute.objects.filter(muter_id=user_id).values_list("muted_id", flat=True)
    return {*blocked, *blockers, *muted}


def streamed_post(*, post_id: int) -> Post | None:
    """A post as a stream shows it, if it is still there and its author active."""
    return (
        Post.objects.filter(pk=post_id, author__is_active=True)
        .select_related(*POST_RELATED)
        .first()
    )


def streamed_notification(
    *, user_id: int, notification_id: int | None = None, key: str = ""
) -> Notification | None:
    """One of the user's notifications, by id or by key."""
    rows = Notification.objects.filter(recipient_id=user_id).select_related(
        "actor", "post", "post__author", "post__repost_of", "post__repost_of__author"
    )
    return (
        rows.filter(pk=notification_id).first() if notification_id else rows.filter(key=key).first()
    )


def follows(*, follower_id: int, target_id: int) -> bool:
    return Follow.objects.filter(follower_id=follower_id, target_id=target_id).exists()


# Scheduled statuses -----------------------------------------------------------------------


def scheduled_statuses(*, user: User, page: PageParams) -> list[ScheduledStatus]:
    """The user's statuses waiting to be posted, paged by id as Mastodon pages them."""
    waiting = ScheduledStatus.objects.filter(
        user_id=user.pk, state=ScheduledStatus.State.SCHEDULED
    ).prefetch_related("media")
    return paginate(waiting, page)


def get_scheduled_status(*, user: User, scheduled_id: int) -> ScheduledStatus:
    """One of the user's waiting statuses; another person's is as missing as a published one."""
    row = (
        ScheduledStatus.objects.filter(
            pk=scheduled_id, user_id=user.pk, state=ScheduledStatus.State.SCHEDULED
        )
        .prefetch_related("media")
        .first()
    )
    if row is None:
        raise DomainError(SocialError.SCHEDULED_STATUS_NOT_FOUND)
    return row


def scheduled_due_at(*, scheduled_id: int):
    """When a waiting status is due; None once it is not waiting."""
    return (
        ScheduledStatus.objects.filter(pk=scheduled_id, state=ScheduledStatus.State.SCHEDULED)
        .values_list("scheduled_at", flat=True)
        .first()
    )
