"""Turning InfoConnect's rows into Mastodon entities, and Mastodon's Link-header paging.

A ``Presenter`` renders a whole page at once: mentions, tags, reply authors, the viewer's
likes and reposts and each author's last post time are loaded with one query each, not
one per status.
"""

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.html import escape

from infoconnect.accounts.models import User
from infoconnect.api import status_filters
from infoconnect.api.times import iso
from infoconnect.core.errors import ErrorCode
from infoconnect.core.ids import require_id
from infoconnect.core.money import format_money
from infoconnect.core.pagination import PageParams
from infoconnect.shop import selectors as shop_selectors
from infoconnect.social import polls, selectors
from infoconnect.social.media import media_for_posts, small_size
from infoconnect.social.models import MediaAttachment, Mention, Notification, Post, PostTag
from infoconnect.social.text import render_html

PAGE_KEYS = ("max_id", "since_id", "min_id")
DEFAULT_AVATAR = "api/default-avatar.png"
DEFAULT_HEADER = "api/default-header.png"

# Our notification kinds as Mastodon's types: Mastodon has no comment type, so a comment
# is a mention that carries the comment.
NOTIFICATION_TYPES = {
    Notification.Kind.FOLLOW: "follow",
    Notification.Kind.FOLLOW_REQUEST: "follow_request",
    Notification.Kind.MENTION: "mention",
    Notification.Kind.COMMENT: "mention",
    Notification.Kind.REPOST: "reblog",
    Notification.Kind.LIKE: "favourite",
    Notification.Kind.POLL: "poll",
    # InfoConnect's own, namespaced as Mastodon's admin.* types are: a Mastodon client skips a
    # type it does not know, and types[] / exclude_types[] name these as any other.
    Notification.Kind.ORDER_PAID: "infoconnect.order_paid",
    Notification.Kind.ORDER_SHIPPED: "infoconnect.order_shipped",
    Notification.Kind.ORDER_AUTO_CONFIRM: "infoconnect.order_auto_confirm",
    Notification.Kind.REFUND_REQUESTED: "infoconnect.refund_requested",
    Notification.Kind.REFUND_ANSWERED: "infoconnect.refund_answered",
    Notification.Kind.REFUND_DISPUTED: "infoconnect.refund_disputed",
    Notification.Kind.REFUND_DECIDED: "infoconnect.refund_decided",
}


def parse_id(value: str, error: ErrorCode) -> int:
    """A path id as a database id; anything else is that error (a 404), never a 500."""
    return require_id(value, error)


def page_params(
    max_id: str | None, since_id: str | None, min_id: str | None, limit: str | None
) -> PageParams:
    """Mastodon's paging parameters; junk values are ignored, as Mastodon ignores them."""
    return PageParams.clean(max_id=max_id, since_id=since_id, min_id=min_id, limit=limit)


def _lines(html: str) -> str:
    return html.replace("\r\n", "\n").replace("\n", "<br />")


def shown_post(row: Notification) -> Post | None:
    """The status a notification shows: a plain repost's is the one reposted, as Mastodon's."""
    post = row.post
    if post is not None and post.is_plain_repost:
        return post.repost_of
    return post


# Likes and reposts of one status are one group of notifications; the rest stand alone.
GROUPED_KINDS = (Notification.Kind.LIKE, Notification.Kind.REPOST)


def group_key(row: Notification) -> str:
    post = shown_post(row)
    if row.kind in GROUPED_KINDS and post is not None:
        return f"{NOTIFICATION_TYPES[row.kind]}-{post.pk}"
    return f"ungrouped-{row.pk}"


def _role(user: User) -> dict:
    """The credential account's role, as Mastodon's default roles are numbered."""
    if user.is_superuser:
        return {"id": "3", "name": "Owner", "permissions": "1", "color": "", "highlighted": True}
    if user.is_staff:
        return {
            "id": "1",
            "name": "Moderator",
            "permissions": "1308",
            "color": "",
            "highlighted": True,
        }
    return {"id": "-99", "name": "", "permissions": "65536", "color": "", "highlighted": False}


def viewer_of(request: HttpRequest) -> User | None:
    user = getattr(request, "auth", None)
    return user if user is not None and user.is_authenticated else None


def set_link_header(request: HttpRequest, response: HttpResponse, ids: list[int]) -> None:
    """``Link: <…?max_id=oldest>; rel="next", <…?min_id=newest>; rel="prev"`` for a page
    of ids, newest first; other query parameters are kept."""
    if not ids:
        return
    base = request.build_absolute_uri(request.path)
    params = request.GET.copy()
    for key in PAGE_KEYS:
        params.pop(key, None)

    def link(key: str, value: int, rel: str) -> str:
        query = params.copy()
        query[key] = str(value)
        return f'<{base}?{query.urlencode()}>; rel="{rel}"'

    response["Link"] = ", ".join([link("max_id", ids[-1], "next"), link("min_id", ids[0], "prev")])


