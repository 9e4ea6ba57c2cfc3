"""The microblog: follows, blocks, mutes, posts (with reposts and replies), likes, tags,
mentions and notifications.

Hot tables (follows, posts, likes, notifications) lead their indexes with the user they
belong to, so they can be distributed by that key.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

POST_MAX_LENGTH = 2000


class Follow(models.Model):
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
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
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="social_block_unique"),
            models.CheckConstraint(
                condition=~Q(blocker=F("blocked")), name="social_block_not_self"
            ),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"], name="social_block_blocked")]


class Mute(models.Model):
    muter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    muted = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["muter", "muted"], name="social_mute_unique"),
            models.CheckConstraint(condition=~Q(muter=F("muted")), name="social_mute_not_self"),
        ]
        # Who muted a merchant: the campaign fan-out skips them.
        indexes = [models.Index(fields=["muted", "muter"], name="social_mute_muted")]


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)  # stored lower-cased

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
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts", db_index=False
    )
    text = models.TextField(_("text"), max_length=POST_MAX_LENGTH, blank=True)
    # Comments go with the post they answer, as they do on Weibo.
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # A repost points at the original; with text it is a repost with a comment.
    repost_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="reposts"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Posts and reposts count towards the author's posts_count; comments do not.
    replies_count = models.PositiveIntegerField(default=0)
    reposts_count = models.PositiveIntegerField(default=0)
    likes_count = models.PositiveIntegerField(default=0)
    tags = models.ManyToManyField(Tag, through="PostTag", related_name="posts")
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
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
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


MEDIA_PER_POST = 9


class MediaAttachment(models.Model):
    """A picture uploaded for a post: re-encoded without EXIF, with a thumbnail and a
    blurhash. It belongs to its uploader until a post takes it (``post`` set), at most
    ``MEDIA_PER_POST`` a post in ``position`` order."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="media"
    )
    position = models.PositiveSmallIntegerField(default=0)
    image = models.ImageField(upload_to="media/%Y/%m/")
    thumbnail = models.ImageField(upload_to="media/thumbs/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    blurhash = models.CharField(max_length=100, blank=True, default="")
    description = models.TextField(_("description"), max_length=1500, blank=True, default="")
    # Mastodon's focal point: -1.0 (left, bottom) to 1.0 (right, top).
    focus_x = models.FloatField(default=0.0)
    focus_y = models.FloatField(default=0.0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "-id"], name="social_media_owner"),
            models.Index(fields=["post", "position"], name="social_media_post"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    focus_x__gte=-1.0, focus_x__lte=1.0, focus_y__gte=-1.0, focus_y__lte=1.0
                ),
                name="social_media_focus_range",
            )
        ]


class PostTag(models.Model):
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, db_index=False)
    post = models.ForeignKey(Post, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "post"], name="social_posttag_unique")
        ]


class Mention(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="social_mention_unique")
        ]


class Like(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="social_like_unique")]


class Notification(models.Model):
    class Kind(models.TextChoices):
        FOLLOW = "follow", _("followed you")
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

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    order_id = models.BigIntegerField(null=True, blank=True, db_default=None)
    data = models.JSONField(default=dict, blank=True, db_default={})
    # Makes a notification that a retried task writes again one row: e.g. "refund:12:accepted".
    key = models.CharField(max_length=64, blank=True, default="", db_default="")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
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
