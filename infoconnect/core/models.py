from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_COMMISSION_BASIS_POINTS = 10_000  # 100%


class IdempotencyRecord(models.Model):
    """The first response to a money-moving request, replayed for a repeated Idempotency-Key."""

    user_id = models.BigIntegerField(_("user ID"))
    key = models.CharField(_("idempotency key"), max_length=255)
    scope = models.CharField(_("operation"), max_length=100)  # which operation the key was used for
    fingerprint = models.CharField(
        _("fingerprint"), max_length=64
    )  # SHA-256 of scope + canonical parameters
    status_code = models.PositiveSmallIntegerField(_("status code"))
    response = models.JSONField(_("response"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["user_id", "key"], name="core_idempotency_unique")
        ]
        indexes = [models.Index(fields=["created_at"], name="core_idempotency_created")]


class PlatformSettings(models.Model):
    """The operator's platform rules, edited in the admin; one row."""

    # Messaging programme
    marketing_cap_messages = models.PositiveIntegerField(
        _("marketing cap (messages)"),
        default=4,
        help_text=_("Most marketing messages one merchant may send one follower in the window."),
    )
    marketing_cap_days = models.PositiveIntegerField(_("marketing cap window (days)"), default=30)
    campaigns_per_day = models.PositiveIntegerField(
        _("campaigns per day"), default=1, help_text=_("Campaigns one merchant may send per day.")
    )
    spam_report_threshold_permille = models.PositiveIntegerField(
        _("spam report threshold (‰)"),
        default=20,
        help_text=_("Reports per thousand deliveries that suspend a merchant."),
    )
    spam_report_min_reports = models.PositiveIntegerField(
        _("spam reports needed"),
        default=3,
        help_text=_("Reports needed before the threshold applies."),
    )
    price_per_message_fen = models.PositiveIntegerField(_("price per message (fen)"), default=1)
    new_conversations_per_hour = models.PositiveIntegerField(
        _("new conversations per hour"), default=30
    )
    # Shop and escrow
    commission_basis_points = models.PositiveIntegerField(
        _("commission (basis points)"),
        default=200,
        validators=[MaxValueValidator(MAX_COMMISSION_BASIS_POINTS)],
        help_text=_("200 = 2%; at most 10000 (100%)."),
    )
    auto_confirm_days = models.PositiveIntegerField(_("auto-confirm after (days)"), default=10)
    unpaid_order_minutes = models.PositiveIntegerField(
        _("unpaid order expires after (minutes)"), default=30
    )
    refund_window_days = models.PositiveIntegerField(_("refund window (days)"), default=7)
    # Top-up limits: per account per site day (midnight, China time), on what is opened.
    topup_daily_amount_person = models.PositiveBigIntegerField(
        _("daily top-up amount, person (fen)"),
        default=20_000_000,
        help_text=_("Fen a person may top up per day (20000000 = ¥200,000)."),
    )
    topup_daily_count_person = models.PositiveIntegerField(
        _("daily top-ups, person"), default=20, help_text=_("Top-ups a person may open per day.")
    )
    topup_daily_amount_merchant = models.PositiveBigIntegerField(
        _("daily top-up amount, merchant (fen)"),
        default=100_000_000,
        help_text=_("Fen a merchant may top up per day."),
    )
    topup_daily_count_merchant = models.PositiveIntegerField(
        _("daily top-ups, merchant"),
        default=50,
        help_text=_("Top-ups a merchant may open per day."),
    )
    topup_daily_amount_company = models.PositiveBigIntegerField(
        _("daily top-up amount, company (fen)"),
        default=1_000_000_000,
        help_text=_("Fen a company may pay in by bank transfer per day."),
    )
    topup_daily_count_company = models.PositiveIntegerField(
        _("daily top-ups, company"),
        default=20,
        help_text=_("Bank transfers a company may open per day."),
    )

    class Meta:
        verbose_name = _("platform settings")
        verbose_name_plural = _("platform settings")
        constraints = [
            # More than the whole order would make every release of escrow fail.
            models.CheckConstraint(
                condition=models.Q(commission_basis_points__lte=MAX_COMMISSION_BASIS_POINTS),
                name="core_settings_commission_at_most_all",
            )
        ]

    def __str__(self) -> str:
        return str(_("Platform settings"))

    @classmethod
    def current(cls) -> "PlatformSettings":
        settings_row = cls.objects.order_by("pk").first()
        if settings_row is None:
            settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row
