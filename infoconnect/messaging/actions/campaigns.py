"""A merchant's campaigns: composing a draft, and each move of its lifecycle (schedule, send,
start, pause, resume, cancel); ``delivery`` writes the chunks, ``billing`` holds and settles."""

from datetime import datetime

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.messaging import selectors, streams
from infoconnect.messaging.actions.delivery import begin_sending, fanout_tasks
from infoconnect.messaging.actions.programme import check_quota, local_day, require_enrolled
from infoconnect.messaging.actions.rules import (
    clean_audience,
    clean_content,
    clean_coupon,
    clean_image,
    clean_product,
)
from infoconnect.messaging.errors import HoldRefused, MessagingError
from infoconnect.messaging.lifecycle import SENT_OR_SENDING, campaigns
from infoconnect.messaging.models import Campaign, CampaignChunk, Message, Receipt
from infoconnect.wallet.errors import WalletError

# What a scheduled campaign that could not start stores: a code, shown in the reader's
# language, not the error text in whatever language the worker ran.
FAILURE_FOR_ERROR = {
    MessagingError.NOT_ENROLLED: Campaign.Failure.NOT_ENROLLED,
    MessagingError.CAMPAIGN_QUOTA_EXCEEDED: Campaign.Failure.QUOTA_EXCEEDED,
    WalletError.MERCHANT_INSUFFICIENT_FUNDS: Campaign.Failure.INSUFFICIENT_FUNDS,
}


def own_campaign(merchant: User, campaign_id: int) -> Campaign:
    campaign = Campaign.objects.filter(pk=campaign_id, merchant=merchant).first()
    if campaign is None:
        raise DomainError(MessagingError.CAMPAIGN_NOT_FOUND)
    return campaign


# ---------------------------------------------------------------- composing a draft


@transaction.atomic
def create_campaign(
    *,
    merchant: User,
    title: str,
    body: str,
    link_url: str = "",
    audience: dict | None = None,
    image: File | None = None,
    product_id: int | None = None,
    coupon_id: int | None = None,
) -> Campaign:
    require_enrolled(merchant)
    fields = clean_content(title, body, link_url)
    if product_id is not None:
        fields["product_id"] = clean_product(merchant=merchant, product_id=product_id)
    if coupon_id is not None:
        fields["coupon_id"] = clean_coupon(merchant=merchant, coupon_id=coupon_id)
    campaign = Campaign.objects.create(
        merchant=merchant,
        audience=clean_audience(audience),
        price_per_message_fen=PlatformSettings.current().price_per_message_fen,
        **fields,
    )
    if image:
        clean = clean_image(image)
        campaign.image.save(clean.name, clean.file(), save=False)
        campaign.save(update_fields=["image"])
    return campaign


@transaction.atomic
def update_campaign(
    *,
    merchant: User,
    campaign_id: int,
    title: str | None = None,
    body: str | None = None,
    link_url: str | None = None,
    audience: dict | None = None,
    product_id: int | None = None,
    coupon_id: int | None = None,
) -> Campaign:
    """None leaves a field as it is; product_id=0 takes the product card off, coupon_id=0
    the coupon."""
    campaign = own_campaign(merchant, campaign_id)
    fields = clean_content(
        campaign.title if title is None else title,
        campaign.body if body is None else body,
        campaign.link_url if link_url is None else link_url,
    )
    if audience is not None:
        fields["audience"] = clean_audience(audience)
    if product_id == 0:
        fields["product_id"] = None
    elif product_id is not None:
        fields["product_id"] = clean_product(merchant=merchant, product_id=product_id)
    if coupon_id == 0:
        fields["coupon_id"] = None
    elif coupon_id is not None:
        fields["coupon_id"] = clean_coupon(merchant=merchant, coupon_id=coupon_id)
    updated = Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.DRAFT).update(
        updated_at=timezone.now(), estimated_recipients=None, **fields
    )
    if not updated:
        raise DomainError(MessagingError.CAMPAIGN_NOT_DRAFT)
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def edit_campaign(
    *,
    merchant: User,
    campaign_id: int,
    title: str,
    body: str,
    link_url: str,
    audience: dict,
    product_id: int,
    image: File | None = None,
    remove_image: bool = False,
    coupon_id: int = 0,
) -> Campaign:
    """The edit form's one change: the text, the card and the image together or not at all
    (``image`` replaces it, ``remove_image`` takes it off, neither leaves it)."""
    campaign = update_campaign(
        merchant=merchant,
        campaign_id=campaign_id,
        title=title,
        body=body,
        link_url=link_url,
        audience=audience,
        product_id=product_id,
        coupon_id=coupon_id,
    )
    if remove_image:
        campaign = remove_campaign_image(merchant=merchant, campaign_id=campaign_id)
    elif image is not None:
        campaign = set_campaign_image(merchant=merchant, campaign_id=campaign_id, image=image)
    return campaign


