"""Campaigns, the inbox's conversations and marketing preferences (Mastodon's own
``/v1/conversations`` is api/conversations.py).

A conversation is addressed by the other account's id: ``/v1/inbox/conversations/{account_id}``
holds the private messages between the two and the campaign messages either sent the other.
Sending a campaign moves money, so it needs an ``Idempotency-Key``.
"""

from datetime import datetime

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from infoconnect.accounts.gates import require_verified_merchant
from infoconnect.api.schemas import ErrorOut, IsoDateTime, StrictSchema
from infoconnect.core import ratelimits
from infoconnect.core.errors import DomainError
from infoconnect.core.idempotency import api_response
from infoconnect.core.money import format_money
from infoconnect.core.pagination import MAX_ID
from infoconnect.messaging import actions, selectors
from infoconnect.messaging.errors import MessagingError
from infoconnect.messaging.models import MESSAGE_MAX_LENGTH, Campaign, Message
from infoconnect.procurement.inbox_cards import RequisitionCard
from infoconnect.shop import selectors as shop_selectors

router = Router(tags=["messaging"])


ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


class AudienceIn(StrictSchema):
    tags: list[str] = []
    regions: list[str] = []
    followed_within_days: int | None = None
    bought_from_me: bool = False


class CampaignIn(StrictSchema):
    title: str = Field(max_length=200)
    body: str = Field(max_length=MESSAGE_MAX_LENGTH * 2)
    link_url: str = ""
    audience: AudienceIn = AudienceIn()
    product_id: int | None = None
    coupon_id: int | None = Field(None, description="A coupon each recipient can claim")


class CampaignPatch(StrictSchema):
    title: str | None = None
    body: str | None = None
    link_url: str | None = None
    audience: AudienceIn | None = None
    # 0 takes the product card off.
    product_id: int | None = None
    # 0 takes the coupon off.
    coupon_id: int | None = None


class ScheduleIn(StrictSchema):
    scheduled_at: IsoDateTime


class SkippedOut(Schema):
    muted: int
    unsubscribed: int
    blocked: int
    capped: int
    # accounts an operator deactivated
    inactive: int


class CampaignOut(Schema):
    id: int
    title: str
    body: str
    link_url: str
    image_url: str | None
    product_id: int | None
    coupon_id: int | None
    audience: dict
    state: str
    failure_code: str = Field(
        description="Why a failed campaign failed, a stable code: merchant_suspended,"
        " not_enrolled, campaign_quota_exceeded, insufficient_funds or other; empty otherwise"
    )
    failure_reason: str = Field(description="The failure in the request's language")
    scheduled_at: datetime | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    price_per_message_fen: int
    currency: str


class CampaignCouponOut(Schema):
    id: int
    title: str
    claimed: int = Field(description="Claims made from the campaign's messages")
    redeemed: int = Field(description="Of those, used by an order")
    revenue_fen: int = Field(description="What those orders brought (paid and not undone)")


class StatsOut(Schema):
    id: int
    state: str
    chunks_total: int
    chunks_done: int
    progress_percent: int
    targeted: int
    skipped: SkippedOut
    delivered: int
    read: int
    clicked: int
    unsubscribed: int
    reported: int
    price_per_message_fen: int
    billable_deliveries: int
    billable_fen: int
    currency: str
    orders: int
    revenue_fen: int
    refunded_orders: int
    refunded_fen: int
    read_rate: float | None = Field(description="Read ÷ delivered; null before any delivery")
    click_through_rate: float | None = Field(description="Clicked ÷ delivered")
    conversion_rate: float | None = Field(description="Orders ÷ delivered")
    revenue_per_delivered_fen: int | None
    return_on_spend: float | None = Field(
        description="Revenue ÷ what the campaign was charged (so far, while it sends)"
    )
    coupon: CampaignCouponOut | None


class EstimateOut(Schema):
    targeted: int
    recipients: int
    skipped: SkippedOut
    price_per_message_fen: int
    cost_fen: int
    hold_fen: int = Field(description="What sending holds from the merchant balance, in fen")
    currency: str


class MessagingAccountOut(Schema):
    id: int
    username: str
    display_name: str
    is_verified_merchant: bool


