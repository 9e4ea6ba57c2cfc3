"""Private messages between two accounts, and merchants' marketing campaigns to followers.

A campaign is one Message row; each recipient gets one thin Receipt keyed by
(recipient_id, message_id), so the receipts table can be distributed by recipient and a
fan-out is one set-based INSERT … SELECT per chunk of followers.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from infoconnect.core.lifecycle import lifecycle_of
from infoconnect.core.money import format_money

MESSAGE_MAX_LENGTH = 2000
TITLE_MAX_LENGTH = 100
TAG_MAX_LENGTH = 30


class Enrolment(models.Model):
    """A merchant's place in the messaging programme; an operator enrols and suspends."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        SUSPENDED = "suspended", _("Suspended pending review")

    merchant = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="messaging_enrolment",
        verbose_name=_("merchant"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ENROLLED
    )
    note = models.TextField(_("note"), blank=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("messaging enrolment")
        verbose_name_plural = _("messaging enrolments")

    def __str__(self) -> str:
        return f"{self.merchant} ({self.get_status_display()})"


class MarketingPreference(models.Model):
    """A follower's choice about one merchant's marketing; a row exists once they chose."""

    class Source(models.TextChoices):
        SETTINGS = "settings", _("Preference")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("follower"),
    )
    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("merchant"),
    )
    accepts_marketing = models.BooleanField(_("accepts marketing"), default=True)
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.SETTINGS
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("marketing preference")
        verbose_name_plural = _("marketing preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["follower", "merchant"], name="messaging_marketingpref_unique"
            )
        ]
        # The fan-out looks up one merchant's opted-out followers by follower range.
        indexes = [
            models.Index(
                fields=["merchant", "follower"],
                condition=Q(accepts_marketing=False),
                name="messaging_pref_optout",
            )
        ]


class FollowerTag(models.Model):
    """A label a merchant puts on one of its followers, for segments."""

    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("merchant"),
    )
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("follower"),
    )
    tag = models.CharField(_("tag"), max_length=TAG_MAX_LENGTH)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("follower tag")
        verbose_name_plural = _("follower tags")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "follower", "tag"], name="messaging_followertag_unique"
            )
        ]


class Conversation(models.Model):
    """Private messages between two accounts; user_low < user_high makes the pair unique."""

    user_low = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("first person"),
    )
    user_high = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("second person"),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_message_at = models.DateTimeField(_("last message at"), default=timezone.now)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(
                fields=["user_low", "user_high"], name="messaging_conversation_pair"
            ),
            models.CheckConstraint(
                condition=Q(user_low__lt=F("user_high")), name="messaging_conversation_order"
            ),
        ]
        # The hourly limit on new conversations counts one sender's recent ones.
        indexes = [models.Index(fields=["started_by", "created_at"], name="messaging_conv_started")]

    def __str__(self) -> str:
        return str(_("Conversation %(id)s") % {"id": self.pk})