@transaction.atomic
def set_campaign_image(*, merchant: User, campaign_id: int, image: File) -> Campaign:
    """Attach (or replace) a draft campaign's image; the old file goes once this commits."""
    campaign = own_campaign(merchant, campaign_id)
    if campaign.state != Campaign.State.DRAFT:
        raise DomainError(MessagingError.CAMPAIGN_NOT_DRAFT)
    clean = clean_image(image)
    previous = campaign.image.name
    storage = campaign.image.storage
    name = storage.save(campaign.image.field.generate_filename(campaign, clean.name), clean.file())
    # The state is checked again in the UPDATE: a send that started meanwhile keeps its image.
    updated = Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.DRAFT).update(
        image=name, updated_at=timezone.now()
    )
    if not updated:
        storage.delete(name)
        raise DomainError(MessagingError.CAMPAIGN_NOT_DRAFT)
    if previous:
        transaction.on_commit(lambda: storage.delete(previous))
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def remove_campaign_image(*, merchant: User, campaign_id: int) -> Campaign:
    """Take a draft campaign's image off; removing none is not an error."""
    campaign = own_campaign(merchant, campaign_id)
    previous = campaign.image.name
    storage = campaign.image.storage
    updated = Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.DRAFT).update(
        image="", updated_at=timezone.now()
    )
    if not updated:
        raise DomainError(MessagingError.CAMPAIGN_NOT_DRAFT)
    if previous:
        transaction.on_commit(lambda: storage.delete(previous))
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def estimate_campaign(*, merchant: User, campaign_id: int) -> dict:
    """Recipients and cost if the campaign were sent now; remembered on the draft."""
    campaign = own_campaign(merchant, campaign_id)
    is_draft = campaign.state == Campaign.State.DRAFT
    estimate = selectors.audience_estimate(
        merchant_id=campaign.merchant_id,
        audience=campaign.audience,
        # A draft is priced at today's price; a campaign that started keeps its own.
        price_per_message_fen=None if is_draft else campaign.price_per_message_fen,
        currency=campaign.currency,
        exclude_message_id=campaign.message_id,
    )
    Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.DRAFT).update(
        estimated_recipients=estimate["recipients"],
        price_per_message_fen=estimate["price_per_message_fen"],
    )
    return estimate


@transaction.atomic
def send_test(*, merchant: User, campaign_id: int) -> Message:
    """Put a copy of the campaign in the merchant's own inbox; it counts for nothing."""
    require_enrolled(merchant)
    campaign = own_campaign(merchant, campaign_id)
    message = Message.objects.create(
        sender=merchant,
        campaign=campaign,
        is_test=True,
        body=campaign.body,
        attachment_type=Message.Attachment.LINK if campaign.link_url else "",
        attachment_url=campaign.link_url,
    )
    Receipt.objects.create(recipient_id=merchant.pk, message_id=message.pk)
    streams.inbox_changed(merchant.pk)
    return message


# ---------------------------------------------------------------- the lifecycle's moves