class ConversationOut(Schema):
    account: MessagingAccountOut
    last_message_at: datetime
    preview: str
    unread: int
    is_campaign: bool


class ProductCardOut(Schema):
    id: int
    title: str
    price_fen: int | None
    price_display: str
    image_url: str | None
    url: str
    # "available", "sold_out" (nothing in stock) or "unavailable" (nothing on sale)
    availability: str


class RequisitionCardOut(Schema):
    """A company account's message about a requisition, live: ``can_decide`` says whether
    the reader may approve or reject it now (``/v1/requisitions/{id}/approve`` with
    ``digest``, or ``/reject``)."""

    id: int
    company_id: int
    reference: str
    state: str
    total: int
    currency: str
    can_decide: bool
    # What the card shows, for the approval to be bound to ("" when the reader cannot decide).
    digest: str


class MessageOut(Schema):
    id: int
    sender_id: int
    body: str
    created_at: datetime
    attachment_type: str
    attachment_id: int | None
    attachment_url: str
    campaign_id: int | None = None
    campaign_title: str | None = None
    click_url: str | None = None
    product: ProductCardOut | None = None
    # For a "requisition" attachment: null when the reader may no longer see it.
    requisition: RequisitionCardOut | None = None
    read: bool | None = None
    unsubscribed: bool | None = None
    reported: bool | None = None


class MessageIn(StrictSchema):
    body: str = Field("", max_length=MESSAGE_MAX_LENGTH * 2)
    attachment_type: str = ""
    attachment_id: int | None = None
    attachment_url: str = ""


class PreferenceIn(StrictSchema):
    accepts_marketing: bool


class PreferenceOut(Schema):
    merchant: MessagingAccountOut
    accepts_marketing: bool
    source: str
    updated_at: datetime


def _campaign(campaign: Campaign) -> dict:
    return {
        "id": campaign.pk,
        "title": campaign.title,
        "body": campaign.body,
        "link_url": campaign.link_url,
        "image_url": campaign.image.url if campaign.image else None,
        "product_id": campaign.product_id,
        "coupon_id": campaign.coupon_id,
        "audience": campaign.audience,
        "state": campaign.state,
        "failure_code": campaign.failure_code,
        "failure_reason": campaign.failure_reason,
        "scheduled_at": campaign.scheduled_at,
        "created_at": campaign.created_at,
        "started_at": campaign.started_at,
        "finished_at": campaign.finished_at,
        "price_per_message_fen": campaign.price_per_message_fen,
        "currency": campaign.currency,
    }


def _audience(audience: AudienceIn | None) -> dict | None:
    return None if audience is None else audience.dict()


# ---------------------------------------------------------------- campaigns


@router.post("/v1/campaigns", response={201: CampaignOut, **ERRORS})
def create_campaign(request, payload: CampaignIn):
    campaign = actions.create_campaign(
        merchant=request.auth,
        title=payload.title,
        body=payload.body,
        link_url=payload.link_url,
        audience=_audience(payload.audience),
        product_id=payload.product_id,
        coupon_id=payload.coupon_id,
    )
    return Status(201, _campaign(campaign))


@router.get("/v1/campaigns", response={200: list[CampaignOut], **ERRORS})
def list_campaigns(request):
    if not request.auth.is_merchant:
        raise DomainError(MessagingError.NOT_MERCHANT)
    require_verified_merchant(request.auth)
    return [_campaign(c) for c in selectors.campaigns_for(merchant=request.auth)]


@router.get("/v1/campaigns/{campaign_id}", response={200: CampaignOut, **ERRORS})
def get_campaign(request, campaign_id: int):
    return _campaign(selectors.campaign_for(merchant=request.auth, campaign_id=campaign_id))


@router.patch("/v1/campaigns/{campaign_id}", response={200: CampaignOut, **ERRORS})
def update_campaign(request, campaign_id: int, payload: CampaignPatch):
    campaign = actions.update_campaign(
        merchant=request.auth,
        campaign_id=campaign_id,
        title=payload.title,
        body=payload.body,
        link_url=payload.link_url,
        audience=_audience(payload.audience),
        product_id=payload.product_id,
        coupon_id=payload.coupon_id,
    )
    return _campaign(campaign)


