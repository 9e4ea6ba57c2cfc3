import hashlib

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

USERNAME_RE = r"^[A-Za-z0-9_]{3,30}$"
username_validator = RegexValidator(
    USERNAME_RE,
    _("Use 3 to 30 letters, digits or underscores."),
    code="invalid_username",
)

# The 34 provincial-level divisions, stored by a stable code and shown translated.
REGIONS = [
    ("BJ", _("Beijing")),
    ("TJ", _("Tianjin")),
    ("HE", _("Hebei")),
    ("SX", _("Shanxi")),
    ("NM", _("Inner Mongolia")),
    ("LN", _("Liaoning")),
    ("JL", _("Jilin")),
    ("HL", _("Heilongjiang")),
    ("SH", _("Shanghai")),
    ("JS", _("Jiangsu")),
    ("ZJ", _("Zhejiang")),
    ("AH", _("Anhui")),
    ("FJ", _("Fujian")),
    ("JX", _("Jiangxi")),
    ("SD", _("Shandong")),
    ("HA", _("Henan")),
    ("HB", _("Hubei")),
    ("HN", _("Hunan")),
    ("GD", _("Guangdong")),
    ("GX", _("Guangxi")),
    ("HI", _("Hainan")),
    ("CQ", _("Chongqing")),
    ("SC", _("Sichuan")),
    ("GZ", _("Guizhou")),
    ("YN", _("Yunnan")),
    ("XZ", _("Tibet")),
    ("SN", _("Shaanxi")),
    ("GS", _("Gansu")),
    ("QH", _("Qinghai")),
    ("NX", _("Ningxia")),
    ("XJ", _("Xinjiang")),
    ("HK", _("Hong Kong")),
    ("MO", _("Macau")),
    ("TW", _("Taiwan")),
]


class PostingPrivacy(models.TextChoices):
    """Who a new post is for by default; the same names as social's Visibility."""

    PUBLIC = "public", _("Public")
    UNLISTED = "unlisted", _("Unlisted")
    PRIVATE = "private", _("Followers only")
    DIRECT = "direct", _("Mentioned people only")


class ExpandMedia(models.TextChoices):
    """How clients show pictures marked sensitive, as Mastodon's reading:expand:media."""

    DEFAULT = "default", _("Hide those marked sensitive")
    SHOW_ALL = "show_all", _("Always show")
    HIDE_ALL = "hide_all", _("Always hide")


class InfoConnectUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Log-in is case-insensitive, as uniqueness is.
        return self.get(username__iexact=username)


class User(AbstractUser):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        MERCHANT = "merchant", _("Merchant")

    class MessagePolicy(models.TextChoices):
        EVERYONE = "everyone", _("Everyone")
        FOLLOWING = "following", _("Only accounts I follow")

    username = models.CharField(
        _("username"),
        max_length=30,
        unique=True,
        validators=[username_validator],
        error_messages={"unique": _("That username is taken.")},
    )
    # An applicant is a merchant at once; the badge and merchant privileges wait for
    # is_verified_merchant (see accounts.actions).
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    bio = models.TextField(_("bio"), max_length=500, blank=True)
    region = models.CharField(_("region"), max_length=2, choices=REGIONS, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    avatar_thumb = models.ImageField(_("avatar thumbnail"), upload_to="avatars/thumbs/", blank=True)
    # Denormalised from MerchantProfile so every place a name shows can draw the badge
    # without another query; only the verification actions write it.
    is_verified_merchant = models.BooleanField(_("verified merchant"), default=False)
    message_policy = models.CharField(
        _("who can message me"),
        max_length=10,
        choices=MessagePolicy.choices,
        default=MessagePolicy.EVERYONE,
    )
    # A locked account approves each new follower: following it makes a request.
    locked = models.BooleanField(_("approve followers by hand"), default=False, db_default=False)
    discoverable = models.BooleanField(_("listed in the directory"), default=True, db_default=True)
    # Whether the public posts may be found by searching their text.
    indexable = models.BooleanField(_("public posts searchable"), default=True, db_default=True)
    # Whether others see whom this account follows and who follows it.
    hide_collections = models.BooleanField(
        _("hide follows and followers"), default=False, db_default=False
    )
    # What a client preselects when this person writes a post (Mastodon's preferences).
    default_privacy = models.CharField(
        _("default post visibility"),
        max_length=10,
        choices=PostingPrivacy.choices,
        default="public",
        db_default="public",
    )
    default_sensitive = models.BooleanField(
        _("mark media sensitive by default"), default=False, db_default=False
    )
    default_language = models.CharField(
        _("default posting language"), max_length=16, blank=True, default="", db_default=""
    )
    expand_media = models.CharField(
        _("show sensitive media"),
        max_length=10,
        choices=ExpandMedia.choices,
        default="default",
        db_default="default",
    )
    expand_spoilers = models.BooleanField(
        _("expand content warnings"), default=False, db_default=False
    )
    followers_count = models.PositiveIntegerField(_("followers"), default=0)
    following_count = models.PositiveIntegerField(_("following"), default=0)
    posts_count = models.PositiveIntegerField(_("posts"), default=0)

    objects = InfoConnectUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]
        indexes = [
            # The few accounts an operator deactivated: a campaign's fan-out leaves them out.
            models.Index(
                fields=["id"], condition=models.Q(is_active=False), name="accounts_user_inactive"
            ),
        ]

    def __str__(self) -> str:
        # How an account is named on its own (the admin, its lists and messages): the name
        # people know and the username that tells two of them apart.
        return (
            f"{self.display_name} (@{self.username})" if self.display_name else f"@{self.username}"
        )

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def is_merchant(self) -> bool:
        return self.kind == self.Kind.MERCHANT


class MerchantProfile(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="merchant_profile", verbose_name=_("user")
    )
    shop_name = models.CharField(_("shop name"), max_length=60)
    company_name = models.CharField(_("registered company name"), max_length=120)
    business_license_number = models.CharField(
        _("unified social credit code"),
        max_length=18,
        validators=[
            RegexValidator(
                r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
                _("Enter the 18-character unified social credit code."),
                code="invalid_license",
            )
        ],
    )
    contact_phone = models.CharField(
        _("contact mobile"),
        max_length=11,
        validators=[RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mobile number."))],
    )
    description = models.TextField(_("what you sell"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    review_note = models.TextField(_("review note"), blank=True)
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("merchant profile")
        verbose_name_plural = _("merchant profiles")

    def __str__(self) -> str:
        return self.shop_name


class AccessToken(models.Model):
    """A personal access token for the API; only its SHA-256 is stored."""

    PREFIX = "ic_"

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="access_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=60)
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, unique=True)
    hint = models.CharField(_("key hint"), max_length=12)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class AppRegistration(models.Model):
    """What a client app said of itself when it registered (POST /api/v1/apps), beside the
    OAuth application django-oauth-toolkit keeps: its website and the scopes it may ask for."""

    application = models.OneToOneField(
        "oauth2_provider.Application",
        on_delete=models.CASCADE,
        related_name="registration",
        verbose_name=_("application"),
    )
    website = models.URLField(_("website"), max_length=2000, blank=True)
    scopes = models.CharField(_("scopes"), max_length=1000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("app registration")
        verbose_name_plural = _("app registrations")

    def __str__(self) -> str:
        return self.application.name