@transaction.atomic
def schedule_campaign(*, merchant: User, campaign_id: int, scheduled_at: datetime) -> Campaign:
    """Schedule a draft; the lifecycle queues its start for that time (the sweep backs it)."""
    now = timezone.now()
    if timezone.is_naive(scheduled_at):
        scheduled_at = timezone.make_aware(scheduled_at)
    if scheduled_at <= now:
        raise DomainError(MessagingError.SCHEDULE_IN_PAST)
    campaign = own_campaign(merchant, campaign_id)
    # The enrolment row lock serialises one merchant's quota checks.
    require_enrolled(merchant, lock=True)
    day = local_day(scheduled_at)
    check_quota(merchant_id=merchant.pk, day=day, exclude_id=campaign.pk)
    campaigns.move(
        campaign,
        "schedule",
        now=now,
        scheduled_at=scheduled_at,
        send_day=day,
        updated_at=now,
        price_per_message_fen=PlatformSettings.current().price_per_message_fen,
    )
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def send_campaign(*, merchant: User, campaign_id: int) -> Campaign:
    """Start sending a draft now; calling it again once it started is a no-op."""
    campaign = own_campaign(merchant, campaign_id)
    if campaign.state in SENT_OR_SENDING:
        return campaign
    begin_sending(campaign=campaign, verb="send")
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def start_scheduled(*, campaign_id: int, now: datetime | None = None) -> bool:
    """Start a scheduled campaign once it is due (the ``start`` edge's sweep action); False
    when it is not (yet) to be started, or could not start, which fails it with the reason."""
    now = now or timezone.now()
    campaign = Campaign.objects.select_related("merchant").filter(pk=campaign_id).first()
    if campaign is None or not campaigns.allows(campaign, "start"):
        return False
    if campaign.scheduled_at and campaign.scheduled_at > now:
        return False
    try:
        with transaction.atomic():
            begin_sending(campaign=campaign, verb="start")
    except DomainError as error:
        # The move was undone with the rest: the row is scheduled again.
        campaign.refresh_from_db(fields=["state"])
        campaigns.move(
            campaign,
            "fail",
            strict=False,
            now=now,
            failure_code=FAILURE_FOR_ERROR.get(error.error, Campaign.Failure.OTHER),
            failure_detail=failure_detail(error),
            finished_at=timezone.now(),
        )
        return False
    return True


def failure_detail(error: DomainError) -> dict:
    if isinstance(error, HoldRefused):
        return {"balance": error.balance, "cost": error.cost}
    if error.error not in FAILURE_FOR_ERROR:
        # Kept for operators: which error an "other" failure was.
        return {"error": error.code}
    return {}


@transaction.atomic
def cancel_campaign(*, merchant: User, campaign_id: int) -> Campaign:
    """Stop a scheduled, sending or paused campaign; chunks not yet written are never
    written, and the lifecycle settles what was delivered."""
    campaign = own_campaign(merchant, campaign_id)
    now = timezone.now()
    campaigns.move(campaign, "cancel", now=now, finished_at=now, updated_at=now)
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def pause_campaign(*, merchant: User, campaign_id: int) -> Campaign:
    """Hold a sending campaign: chunks already written stay, the others wait (a chunk being
    written rolls back), and the cost stays held until it ends."""
    campaign = own_campaign(merchant, campaign_id)
    campaigns.move(campaign, "pause", updated_at=timezone.now())
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def resume_campaign(*, merchant: User, campaign_id: int) -> Campaign:
    """Send a paused campaign on from where it stopped (the lifecycle queues the delivery)."""
    campaign = own_campaign(merchant, campaign_id)
    resume(campaign)
    campaign.refresh_from_db()
    return campaign


def resume(campaign: Campaign, *, strict: bool = True) -> bool:
    waiting = CampaignChunk.objects.filter(campaign_id=campaign.pk, done=False).count()
    # At least one task: with nothing left to write, it finishes the campaign.
    deliveries = max(1, fanout_tasks(waiting))
    return campaigns.move(
        campaign,
        "resume",
        strict=strict,
        context={"deliveries": deliveries},
        updated_at=timezone.now(),
    )


@transaction.atomic
def pause_campaigns(*, campaign_ids: list[int]) -> int:
    """An operator pauses those of the campaigns that are sending; returns how many."""
    now = timezone.now()
    return sum(
        campaigns.move(campaign, "pause", strict=False, now=now, updated_at=now)
        for campaign in Campaign.objects.filter(pk__in=campaign_ids).order_by("pk")
    )


@transaction.atomic
def resume_campaigns(*, campaign_ids: list[int]) -> int:
    """An operator resumes those of the campaigns that are paused; returns how many."""
    return sum(
        resume(campaign, strict=False)
        for campaign in Campaign.objects.filter(pk__in=campaign_ids).order_by("pk")
    )
