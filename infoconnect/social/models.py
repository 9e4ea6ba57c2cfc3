"""The microblog: follows, blocks, mutes, posts (with reposts and replies), likes, tags,
mentions and notifications.

Hot tables (follows, posts, likes, notifications) lead their indexes with the user they
belong to, so they can be distributed by that key.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

POST_MAX_LENGTH = 2000


class Follow(models.Model):
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("follower"),
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("target"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["follower", "target"], name="social_follow_unique"),
            models.CheckConstraint(
                condition=~Q(follower=F("target")), name="social_follow_not_self"
            ),
        ]
        # (target, follower) serves follower lists and the campaign fan-out by follower range.
        indexes = [models.Index(fields=["target", "follower"], name="social_follow_target")]


class Block(models.Model):
    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("blocker"),
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("blocked"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="social_block_unique"),
            models.CheckConstraint(
                condition=~Q(blocker=F("blocked")), name="social_block_not_self"
            ),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"], name="social_block_blocked")]


class Mute(models.Model):
    muter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("muter"),
    )
    muted = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("muted"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("mute")
        verbose_name_plural = _("mutes")
        constraints = [
            models.UniqueConstraint(fields=["muter", "muted"], name="social_mute_unique"),
            models.CheckConstraint(condition=~Q(muter=F("muted")), name="social_mute_not_self"),
        ]
        # Who muted a merchant: the campaign fan-out skips them.
        indexes = [models.Index(fields=["muted", "muter"], name="social_mute_muted")]


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)  # stored lower-cased

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Visibility(models.TextChoices):
    """Who may read a post, as Mastodon names it. Every read path filters by it."""

    PUBLIC = "public", _("Public")
    # Readable by anyone with the link and on the author's profile, but not on the public
    # or tag timelines.
    UNLISTED = "unlisted", _("Unlisted")
    # 仅粉丝可见: the author's followers and the accounts it mentions.
    PRIVATE = "private", _("Followers only")
    # Only the accounts it mentions: delivered as a private message.
    DIRECT = "direct", _("Mentioned people only")


class Post(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="posts",
        db_index=False,
        verbose_name=_("author"),
    )
    text = models.TextField(_("text"), max_length=POST_MAX_LENGTH, blank=True)
    # Comments go with the post they answer, as they do on Weibo.
    in_reply_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    # A repost points at the original; with text it is a repost with a comment.
    repost_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reposts",
        verbose_name=_("repost of"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Posts and reposts count towards the author's posts_count; comments do not.
    replies_count = models.PositiveIntegerField(_("replies"), default=0)
    reposts_count = models.PositiveIntegerField(_("reposts"), default=0)
    likes_count = models.PositiveIntegerField(_("likes"), default=0)
    tags = models.ManyToManyField(
        Tag, through="PostTag", related_name="posts", verbose_name=_("tags")
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
        db_default=Visibility.PUBLIC,
    )
    # A content warning: the text is folded behind it until the reader opens it.
    spoiler_text = models.CharField(
        _("content warning"), max_length=500, blank=True, default="", db_default=""
    )
    sensitive = models.BooleanField(_("sensitive"), default=False, db_default=False)
    # An ISO 639 code the author gave, or empty when unknown.
    language = models.CharField(_("language"), max_length=16, blank=True, default="", db_default="")
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["author", "-id"], name="social_post_author_id")]
        constraints = [
            models.CheckConstraint(
                condition=Q(in_reply_to__isnull=True) | Q(repost_of__isnull=True),
                name="social_post_reply_or_repost",
            ),
            # One plain repost per account per post (a repost with a comment may repeat).
            models.UniqueConstraint(
                fields=["author", "repost_of"],
                condition=Q(repost_of__isnull=False, text=""),
                name="social_post_one_plain_repost",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_id}: {self.text[:40]}"

    @property
    def is_plain_repost(self) -> bool:
        return self.repost_of_id is not None and not self.text


class ScheduledStatus(models.Model):
    """A status its author asked to be published later (Mastodon's scheduled statuses): what
    it will be posted with, and (``media``) the pictures it holds meanwhile. Its lifecycle is
    ``social/lifecycle.py``; once published, ``post`` is the status it became."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        # It could not be posted when due (the post it answers went, a picture was taken).
        FAILED = "failed", _("Could not be published")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("user"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.SCHEDULED
    )
    scheduled_at = models.DateTimeField(_("scheduled at"))
    text = models.TextField(_("text"), max_length=POST_MAX_LENGTH, blank=True, default="")
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    spoiler_text = models.CharField(_("content warning"), max_length=500, blank=True, default="")
    sensitive = models.BooleanField(_("sensitive"), default=False)
    language = models.CharField(_("language"), max_length=3, blank=True, default="")
    # An id, not a key: the post it answers may go before it is due, which fails it.
    in_reply_to_id = models.BigIntegerField(_("in reply to (post ID)"), null=True, blank=True)
    media_ids = models.JSONField(_("media IDs"), default=list, blank=True)
    post = models.ForeignKey(
        Post,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("post"),
    )
    failure_code = models.CharField(_("failure code"), max_length=40, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("scheduled post")
        verbose_name_plural = _("scheduled posts")
        indexes = [
            models.Index(
                fields=["user", "scheduled_at"],
                condition=Q(state="scheduled"),
                name="social_scheduled_user",
            ),
            models.Index(
                fields=["scheduled_at"],
                condition=Q(state="scheduled"),
                name="social_scheduled_due",
            ),
        ]


MEDIA_PER_POST = 9


class MediaAttachment(models.Model):
    """A picture uploaded for a post: re-encoded without EXIF, with a thumbnail and a
    blurhash. It belongs to its uploader until a post takes it (``post`` set), at most
    ``MEDIA_PER_POST`` a post in ``position`` order."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("owner"),
    )
    post = models.ForeignKey(
        Post,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="media",
        verbose_name=_("post"),
    )
    # Held by a scheduled status until it is posted: the sweep of unposted pictures skips it.
    scheduled = models.ForeignKey(
        ScheduledStatus,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="media",
        verbose_name=_("scheduled post"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    image = models.ImageField(_("image"), upload_to="media/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="media/thumbs/%Y/%m/")
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    blurhash = models.CharField(_("BlurHash"), max_length=100, blank=True, default="")
    description = models.TextField(_("description"), max_length=1500, blank=True, default="")
    # Mastodon's focal point: -1.0 (left, bottom) to 1.0 (right, top).
    focus_x = models.FloatField(_("focal point x"), default=0.0)
    focus_y = models.FloatField(_("focal point y"), default=0.0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("media attachment")
        verbose_name_plural = _("media attachments")
        indexes = [
            models.Index(fields=["owner", "-id"], name="social_media_owner"),
            models.Index(fields=["post", "position"], name="social_media_post"),
            # The pictures an account has uploaded and not yet posted, counted at each upload.
            models.Index(
                fields=["owner"], condition=Q(post__isnull=True), name="social_media_pending"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    focus_x__gte=-1.0, focus_x__lte=1.0, focus_y__gte=-1.0, focus_y__lte=1.0
                ),
                name="social_media_focus_range",
            )
        ]


# Polls, with Mastodon's limits (announced in the instance's configuration).
POLL_MAX_OPTIONS = 4
POLL_OPTION_MAX_LENGTH = 50
POLL_MIN_EXPIRATION = 5 * 60
POLL_MAX_EXPIRATION = 30 * 24 * 60 * 60


class Poll(models.Model):
    """A post's poll: open until ``expires_at``, then closed (by the sweep, which tells its
    author and voters the result). Counters move with conditional updates as votes come."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    post = models.OneToOneField(
        Post, on_delete=models.CASCADE, related_name="poll", verbose_name=_("post")
    )
    expires_at = models.DateTimeField(_("expires at"))
    multiple = models.BooleanField(_("several choices"), default=False)
    # Totals stay hidden from voters until the poll ends.
    hide_totals = models.BooleanField(_("hide totals until it ends"), default=False)
    votes_count = models.PositiveIntegerField(_("votes"), default=0)
    voters_count = models.PositiveIntegerField(_("voters"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        indexes = [
            models.Index(
                fields=["expires_at"], condition=Q(state="open"), name="social_poll_open_due"
            )
        ]

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


class PollOption(models.Model):
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="options", verbose_name=_("poll")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=POLL_OPTION_MAX_LENGTH)
    votes_count = models.PositiveIntegerField(_("votes"), default=0)

    class Meta:
        verbose_name = _("poll option")
        verbose_name_plural = _("poll options")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="social_poll_option_once")
        ]