class Participant(models.Model):
    """One side of a conversation: what that person's inbox shows for it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("user"),
    )
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("conversation"),
    )
    other = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("other person"),
    )
    last_message_at = models.DateTimeField(_("last message at"), default=timezone.now)
    unread_count = models.PositiveIntegerField(_("unread"), default=0)
    # Mastodon's "remove conversation": hidden from that person's Mastodon conversation list
    # until a message newer than this arrives (the InfoConnect inbox keeps showing it).
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("conversation participant")
        verbose_name_plural = _("conversation participants")
        constraints = [
            models.UniqueConstraint(fields=["user", "other"], name="messaging_participant_unique")
        ]
        indexes = [
            models.Index(fields=["user", "-last_message_at"], name="messaging_participant_inbox")
        ]


class Message(models.Model):
    """A private message in a conversation, or a campaign's one message (no conversation)."""

    class Attachment(models.TextChoices):
        NONE = "", _("None")
        POST = "post", pgettext_lazy("attachment type", "Post")
        LINK = "link", _("Link")
        PRODUCT = "product", _("Product")
        # A company's requisition, with its card and, for its approvers, Approve and Reject.
        REQUISITION = "requisition", _("Requisition")
        # A company's quote with a merchant: the request, each answer and counter as cards.
        QUOTE = "quote", pgettext_lazy("a merchant's offer", "Quote")

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("sender"),
    )
    conversation = models.ForeignKey(
        Conversation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("conversation"),
    )
    campaign = models.ForeignKey(
        "Campaign",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("campaign"),
    )
    is_test = models.BooleanField(_("test message"), default=False)
    body = models.TextField(_("body"), max_length=MESSAGE_MAX_LENGTH, blank=True)
    attachment_type = models.CharField(
        _("attachment type"),
        max_length=12,
        choices=Attachment.choices,
        default=Attachment.NONE,
        blank=True,
    )
    attachment_id = models.BigIntegerField(_("attachment ID"), null=True, blank=True)
    attachment_url = models.URLField(_("attachment URL"), max_length=500, blank=True)
    # The direct status (a Post of visibility direct) this message delivers, while it exists.
    post = models.ForeignKey(
        "social.Post",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("post"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("private message")
        verbose_name_plural = _("private messages")
        indexes = [
            models.Index(fields=["conversation", "-id"], name="messaging_message_thread"),
            # Deleting a direct status finds the messages that delivered it.
            models.Index(
                fields=["post"], condition=Q(post__isnull=False), name="messaging_message_post"
            ),
            # The frequency cap and inbox look up one merchant's recent campaign messages.
            models.Index(
                fields=["sender", "-id"],
                condition=Q(campaign__isnull=False),
                name="messaging_message_campaign",
            ),
        ]

    def __str__(self) -> str:
        return Truncator(self.body).chars(60) or str(_("Message %(id)s") % {"id": self.pk})


class Campaign(models.Model):
    """A merchant's marketing message to an audience of its followers.

    Its states and the edges between them are declared in ``lifecycle.py`` (draft →
    scheduled → sending ⇄ paused → sent, or cancelled / failed), the only writer of
    ``state``; counters move with F().
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    class Failure(models.TextChoices):
        """Why a campaign failed: a stable code, shown in the reader's language."""

        MERCHANT_SUSPENDED = (
            "merchant_suspended",
            _("Your shop was suspended from the messaging programme."),
        )
        NOT_ENROLLED = (
            "not_enrolled",
            _(
                "When it was due, your shop was not enrolled in the messaging programme, or it"
                " was suspended."
            ),
        )
        QUOTA_EXCEEDED = (
            "campaign_quota_exceeded",
            _("When it was due, you had already used that day's campaign quota."),
        )
        INSUFFICIENT_FUNDS = (
            "insufficient_funds",
            _("When it was due, your merchant balance was too low to hold its cost."),
        )
        OTHER = "other", _("The campaign could not be sent.")

    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("merchant"),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    link_url = models.URLField(_("link"), max_length=500, blank=True)
    image = models.ImageField(_("image"), upload_to="campaigns/", blank=True)
    # The shop product whose card the message carries (no FK: the shop's table, checked on save).
    product_id = models.BigIntegerField(_("product ID"), null=True, blank=True)
    # The shop coupon each recipient can claim from the message (shop's; no FK).
    coupon_id = models.BigIntegerField(_("coupon ID"), null=True, blank=True, db_default=None)
    # {"tags": [...], "regions": [...], "followed_within_days": N, "bought_from_me": true};
    # empty = all followers.
    audience = models.JSONField(_("audience"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    failure_code = models.CharField(
        _("failure code"), max_length=30, choices=Failure.choices, blank=True
    )
    # Figures the failure message shows: {"balance": fen, "cost": fen} for insufficient_funds.
    failure_detail = models.JSONField(_("failure detail"), default=dict, blank=True)
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    # The local day the campaign counts against the daily quota.
    send_day = models.DateField(_("send day"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    message = models.OneToOneField(
        Message,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent message"),
    )
    price_per_message_fen = models.PositiveIntegerField(_("price per message (fen)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    estimated_recipients = models.PositiveIntegerField(
        _("estimated recipients"), null=True, blank=True
    )
    chunks_total = models.PositiveIntegerField(_("chunks in all"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    targeted = models.PositiveIntegerField(_("targeted"), default=0)
    skipped_muted = models.PositiveIntegerField(_("skipped: muted"), default=0)
    skipped_unsubscribed = models.PositiveIntegerField(_("skipped: unsubscribed"), default=0)
    skipped_blocked = models.PositiveIntegerField(_("skipped: blocked"), default=0)
    skipped_capped = models.PositiveIntegerField(_("skipped: over the cap"), default=0)
    # Followers whose account an operator deactivated: they cannot read it, so it is not sent.
    skipped_inactive = models.PositiveIntegerField(_("skipped: deactivated"), default=0)
    # Billable deliveries: the wallet charges delivered × price_per_message_fen.
    delivered = models.PositiveIntegerField(_("delivered"), default=0)
    read = models.PositiveIntegerField(_("read"), default=0)
    clicked = models.PositiveIntegerField(_("clicked"), default=0)
    unsubscribed = models.PositiveIntegerField(_("unsubscribed"), default=0)
    reported = models.PositiveIntegerField(_("spam reports"), default=0)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [
            models.Index(fields=["merchant", "-id"], name="messaging_campaign_merchant"),
            models.Index(fields=["merchant", "send_day"], name="messaging_campaign_day"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def skipped(self) -> int:
        return (
            self.skipped_muted
            + self.skipped_unsubscribed
            + self.skipped_blocked
            + self.skipped_capped
            + self.skipped_inactive
        )

    @property
    def failure_reason(self) -> str:
        """Why it failed, in the active language; empty unless it failed."""
        if not self.failure_code:
            return ""
        detail = self.failure_detail or {}
        if self.failure_code == self.Failure.INSUFFICIENT_FUNDS and {"balance", "cost"} <= set(
            detail
        ):
            return gettext(
                "When it was due, your merchant balance (%(balance)s) was too low to hold"
                " %(cost)s, a message's price for each follower in the audience."
            ) % {
                "balance": format_money(detail["balance"], self.currency),
                "cost": format_money(detail["cost"], self.currency),
            }
        if self.failure_code not in self.Failure.values:
            return str(self.Failure.OTHER.label)
        return str(self.Failure(self.failure_code).label)

    @property
    def has_ended(self) -> bool:
        """In a state no edge of its lifecycle leaves (sent, cancelled or failed)."""
        return not lifecycle_of(self).verbs_from(self.state)

    @property
    def billable_fen(self) -> int:
        return self.delivered * self.price_per_message_fen

    @property
    def progress_percent(self) -> int:
        if self.state == self.State.SENT:
            return 100
        if not self.chunks_total:
            return 0
        return int(100 * self.chunks_done / self.chunks_total)


class CampaignChunk(models.Model):
    """One follower-id range [follower_low, follower_high) of a campaign's fan-out."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("campaign")
    )
    follower_low = models.BigIntegerField(_("from follower ID"))
    follower_high = models.BigIntegerField(_("to follower ID"))
    done = models.BooleanField(_("done"), default=False)
    delivered = models.PositiveIntegerField(_("delivered"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign chunk")
        verbose_name_plural = _("campaign chunks")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "follower_low"], name="messaging_chunk_unique"
            )
        ]


class Receipt(models.Model):
    """One recipient's copy of a campaign message: the hot table, keyed recipient first.

    No foreign-key constraints, so it can be distributed by recipient_id.
    """

    READ = 1
    CLICKED = 2
    UNSUBSCRIBED = 4
    REPORTED = 8

    pk = models.CompositePrimaryKey("recipient_id", "message_id")
    recipient_id = models.BigIntegerField(_("recipient ID"))
    message_id = models.BigIntegerField(_("message ID"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Last, so PostgreSQL packs the row without padding.
    flags = models.SmallIntegerField(_("flags"), default=0)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")


class CampaignActivity(models.Model):
    """Reads and clicks of a campaign per hour, for the chart."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="activity", verbose_name=_("campaign")
    )
    hour = models.DateTimeField(_("hour"))
    reads = models.PositiveIntegerField(_("reads"), default=0)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)

    class Meta:
        verbose_name = _("campaign activity")
        verbose_name_plural = _("campaign activity")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "hour"], name="messaging_activity_unique")
        ]