def _dimensions(width: int, height: int) -> dict:
    return {
        "width": width,
        "height": height,
        "size": f"{width}x{height}",
        "aspect": width / height if height else 0,
    }


class Presenter:
    """Renders entities for one request (its host makes URLs absolute; its viewer decides
    ``favourited`` and ``reblogged``)."""

    def __init__(self, request: HttpRequest, *, filter_context: str | None = None) -> None:
        self.request = request
        # The FilterContext a timeline is read in: its ``hide`` filters leave statuses out.
        self.filter_context = filter_context
        self._filters: status_filters.ViewerFilters | None = None
        self.viewer = viewer_of(request)
        self.base = request.build_absolute_uri("/").rstrip("/")
        self._last_status: dict[int, datetime | None] = {}
        # Filled by statuses() for the page being rendered.
        self._mentions: dict[int, list[dict]] = {}
        self._tags: dict[int, list[dict]] = {}
        self._reply_authors: dict[int, int] = {}
        self._state = selectors.ViewerState(frozenset(), frozenset())
        self._media: dict[int, list[MediaAttachment]] = {}

    def absolute(self, path: str) -> str:
        return self.base + path

    # Accounts ----------------------------------------------------------------------------

    def _load_last_status(self, users: list[User]) -> None:
        missing = {u.pk for u in users} - set(self._last_status)
        if not missing:
            return
        latest = Post.objects.filter(author_id=OuterRef("pk")).order_by("-id").values("created_at")
        rows = (
            User.objects.filter(pk__in=missing)
            .annotate(last=Subquery(latest[:1]))
            .values_list("pk", "last")
        )
        self._last_status.update(dict(rows))
        for pk in missing:
            self._last_status.setdefault(pk, None)

    def accounts(self, users: list[User]) -> list[dict]:
        self._load_last_status(users)
        return [self._account(user) for user in users]

    def account(self, user: User) -> dict:
        return self.accounts([user])[0]

    def credential_account(self, user: User) -> dict:
        data = self.account(user)
        data["role"] = _role(user)
        data["source"] = {
            "privacy": user.default_privacy,
            "sensitive": user.default_sensitive,
            "language": user.default_language,
            "note": user.bio,
            "fields": [],
            "follow_requests_count": selectors.follow_request_count(user=user),
        }
        return data

    def _account(self, user: User) -> dict:
        url = self.absolute(reverse("social:profile", args=[user.username]))
        if user.avatar:
            avatar = self.absolute(user.avatar.url)
            avatar_static = self.absolute((user.avatar_thumb or user.avatar).url)
        else:
            avatar = avatar_static = self.absolute(static(DEFAULT_AVATAR))
        header = self.absolute(static(DEFAULT_HEADER))
        last = self._last_status.get(user.pk)
        return {
            "id": str(user.pk),
            "username": user.username,
            "acct": user.username,
            "display_name": user.display_name,
            "note": f"<p>{_lines(escape(user.bio))}</p>" if user.bio else "",
            "url": url,
            "uri": url,
            "avatar": avatar,
            "avatar_static": avatar_static,
            "header": header,
            "header_static": header,
            "locked": user.locked,
            "bot": False,
            "group": False,
            "discoverable": user.discoverable,
            "indexable": user.indexable,
            "hide_collections": user.hide_collections,
            "created_at": iso(user.date_joined),
            "last_status_at": last.astimezone(UTC).date().isoformat() if last else None,
            "followers_count": user.followers_count,
            "following_count": user.following_count,
            "statuses_count": user.posts_count,
            "fields": [],
            "emojis": [],
            "roles": [],
            "verified_merchant": user.is_verified_merchant,
        }

    def relationship(self, target: User) -> dict:
        state = selectors.relationship(viewer=self.viewer, target=target)
        return {
            "id": str(target.pk),
            "following": state.following,
            "showing_reblogs": state.following,
            "notifying": False,
            "languages": None,
            "followed_by": state.followed_by,
            "blocking": state.blocking,
            "blocked_by": state.blocked_by,
            "muting": state.muting,
            "muting_notifications": state.muting,
            "requested": state.requested,
            "requested_by": state.requested_by,
            "domain_blocking": False,
            "endorsed": False,
            "note": "",
        }

    # Statuses ----------------------------------------------------------------------------

    def content(self, text: str) -> str:
        """Escaped HTML with links, in paragraphs; our own links made absolute."""
        html = render_html(text.replace("\r\n", "\n"))
        # User text is escaped, so `href="/` can only be one of our own anchors.
        html = html.replace('href="/', f'href="{self.base}/')
        paragraphs = [p.strip("\n") for p in re.split(r"\n{2,}", html) if p.strip()]
        return "".join(f"<p>{p.replace(chr(10), '<br />')}</p>" for p in paragraphs)

    def statuses(
        self, posts: list[Post], *, with_source: bool = False, accounts: Sequence[User] = ()
    ) -> list[dict]:
        """Statuses, newest first as given; ``accounts`` shown beside them are loaded
        in the same queries."""
        every = list(posts) + [p.repost_of for p in posts if p.repost_of_id and p.repost_of]
        ids = {p.pk for p in every}
        self._mentions = {}
        for mention in (
            Mention.objects.filter(post_id__in=ids).select_related("user").order_by("pk")
        ):
            self._mentions.setdefault(mention.post_id, []).append(
                {
                    "id": str(mention.user_id),
                    "username": mention.user.username,
                    "acct": mention.user.username,
                    "url": self.absolute(reverse("social:profile", args=[mention.user.username])),
                }
            )
        self._tags = {}
        for row in PostTag.objects.filter(post_id__in=ids).select_related("tag").order_by("pk"):
            self._tags.setdefault(row.post_id, []).append(
                {
                    "name": row.tag.name,
                    "url": self.absolute(reverse("social:tag", args=[row.tag.name])),
                }
            )
        reply_ids = {p.in_reply_to_id for p in every if p.in_reply_to_id}
        self._reply_authors = dict(
            Post.objects.filter(pk__in=reply_ids).values_list("pk", "author_id")
        )
        self._state = selectors.viewer_state(viewer=self.viewer, posts=every)
        self._cards = shop_selectors.product_cards_for_posts(ids)
        self._media = media_for_posts(ids)
        self._polls = polls.for_posts(every, self.viewer)
        self._load_last_status([p.author for p in every] + list(accounts))
        if self._filters is None:
            self._filters = status_filters.for_viewer(self.viewer)
        if self.filter_context is not None:
            posts = [p for p in posts if not self._filters.hides(p, self.filter_context)]
        return [self._status(post, with_source=with_source) for post in posts]

    def _card(self, post: Post) -> dict | None:
        """A post's product card as a Mastodon preview card of type "link"."""
        product = self._cards.get(post.pk)
        if product is None:
            return None
        price = product.lowest_price
        cover = product.cover
        merchant_url = self.absolute(reverse("social:profile", args=[product.merchant.username]))
        return {
            "url": self.absolute(reverse("shop:product", args=[product.pk])),
            "title": product.title,
            "description": " · ".join(
                part
                for part in (
                    format_money(price) if price is not None else "",
                    product.description[:200],
                )
                if part
            ),
            "type": "link",
            "author_name": product.merchant.name,
            "author_url": merchant_url,
            "provider_name": "InfoConnect",
            "provider_url": self.base + "/",
            "html": "",
            "width": 0,
            "height": 0,
            "image": self.absolute(cover.thumbnail.url) if cover else None,
            "embed_url": "",
            "blurhash": None,
        }

    def _poll(self, post: Post) -> dict | None:
        view = self._polls.get(post.pk)
        return None if view is None else self.poll(view)

    def poll(self, view: polls.PollView) -> dict:
        """A poll as Mastodon's Poll entity; counts are null while its totals are hidden."""
        shown = view.totals_shown
        data = {
            "id": str(view.poll.pk),
            "expires_at": iso(view.poll.expires_at),
            "expired": view.expired,
            "multiple": view.poll.multiple,
            "votes_count": view.poll.votes_count if shown else 0,
            "voters_count": view.poll.voters_count if shown else None,
            "options": [
                {"title": option.title, "votes_count": option.votes_count if shown else None}
                for option in view.options
            ],
            "emojis": [],
        }
        if self.viewer is not None:
            data["voted"] = view.voted
            data["own_votes"] = view.own_choices
        return data

    def media(self, media: MediaAttachment) -> dict:
        """A picture as Mastodon's MediaAttachment entity."""
        small_width, small_height = small_size(media.width, media.height)
        return {
            "id": str(media.pk),
            "type": "image",
            "url": self.absolute(media.image.url),
            "preview_url": self.absolute(media.thumbnail.url),
            "remote_url": None,
            "preview_remote_url": None,
            "text_url": None,
            "meta": {
                "original": _dimensions(media.width, media.height),
                "small": _dimensions(small_width, small_height),
                "focus": {"x": media.focus_x, "y": media.focus_y},
            },
            "description": media.description or None,
            "blurhash": media.blurhash or None,
        }

    def status(self, post: Post, *, with_source: bool = False) -> dict:
        return self.statuses([post], with_source=with_source)[0]

    def _status(self, post: Post, *, depth: int = 0, with_source: bool = False) -> dict:
        url = self.absolute(reverse("social:post", args=[post.pk]))
        plain_repost = post.is_plain_repost
        inner = None
        if post.repost_of_id and depth == 0:
            inner = self._status(post.repost_of, depth=depth + 1)
        data = {
            "id": str(post.pk),
            "uri": url,
            "url": url,
            "created_at": iso(post.created_at),
            "edited_at": iso(post.edited_at),
            "account": self._account(post.author),
            "content": "" if plain_repost else self.content(post.text),
            "visibility": post.visibility,
            "sensitive": post.sensitive,
            "spoiler_text": post.spoiler_text,
            "in_reply_to_id": str(post.in_reply_to_id) if post.in_reply_to_id else None,
            "in_reply_to_account_id": (
                str(self._reply_authors[post.in_reply_to_id])
                if post.in_reply_to_id in self._reply_authors
                else None
            ),
            "reblog": inner if plain_repost else None,
            "quote": (
                {"state": "accepted", "quoted_status": inner}
                if inner is not None and not plain_repost
                else None
            ),
            "reblogs_count": 0 if plain_repost else post.reposts_count,
            "favourites_count": 0 if plain_repost else post.likes_count,
            "replies_count": 0 if plain_repost else post.replies_count,
            "mentions": [] if plain_repost else self._mentions.get(post.pk, []),
            "tags": [] if plain_repost else self._tags.get(post.pk, []),
            "media_attachments": (
                [] if plain_repost else [self.media(m) for m in self._media.get(post.pk, [])]
            ),
            "emojis": [],
            "card": None if plain_repost else self._card(post),
            "poll": None if plain_repost else self._poll(post),
            "language": post.language or None,
        }
        if with_source:
            data["text"] = post.text
        if self.viewer is not None:
            state = self._state.for_post(post)
            data.update(
                favourited=state["liked"],
                reblogged=state["reposted"],
                muted=False,
                bookmarked=state["bookmarked"],
                pinned=state["pinned"],
                filtered=self._filters.results(post),
            )
        return data

    # Notifications -----------------------------------------------------------------------

    def notifications(self, rows: list[Notification]) -> list[dict]:
        if self._filters is None:
            self._filters = status_filters.for_viewer(self.viewer)
        if self.filter_context is not None:
            rows = [
                row
                for row in rows
                if row.post is None or not self._filters.hides(row.post, self.filter_context)
            ]
        shown: dict[int, Post] = {}
        for row in rows:
            post = shown_post(row)
            if post is not None:
                shown[row.pk] = post
        rendered = self.statuses(list(shown.values()), accounts=[row.actor for row in rows])
        by_row = dict(zip(shown.keys(), rendered, strict=True))
        orders = {}
        order_ids = {row.order_id for row in rows if row.order_id is not None}
        if order_ids and self.viewer is not None:
            orders = shop_selectors.orders_by_id(user=self.viewer, ids=order_ids)
        out = []
        for row in rows:
            data = {
                "id": str(row.pk),
                "type": NOTIFICATION_TYPES.get(row.kind, row.kind),
                "group_key": group_key(row),
                "created_at": iso(row.created_at),
                "account": self._account(row.actor),
            }
            if row.pk in by_row:
                data["status"] = by_row[row.pk]
            if row.order_id in orders:
                data.update(self._order_notice(row, orders[row.order_id]))
            out.append(data)
        return out

    def _order_notice(self, row: Notification, order) -> dict:
        """An ``infoconnect.*`` notification's order as it is now, and its refund as it was."""
        notice: dict = {
            "order": {
                "id": str(order.pk),
                "state": order.state,
                "total": order.total,
                "currency": order.currency,
                "carrier": order.carrier,
                "tracking_number": order.tracking_number,
                "url": self.absolute(reverse("shop:order", args=[order.pk])),
                "auto_confirm_at": iso(parse_datetime(row.data.get("confirms_at") or "")),
            }
        }
        if "refund_id" in row.data:
            notice["refund"] = {
                "id": str(row.data["refund_id"]),
                "amount": row.data.get("amount", 0),
                "currency": row.data.get("currency", order.currency),
                "answer": row.data.get("answer"),
                "decision": row.data.get("decision"),
            }
        return notice

    def hashtag(self, name: str) -> dict:
        return {
            "name": name,
            "url": self.absolute(reverse("social:tag", args=[name])),
            "history": [],
        }