@router.post("/v1/campaigns/{campaign_id}/image", response={200: CampaignOut, **ERRORS})
def set_campaign_image(request, campaign_id: int, file: File[UploadedFile]):
    """Attach or replace a draft's image (multipart ``file``), checked as the web form checks
    it; the campaign's ``image_url`` then points at it."""
    ratelimits.check(request, "upload")
    campaign = actions.set_campaign_image(
        merchant=request.auth, campaign_id=campaign_id, image=file
    )
    return _campaign(campaign)


@router.delete("/v1/campaigns/{campaign_id}/image", response={200: CampaignOut, **ERRORS})
def remove_campaign_image(request, campaign_id: int):
    """Take a draft's image off."""
    return _campaign(actions.remove_campaign_image(merchant=request.auth, campaign_id=campaign_id))


@router.post("/v1/campaigns/{campaign_id}/estimate", response={200: EstimateOut, **ERRORS})
def estimate_campaign(request, campaign_id: int):
    return actions.estimate_campaign(merchant=request.auth, campaign_id=campaign_id)


@router.post("/v1/campaigns/{campaign_id}/test", response={201: MessageOut, **ERRORS})
def test_campaign(request, campaign_id: int):
    """Send a copy to the merchant's own inbox; it counts for nothing and costs nothing."""
    message = actions.send_test(merchant=request.auth, campaign_id=campaign_id)
    return Status(201, _message(message, flags=0))


@router.post("/v1/campaigns/{campaign_id}/send", response={200: CampaignOut, **ERRORS})
def send_campaign(
    request,
    campaign_id: int,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Start sending now; the same Idempotency-Key replays the first answer."""
    return api_response(
        request,
        key=idempotency_key,
        scope="messaging.campaign.send",
        params={"campaign": campaign_id},
        work=lambda: _campaign(
            actions.send_campaign(merchant=request.auth, campaign_id=campaign_id)
        ),
    )


@router.post("/v1/campaigns/{campaign_id}/schedule", response={200: CampaignOut, **ERRORS})
def schedule_campaign(request, campaign_id: int, payload: ScheduleIn):
    campaign = actions.schedule_campaign(
        merchant=request.auth, campaign_id=campaign_id, scheduled_at=payload.scheduled_at
    )
    return _campaign(campaign)


@router.post("/v1/campaigns/{campaign_id}/cancel", response={200: CampaignOut, **ERRORS})
def cancel_campaign(request, campaign_id: int):
    return _campaign(actions.cancel_campaign(merchant=request.auth, campaign_id=campaign_id))


@router.post("/v1/campaigns/{campaign_id}/pause", response={200: CampaignOut, **ERRORS})
def pause_campaign(request, campaign_id: int):
    """Hold a sending campaign: what was delivered stays, the rest waits for ``resume``
    (409 ``campaign_not_sending`` in any other state)."""
    return _campaign(actions.pause_campaign(merchant=request.auth, campaign_id=campaign_id))


@router.post("/v1/campaigns/{campaign_id}/resume", response={200: CampaignOut, **ERRORS})
def resume_campaign(request, campaign_id: int):
    """Send a paused campaign on from where it stopped (409 ``campaign_not_paused`` in any
    other state)."""
    return _campaign(actions.resume_campaign(merchant=request.auth, campaign_id=campaign_id))


@router.get("/v1/campaigns/{campaign_id}/stats", response={200: StatsOut, **ERRORS})
def campaign_stats(request, campaign_id: int):
    campaign = selectors.campaign_for(merchant=request.auth, campaign_id=campaign_id)
    return selectors.campaign_stats(campaign)


# ---------------------------------------------------------------- follower tags


class FollowerTagsIn(StrictSchema):
    tags: list[str] = Field(description="All the follower's tags; the ones left out are taken off")


class FollowerTagsOut(Schema):
    account_id: int
    tags: list[str]


class TagCountOut(Schema):
    tag: str
    followers: int


def _require_merchant(user) -> None:
    if not user.is_merchant:
        raise DomainError(MessagingError.NOT_MERCHANT)
    require_verified_merchant(user)


@router.get("/v1/follower_tags", response={200: list[TagCountOut], **ERRORS})
def list_tag_counts(request):
    """The tags the merchant puts on followers for segments, each with how many carry it."""
    _require_merchant(request.auth)
    return selectors.tag_counts(merchant=request.auth)


@router.get("/v1/follower_tags/{account_id}", response={200: FollowerTagsOut, **ERRORS})
def get_follower_tags(request, account_id: int):
    _require_merchant(request.auth)
    tags = selectors.follower_tags(merchant=request.auth, follower_id=account_id)
    return {"account_id": account_id, "tags": tags}


@router.put("/v1/follower_tags/{account_id}", response={200: FollowerTagsOut, **ERRORS})
def set_follower_tags(request, account_id: int, payload: FollowerTagsIn):
    """Set one follower's tags (1 to 30 characters each, kept in lower case; at most 20)."""
    tags = actions.set_follower_tags(
        merchant=request.auth, follower_id=account_id, tags=payload.tags
    )
    return {"account_id": account_id, "tags": tags}


# ---------------------------------------------------------------- conversations


def _account(user) -> dict:
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "is_verified_merchant": user.is_verified_merchant,
    }