class PollBallot(models.Model):
    """One account's vote on a poll: the positions it chose. One ballot an account, so a vote
    sent twice at once counts once."""

    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("poll")
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("voter"),
    )
    choices = models.JSONField(_("choices"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("poll ballot")
        verbose_name_plural = _("poll ballots")
        constraints = [
            models.UniqueConstraint(fields=["voter", "poll"], name="social_poll_ballot_once")
        ]


class PostEdit(models.Model):
    """A version of a post that an edit replaced: the post's history is these rows, oldest
    first, then the post as it is now."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="edits", verbose_name=_("post")
    )
    text = models.TextField(_("text"), max_length=POST_MAX_LENGTH, blank=True)
    spoiler_text = models.CharField(_("content warning"), max_length=500, blank=True, default="")
    sensitive = models.BooleanField(_("sensitive"), default=False)
    language = models.CharField(_("language"), max_length=16, blank=True, default="")
    # When this version was written: the post's creation, or the edit that made it.
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("post edit")
        verbose_name_plural = _("post edits")
        indexes = [models.Index(fields=["post", "id"], name="social_postedit_post")]


class PostTag(models.Model):
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, db_index=False, verbose_name=_("tag"))
    post = models.ForeignKey(Post, on_delete=models.CASCADE, verbose_name=_("post"))

    class Meta:
        verbose_name = _("post tag")
        verbose_name_plural = _("post tags")
        constraints = [
            models.UniqueConstraint(fields=["tag", "post"], name="social_posttag_unique")
        ]


class Mention(models.Model):
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="mentions", verbose_name=_("post")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="social_mention_unique")
        ]


class Like(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("user"),
    )
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="likes", verbose_name=_("post")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("like")
        verbose_name_plural = _("likes")
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="social_like_unique")]


class Notification(models.Model):
    class Kind(models.TextChoices):
        FOLLOW = "follow", _("followed you")
        FOLLOW_REQUEST = "follow_request", _("asked to follow you")
        MENTION = "mention", _("mentioned you")
        COMMENT = "comment", _("commented on your post")
        REPOST = "repost", _("reposted your post")
        LIKE = "like", _("liked your post")
        # InfoConnect's own: what happened to an order (the actor is the other party, or
        # the operator who decided); ``order_id`` links it, ``data`` holds what it shows.
        ORDER_PAID = "order_paid", _("paid an order")
        ORDER_SHIPPED = "order_shipped", _("shipped your order")
        ORDER_AUTO_CONFIRM = "order_auto_confirm", _("Your order confirms itself tomorrow")
        REFUND_REQUESTED = "refund_requested", _("asked for a refund")
        REFUND_ANSWERED = "refund_answered", _("answered your refund request")
        REFUND_DISPUTED = "refund_disputed", _("took a refund to the platform")
        REFUND_DECIDED = "refund_decided", _("The platform decided a refund")
        # Sent to the author and every voter when a poll ends; the actor is the author.
        POLL = "poll", _("ran a poll that has now ended")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("notified account"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("actor"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    post = models.ForeignKey(
        Post,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("post"),
    )
    order_id = models.BigIntegerField(_("order ID"), null=True, blank=True, db_default=None)
    data = models.JSONField(_("details"), default=dict, blank=True, db_default={})
    # Makes a notification that a retried task writes again one row: e.g. "refund:12:accepted".
    key = models.CharField(
        _("deduplication key"), max_length=64, blank=True, default="", db_default=""
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-id"], name="social_notif_recipient"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="social_notif_unread",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="social_notif_once"
            )
        ]


# Filters, followed tags, custom emojis and announcements: what Mastodon clients read
# beside timelines.


class FilterContext(models.TextChoices):
    """Where a filter applies, as Mastodon names the places."""

    HOME = "home", _("Home timeline and lists")
    NOTIFICATIONS = "notifications", _("Notifications")
    PUBLIC = "public", _("Public timelines")
    THREAD = "thread", _("Conversations")
    ACCOUNT = "account", _("Profiles")


class Filter(models.Model):
    """A person's filter: posts matching its keywords (or listed in its statuses) are shown
    behind a warning, or left out, in its contexts until it expires."""

    class Action(models.TextChoices):
        WARN = "warn", _("Hide with a warning")
        HIDE = "hide", _("Hide completely")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("owner"),
    )
    title = models.CharField(_("title"), max_length=200)
    # A list of FilterContext values, never empty.
    context = models.JSONField(_("where it applies"), default=list)
    filter_action = models.CharField(
        _("action"), max_length=4, choices=Action.choices, default=Action.WARN
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("filter")
        verbose_name_plural = _("filters")
        indexes = [models.Index(fields=["owner", "-id"], name="social_filter_owner")]

    def __str__(self) -> str:
        return self.title


class FilterKeyword(models.Model):
    filter = models.ForeignKey(
        Filter, on_delete=models.CASCADE, related_name="keywords", verbose_name=_("filter")
    )
    keyword = models.CharField(_("keyword"), max_length=200)
    whole_word = models.BooleanField(_("whole word"), default=True)

    class Meta:
        verbose_name = _("filter keyword")
        verbose_name_plural = _("filter keywords")


class FilterStatus(models.Model):
    filter = models.ForeignKey(
        Filter, on_delete=models.CASCADE, related_name="statuses", verbose_name=_("filter")
    )
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="+", verbose_name=_("post")
    )

    class Meta:
        verbose_name = _("filtered post")
        verbose_name_plural = _("filtered posts")
        constraints = [
            models.UniqueConstraint(fields=["filter", "post"], name="social_filterstatus_unique")
        ]


class FollowedTag(models.Model):
    """A tag a person follows (Mastodon's followed_tags)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("user"),
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+", verbose_name=_("tag"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("followed tag")
        verbose_name_plural = _("followed tags")
        constraints = [
            models.UniqueConstraint(fields=["user", "tag"], name="social_followedtag_unique")
        ]
        indexes = [models.Index(fields=["user", "-id"], name="social_followedtag_user")]


class CustomEmoji(models.Model):
    """An emoji the operator uploads in the admin; clients show :shortcode: as its image."""

    shortcode = models.CharField(
        _("shortcode"),
        max_length=50,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Za-z0-9_]{2,50}$", _("Letters, digits and _ only (2 to 50)."))
        ],
    )
    image = models.ImageField(_("image"), upload_to="emojis/")
    category = models.CharField(_("category"), max_length=50, blank=True, default="")
    visible_in_picker = models.BooleanField(_("visible in the picker"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("custom emoji")
        verbose_name_plural = _("custom emojis")

    def __str__(self) -> str:
        return f":{self.shortcode}:"


class Announcement(models.Model):
    """A notice the operator shows every person between ``starts_at`` and ``ends_at``."""

    text = models.TextField(_("text"), max_length=2000)
    published = models.BooleanField(_("published"), default=False)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    all_day = models.BooleanField(_("all day"), default=False)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="social_announcement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class AnnouncementDismissal(models.Model):
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="+", verbose_name=_("announcement")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("announcement dismissal")
        verbose_name_plural = _("announcement dismissals")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "announcement"], name="social_announcementdismissal_unique"
            )
        ]


