"""Reads of the microblog: timelines (newest first, cursor-paged by id), threads,
relationships, notifications and search. Every read hides what blocks and mutes hide."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.accounts.selectors import people
from infoconnect.core.errors import DomainError
from infoconnect.core.pagination import PageParams, paginate
from infoconnect.social.errors import SocialError
from infoconnect.social.models import Block, Follow, Like, Mute, Notification, Post, Tag
from infoconnect.social.text import normalize_tag

POST_RELATED = ("author", "repost_of", "repost_of__author")


def _viewer_id(viewer: User | None) -> int | None:
    return viewer.pk if viewer is not None and viewer.is_authenticated else None


def _hidden_authors(viewer_id: int) -> Q:
    """Posts the viewer must not see: by accounts they block or mute, or that block them,
    and reposts of such accounts' posts."""
    blocked = Block.objects.filter(blocker_id=viewer_id).values("blocked_id")
    blockers = Block.objects.filter(blocked_id=viewer_id).values("blocker_id")
    muted = Mute.objects.filter(muter_id=viewer_id).values("muted_id")
    hidden = Q()
    for ids in (blocked, blockers, muted):
        hidden |= Q(author_id__in=ids) | Q(repost_of__author_id__in=ids)
    return hidden


def _visible(queryset: QuerySet, viewer: User | None) -> QuerySet:
    viewer_id = _viewer_id(viewer)
    if viewer_id is not None:
        queryset = queryset.exclude(_hidden_authors(viewer_id))
    return queryset.filter(author__is_active=True)


# The home timeline's page of ids, by hand: it is the hottest read of the site and building
# the same filter through the ORM (five subqueries) costs more than running it.
_HOME_IDS_SQL = """
    SELECT p.id FROM social_post p
    WHERE (p.author_id IN (SELECT target_id FROM social_follow WHERE follower_id = %s)
           OR p.author_id = %s)
      AND p.in_reply_to_id IS NULL
      AND p.author_id NOT IN (SELECT muted_id FROM social_mute WHERE muter_id = %s)
      AND (p.repost_of_id IS NULL OR NOT EXISTS (
            SELECT 1 FROM social_post r
            WHERE r.id = p.repost_of_id AND r.author_id IN (
                SELECT muted_id FROM social_mute WHERE muter_id = %s
                UNION ALL SELECT blocked_id FROM social_block WHERE blocker_id = %s
                UNION ALL SELECT blocker_id FROM social_block WHERE blocked_id = %s)))
      {cursor}
    ORDER BY p.id {direction}
"""


def home_timeline(*, user: User, page: PageParams) -> list[Post]:
    """The user's own posts and reposts and those of the accounts they follow.

    Following someone is the choice to see them; only mutes (and blocks of reposted
    authors) still hide posts here. Comments live under their posts, not here.

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


def profile_timeline(
    *, author: User, viewer: User | None, page: PageParams, include_replies: bool = False
) -> list[Post]:
    viewer_id = _viewer_id(viewer)
    if (
        viewer_id is not None
        and Block.objects.filter(blocker_id=author.pk, blocked_id=viewer_id).exists()
    ):
        return []
    queryset = Post.objects.filter(author_id=author.pk)
    if not include_replies:
        queryset = queryset.filter(in_reply_to__isnull=True)
    return paginate(_visible(queryset, viewer).select_related(*POST_RELATED), page)


def tag_timeline(*, name: str, viewer: User | None, page: PageParams) -> list[Post]:
    tag = Tag.objects.filter(name=normalize_tag(name)).first()
    if tag is None:
        return []
    queryset = Post.objects.filter(tags=tag)
    return paginate(_visible(queryset, viewer).select_related(*POST_RELATED), page)


def get_post(*, post_id: int, viewer: User | None) -> Post:
    """One post the viewer may see (404 otherwise)."""
    post = _visible(Post.objects.filter(pk=post_id), viewer).select_related(*POST_RELATED).first()
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

    def for_post(self, post: Post) -> dict:
        target = post.repost_of_id if post.is_plain_repost else post.pk
        return {"liked": target in self.liked, "reposted": target in self.reposted}


def viewer_state(*, viewer: User | None, posts: list[Post]) -> ViewerState:
    """Which of these posts (or the posts they repost) the viewer liked or reposted."""
    viewer_id = _viewer_id(viewer)
    ids = {p.repost_of_id if p.is_plain_repost else p.pk for p in posts}
    if viewer_id is None or not ids:
        return ViewerState(frozenset(), frozenset())
    liked = Like.objects.filter(user_id=viewer_id, post_id__in=ids).values_list(
        "post_id", flat=True
    )
    reposted = Post.objects.filter(author_id=viewer_id, repost_of_id__in=ids, text="").values_list(
        "repost_of_id", flat=True
    )
    return ViewerState(frozenset(liked), frozenset(reposted))


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
    )


def followers(*, account: User, page: PageParams) -> list[Follow]:
    """Follow rows whose ``follower`` follows ``account``; paged by the follow's id."""
    queryset = Follow.objects.filter(target_id=account.pk, follower__is_active=True)
    return paginate(queryset.select_related("follower"), page)


def following(*, account: User, page: PageParams) -> list[Follow]:
    queryset = Follow.objects.filter(follower_id=account.pk, target__is_active=True)
    return paginate(queryset.select_related("target"), page)


# Notifications -------------------------------------------------------------------------


def notifications(*, user: User, page: PageParams) -> list[Notification]:
    queryset = Notification.objects.filter(recipient_id=user.pk).select_related(
        "actor", "post", "post__author", "post__repost_of", "post__repost_of__author"
    )
    return paginate(queryset, page)


def unread_notification_count(*, user: User) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notified(keys: list[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which of these (recipient id, key) pairs already have their notification."""
    if not keys:
        return set()
    rows = Notification.objects.filter(
        recipient_id__in={r for r, _k in keys}, key__in={k for _r, k in keys}
    ).values_list("recipient_id", "key")
    return set(rows) & set(keys)


# Search --------------------------------------------------------------------------------


def search_accounts(*, query: str, viewer: User | None, limit: int = 20) -> list[User]:
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
    # Exact username first, then the most followed.
    exact_first = Case(When(lower_name=query.lower(), then=Value(0)), default=Value(1))
    return list(
        queryset.annotate(lower_name=Lower("username")).order_by(
            exact_first, "-followers_count", "pk"
        )[:limit]
    )


def search_posts(*, query: str, viewer: User | None, page: PageParams) -> list[Post]:
    query = query.strip()
    if not query:
        return []
    queryset = Post.objects.filter(text__icontains=query, repost_of__isnull=True)
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