def _product_card(product, url: str) -> dict:
    price = product.lowest_price
    cover = product.cover
    return {
        "id": product.pk,
        "title": product.title,
        "price_fen": price,
        "price_display": format_money(price) if price is not None else "",
        "image_url": cover.thumbnail.url if cover else None,
        "url": url,
        "availability": product.availability,
    }


def _requisition_card(card: RequisitionCard) -> dict | None:
    requisition = card.requisition
    if requisition is None:
        return None
    return {
        "id": requisition.pk,
        "company_id": requisition.company_id,
        "reference": requisition.reference,
        "state": requisition.state,
        "total": requisition.total,
        "currency": requisition.currency,
        "can_decide": card.can_decide,
        "digest": card.digest,
    }


def _message(
    message: Message,
    *,
    flags: int | None,
    token: str = "",
    product=None,
    created_at=None,
    card=None,
) -> dict:
    data = {
        "id": message.pk,
        "sender_id": message.sender_id,
        "body": message.body,
        # A campaign message is in a conversation from when it reached this recipient.
        "created_at": created_at or message.created_at,
        "attachment_type": message.attachment_type,
        "attachment_id": message.attachment_id,
        "attachment_url": message.attachment_url,
    }
    if message.campaign_id is not None:
        campaign = message.campaign
        data["campaign_id"] = campaign.pk
        data["campaign_title"] = campaign.title
        if token and campaign.link_url:
            data["click_url"] = reverse("messaging:click", args=[token])
        if flags is not None:
            data["read"] = bool(flags & 1)
            data["unsubscribed"] = bool(flags & 4)
            data["reported"] = bool(flags & 8)
    if product is not None:
        if token and message.campaign_id is not None:
            # The card's Buy goes through the signed click link, so it counts as a click.
            url = reverse("messaging:click", args=[token]) + "?to=product"
        elif message.campaign_id is not None:
            url = f"{reverse('shop:product', args=[product.pk])}?campaign={message.campaign_id}"
        else:
            url = reverse("shop:product", args=[product.pk])
        data["product"] = _product_card(product, url)
    if isinstance(card, RequisitionCard):
        data["requisition"] = _requisition_card(card)
    return data


@router.get("/v1/inbox/conversations", response={200: list[ConversationOut], **ERRORS})
def list_conversations(
    request, before: datetime | None = None, before_id: int | None = Query(None, ge=1, le=MAX_ID)
):
    """Newest first, 20 a page: for the next page pass the last item's ``last_message_at`` as
    ``before`` and its account's id as ``before_id``."""
    return [
        {
            "account": _account(entry.other),
            "last_message_at": entry.last_at,
            "preview": entry.preview,
            "unread": entry.unread,
            "is_campaign": entry.is_campaign,
        }
        for entry in selectors.inbox(user=request.auth, before=before, before_id=before_id)
    ]