class FollowRequest(models.Model):
    """A follow a locked account has not yet accepted: accepting turns it into a Follow."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("follower"),
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("target"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("follow request")
        verbose_name_plural = _("follow requests")
        constraints = [
            models.UniqueConstraint(
                fields=["follower", "target"], name="social_followrequest_unique"
            ),
            models.CheckConstraint(
                condition=~Q(follower=F("target")), name="social_followrequest_not_self"
            ),
        ]
        # The locked account's list of requests, newest first.
        indexes = [models.Index(fields=["target", "-id"], name="social_followrequest_target")]


LISTS_PER_ACCOUNT = 50
ACCOUNTS_PER_LIST = 500
LIST_TITLE_MAX_LENGTH = 100


class List(models.Model):
    """A reader's own selection of accounts they follow, read as a timeline of its own."""

    class RepliesPolicy(models.TextChoices):
        # Which replies the list's timeline shows, as Mastodon names them.
        FOLLOWED = "followed", _("Replies to any followed account")
        LIST = "list", _("Replies to members of the list")
        NONE = "none", _("No replies")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("owner"),
    )
    title = models.CharField(_("title"), max_length=LIST_TITLE_MAX_LENGTH)
    replies_policy = models.CharField(
        _("replies shown"), max_length=10, choices=RepliesPolicy.choices, default=RepliesPolicy.LIST
    )
    # Mastodon's exclusive list: its members' posts leave the owner's home timeline.
    exclusive = models.BooleanField(_("exclusive"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("list")
        verbose_name_plural = _("lists")
        indexes = [models.Index(fields=["owner", "id"], name="social_list_owner")]

    def __str__(self) -> str:
        return self.title


class ListAccount(models.Model):
    list = models.ForeignKey(
        List,
        on_delete=models.CASCADE,
        related_name="members",
        db_index=False,
        verbose_name=_("list"),
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("account"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("list member")
        verbose_name_plural = _("list members")
        constraints = [
            models.UniqueConstraint(fields=["list", "account"], name="social_listaccount_unique")
        ]


class Bookmark(models.Model):
    """A post a reader keeps for later; only they see it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("user"),
    )
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="+", verbose_name=_("post")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("bookmark")
        verbose_name_plural = _("bookmarks")
        constraints = [
            models.UniqueConstraint(fields=["user", "post"], name="social_bookmark_unique")
        ]
        indexes = [models.Index(fields=["user", "-id"], name="social_bookmark_user")]


PINS_PER_ACCOUNT = 5


class Pin(models.Model):
    """One of an author's own public or unlisted posts, shown first on the profile."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("user"),
    )
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="+", verbose_name=_("post")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("pinned post")
        verbose_name_plural = _("pinned posts")
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="social_pin_unique")]
