"""What a campaign costs: held from the merchant balance as it starts sending, settled once
it ends (delivered × price charged, the rest of the hold released)."""

from datetime import datetime

from infoconnect.core.errors import DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.messaging import fanout
from infoconnect.messaging.errors import HoldRefused
from infoconnect.messaging.lifecycle import ENDED_STATES
from infoconnect.messaging.models import Campaign
from infoconnect.wallet import actions as wallet_actions
from infoconnect.wallet import selectors as wallet_selectors
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.models import AccountKind


def audience_size(*, campaign: Campaign, now: datetime, followers_count: int) -> int:
    """Every follower in the campaign's audience, before skips: the most it can deliver now.

    Skips are not counted out: that takes a pass over the skip sets (about a second at a
    million followers), and what skipped followers do not receive is released at the end.
    """
    if not campaign.audience and followers_count > 0:
        # Everyone: the merchant's follower count, kept with each follow and unfollow.
        return followers_count
    return fanout.count_audience(fanout.Audience.of(campaign.merchant_id, campaign.audience, now))


def hold_billing(
    *, campaign: Campaign, now: datetime, rules: PlatformSettings, followers_count: int
) -> None:
    """Hold the most the campaign can cost (its audience × the price) from the merchant's
    balance as it starts sending.

    Followers who arrive while it sends may still receive it, but the charge never exceeds
    this hold (see settle_billing).
    """
    amount = (
        audience_size(campaign=campaign, now=now, followers_count=followers_count)
        * rules.price_per_message_fen
    )
    if amount == 0:
        # Free (no price or nobody to reach): the ledger records no zero transactions.
        return
    try:
        wallet_actions.hold_campaign_cost(
            merchant_id=campaign.merchant_id,
            campaign_id=campaign.pk,
            amount=amount,
            currency=campaign.currency,
        )
    except DomainError as error:
        if error.error is not WalletError.MERCHANT_INSUFFICIENT_FUNDS:
            raise
        balance = wallet_selectors.balance_of(
            user_id=campaign.merchant_id, kind=AccountKind.MERCHANT, currency=campaign.currency
        )
        raise HoldRefused(balance=balance, cost=amount, currency=campaign.currency) from None


def settle_billing(campaign_id: int) -> None:
    """Charge an ended campaign delivered × price (never more than its hold) and release
    the rest to the merchant. The lifecycle calls it in the transaction that ended the
    campaign; running it again, or on a campaign that has not ended, changes nothing."""
    campaign = (
        Campaign.objects.filter(pk=campaign_id, state__in=ENDED_STATES)
        .values("merchant_id", "delivered", "price_per_message_fen", "currency")
        .first()
    )
    if campaign is None:
        return
    held = wallet_selectors.campaign_cost(campaign_id=campaign_id)["held"]
    if not held:
        # Never started, or free: nothing was held.
        return
    wallet_actions.settle_campaign(
        merchant_id=campaign["merchant_id"],
        campaign_id=campaign_id,
        charged=min(campaign["delivered"] * campaign["price_per_message_fen"], held),
        currency=campaign["currency"],
    )
