"""What the messaging actions accept: web addresses, tags, audiences, campaign text, product
cards and images, each checked in one place for the web forms and the API alike."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.models import REGIONS, User
from infoconnect.core.errors import DomainError
from infoconnect.core.images import CleanImage, ImageRefused
from infoconnect.core.images import clean_image as clean_upload
from infoconnect.messaging.errors import MessagingError
from infoconnect.messaging.models import MESSAGE_MAX_LENGTH, TAG_MAX_LENGTH, TITLE_MAX_LENGTH
from infoconnect.shop.coupon_selectors import attachable_coupon
from infoconnect.shop.selectors import showable_product

MAX_AUDIENCE_TAGS = 10
MAX_FOLLOWER_TAGS = 20
# Followers one "Tag selected" may tag: two pages of the follower list.
MAX_BULK_TAGGED = 100
REGION_CODES = {code for code, _label in REGIONS}
AUDIENCE_KEYS = {"tags", "regions", "followed_within_days", "bought_from_me"}
# Too large or too many pixels: core's own codes, with the campaign's limits in the message.
IMAGE_REFUSALS = {ImageRefused.NOT_IMAGE: MessagingError.INVALID_IMAGE}


def clean_url(url: str, error: MessagingError) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise DomainError(
            error, _("Enter a web address starting with http:// or https://.")
        ) from None
    if len(url) > 500 or not urlsplit(url).netloc:
        raise DomainError(error, _("Enter a web address of at most 500 characters."))
    return url


def clean_tag(tag: str) -> str:
    tag = (tag or "").strip().lower()
    if not tag or len(tag) > TAG_MAX_LENGTH:
        raise DomainError(MessagingError.INVALID_AUDIENCE, _("A tag has 1 to 30 characters."))
    return tag


def clean_product(*, merchant: User, product_id: object) -> int:
    """A product a card may show (the shop's one rule: the merchant's own, on sale)."""
    product = showable_product(author=merchant, product_id=product_id)
    if product is None:
        raise DomainError(
            MessagingError.INVALID_ATTACHMENT, _("Choose one of your own products on sale.")
        )
    return product.pk


def clean_coupon(*, merchant: User, coupon_id: object) -> int:
    """A coupon a campaign may carry (the shop's rule: the merchant's own, active, not ended)."""
    coupon = attachable_coupon(merchant=merchant, coupon_id=coupon_id)
    if coupon is None:
        raise DomainError(
            MessagingError.INVALID_ATTACHMENT,
            _("Choose one of your own coupons that is active and has not ended."),
        )
    return coupon.pk


def clean_image(upload) -> CleanImage:
    """The campaign image re-encoded from its pixels under a name of its own (core.images),
    for the web form and the API alike."""
    return clean_upload(upload, "campaign", errors=IMAGE_REFUSALS)


def clean_audience(raw: dict | None) -> dict:
    raw = raw or {}
    if not isinstance(raw, dict) or set(raw) - AUDIENCE_KEYS:
        raise DomainError(MessagingError.INVALID_AUDIENCE)
    audience: dict = {}
    tags = raw.get("tags") or []
    if not isinstance(tags, list) or len(tags) > MAX_AUDIENCE_TAGS:
        raise DomainError(MessagingError.INVALID_AUDIENCE, _("Choose at most 10 tags."))
    if tags:
        audience["tags"] = sorted({clean_tag(str(tag)) for tag in tags})
    regions = raw.get("regions") or []
    if not isinstance(regions, list) or any(region not in REGION_CODES for region in regions):
        raise DomainError(MessagingError.INVALID_AUDIENCE, _("Choose regions from the list."))
    if regions:
        audience["regions"] = sorted(set(regions))
    days = raw.get("followed_within_days")
    if days not in (None, ""):
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
            raise DomainError(
                MessagingError.INVALID_AUDIENCE, _("Followed within: 1 to 3,650 days.")
            )
        audience["followed_within_days"] = days
    bought = raw.get("bought_from_me")
    if bought not in (None, False):
        if bought is not True:
            raise DomainError(MessagingError.INVALID_AUDIENCE, _("Has bought from me: yes or no."))
        audience["bought_from_me"] = True
    return audience


def clean_content(title: str, body: str, link_url: str) -> dict:
    title = (title or "").strip()
    body = (body or "").strip()
    if not title or len(title) > TITLE_MAX_LENGTH:
        raise DomainError(
            MessagingError.INVALID_CAMPAIGN, _("Give the campaign a title of 1 to 100 characters.")
        )
    if not body or len(body) > MESSAGE_MAX_LENGTH:
        raise DomainError(MessagingError.INVALID_MESSAGE)
    link_url = (link_url or "").strip()
    if link_url:
        link_url = clean_url(link_url, MessagingError.INVALID_CAMPAIGN)
    return {"title": title, "body": body, "link_url": link_url}
