"""Which campaign may take the credit for a purchase.

The messaging app registers the proof (the buyer received that merchant's campaign message)
in its AppConfig.ready(), so the shop never imports messaging. Without a registered check no
campaign is credited: an id in a URL alone proves nothing.
"""

from collections.abc import Callable

from infoconnect.core.ids import is_id
from infoconnect.shop.models import Sku

CampaignCheck = Callable[..., bool]

_checks: list[CampaignCheck] = []


def register_campaign_check(check: CampaignCheck) -> None:
    """check(buyer_id=, campaign_id=, merchant_id=) -> bool; registered once per process."""
    if check not in _checks:
        _checks.append(check)


def accepted_campaign(*, buyer_id: int, campaign_id: int | None, merchant_id: int) -> int | None:
    """The campaign id if the buyer really came from it, else None (the order is not credited)."""
    if not _checks or not is_id(campaign_id):
        return None
    ok = all(
        check(buyer_id=buyer_id, campaign_id=campaign_id, merchant_id=merchant_id)
        for check in _checks
    )
    return campaign_id if ok else None


def accepted_campaign_for_sku(*, buyer_id: int, campaign_id: int | None, sku_id: int) -> int | None:
    if not is_id(campaign_id):
        return None
    merchant_id = (
        Sku.objects.filter(pk=sku_id).values_list("product__merchant_id", flat=True).first()
    )
    if merchant_id is None:
        return None
    return accepted_campaign(buyer_id=buyer_id, campaign_id=campaign_id, merchant_id=merchant_id)