@router.get("/v1/inbox/conversations/unread_count", response={200: dict, **ERRORS})
def unread_count(request):
    return {"unread": selectors.unread_total(user=request.auth)}


@router.get("/v1/inbox/conversations/{account_id}", response={200: ConversationOut, **ERRORS})
def get_conversation(request, account_id: int):
    entry = selectors.conversation_entry(user=request.auth, other_id=account_id)
    return {
        "account": _account(entry.other),
        "last_message_at": entry.last_at,
        "preview": entry.preview,
        "unread": entry.unread,
        "is_campaign": entry.is_campaign,
    }


@router.get(
    "/v1/inbox/conversations/{account_id}/messages", response={200: list[MessageOut], **ERRORS}
)
def conversation_messages(
    request,
    account_id: int,
    before: datetime | None = None,
    before_id: int | None = Query(None, ge=1, le=MAX_ID),
):
    """The newest 100 messages, oldest first; for earlier ones pass the first item's
    ``created_at`` as ``before`` and its ``id`` as ``before_id``."""
    thread = selectors.thread(
        user=request.auth, other_id=account_id, before=before, before_id=before_id
    )
    return [
        _message(
            item.message,
            flags=item.flags if item.click_token else None,
            token=item.click_token,
            product=item.product,
            created_at=item.created_at,
            card=item.card,
        )
        for item in thread.items
    ]


@router.post("/v1/inbox/conversations/{account_id}/messages", response={201: MessageOut, **ERRORS})
def send_message(request, account_id: int, payload: MessageIn):
    message = actions.send_message(
        sender=request.auth,
        recipient_id=account_id,
        body=payload.body,
        attachment_type=payload.attachment_type,
        attachment_id=payload.attachment_id,
        attachment_url=payload.attachment_url,
    )
    product_id = selectors.message_product_id(message)
    product = shop_selectors.product_cards([product_id]).get(product_id) if product_id else None
    return Status(201, _message(message, flags=None, product=product))


@router.post("/v1/inbox/conversations/{account_id}/read", response={200: dict, **ERRORS})
def mark_read(request, account_id: int):
    if not selectors.account_exists(account_id):
        raise DomainError(MessagingError.RECIPIENT_NOT_FOUND)
    actions.mark_conversation_read(user=request.auth, other_id=account_id)
    return {"unread": selectors.unread_total(user=request.auth)}


@router.post(
    "/v1/inbox/conversations/{account_id}/messages/{message_id}/unsubscribe",
    response={200: PreferenceOut, **ERRORS},
)
def unsubscribe(request, account_id: int, message_id: int):
    if not selectors.message_sent_by(message_id=message_id, sender_id=account_id):
        raise DomainError(MessagingError.MESSAGE_NOT_FOUND)
    preference = actions.unsubscribe(user=request.auth, message_id=message_id)
    return _preference(preference)


@router.post(
    "/v1/inbox/conversations/{account_id}/messages/{message_id}/report",
    response={200: dict, **ERRORS},
)
def report(request, account_id: int, message_id: int):
    if not selectors.message_sent_by(message_id=message_id, sender_id=account_id):
        raise DomainError(MessagingError.MESSAGE_NOT_FOUND)
    actions.report_spam(user=request.auth, message_id=message_id)
    return {"reported": True}


# ---------------------------------------------------------------- marketing preferences


def _preference(preference) -> dict:
    return {
        "merchant": _account(preference.merchant),
        "accepts_marketing": preference.accepts_marketing,
        "source": preference.source,
        "updated_at": preference.updated_at,
    }


@router.get("/v1/marketing_preferences", response={200: list[PreferenceOut], **ERRORS})
def list_preferences(request):
    return [_preference(p) for p in selectors.marketing_preferences(user=request.auth)]


@router.put("/v1/marketing_preferences/{merchant_id}", response={200: PreferenceOut, **ERRORS})
def set_preference(request: HttpRequest, merchant_id: int, payload: PreferenceIn):
    preference = actions.set_marketing_preference(
        follower=request.auth, merchant_id=merchant_id, accepts_marketing=payload.accepts_marketing
    )
    return _preference(preference)
