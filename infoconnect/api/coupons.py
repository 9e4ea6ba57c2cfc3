"""Coupons under /v1/coupons: a merchant creates, lists and deactivates its coupons; a person
claims one (once; never more than its total count) and lists their claims. Checkout applies
the best claimed coupon of each shop by itself.

A coupon that is not the merchant's is a 404 ``coupon_not_found``; a refused value is a 422
with its code (``invalid_discount``, ``invalid_coupon_dates``, ...); a claim that cannot be
made now is a 409 (``coupon_all_claimed``, ``coupon_already_claimed``, ``coupon_unavailable``).
"""

from datetime import datetime
from typing import Literal

from ninja import Router, Schema, Status
from pydantic import Field

from infoconnect.api.schemas import ErrorOut, IsoDateTime, StrictSchema
from infoconnect.core.errors import DomainError
from infoconnect.messaging.errors import MessagingError
from infoconnect.messaging.selectors import campaign_offered_coupon
from infoconnect.shop import coupon_selectors
from infoconnect.shop.actions import coupons as actions
from infoconnect.shop.actions.rules import require_merchant
from infoconnect.shop.errors import CouponError
from infoconnect.shop.models import Coupon, CouponClaim

router = Router(tags=["coupons"])

MAX_ID = 2**63 - 1
ERRORS = dict.fromkeys((400, 401, 403, 404, 409, 422), ErrorOut)


class CouponIn(StrictSchema):
    title: str
    kind: Literal["amount", "percent"]
    amount_off: int | None = Field(None, description="Fen off (kind amount)")
    percent_off: int | None = Field(None, description="1-99 (kind percent)")
    max_off: int | None = Field(None, description="The most a percentage takes off, in fen")
    min_spend: int = Field(0, description="The order's lines must come to this, in fen")
    starts_at: IsoDateTime
    ends_at: IsoDateTime
    total_count: int


class ClaimIn(StrictSchema):
    campaign_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="The campaign whose message offered it"
    )


class CouponOut(Schema):
    id: int
    merchant_id: int
    title: str
    kind: str
    amount_off: int | None
    percent_off: int | None
    max_off: int | None
    min_spend: int
    currency: str
    starts_at: datetime
    ends_at: datetime
    total_count: int
    claimed_count: int
    redeemed_count: int
    is_active: bool


class ClaimOut(Schema):
    id: int
    coupon: CouponOut
    campaign_id: int | None
    claimed_at: datetime
    order_id: int | None = Field(description="The order that used it; null while unused")
    redeemed_at: datetime | None

    @staticmethod
    def resolve_coupon(obj: CouponClaim) -> Coupon:
        return obj.coupon


@router.post("/v1/coupons", response={201: CouponOut, **ERRORS})
def create_coupon(request, payload: CouponIn):
    return Status(201, actions.create_coupon(merchant=request.auth, **payload.dict()))


@router.get("/v1/coupons", response={200: list[CouponOut], **ERRORS})
def list_coupons(request):
    require_merchant(request.auth)
    return coupon_selectors.merchant_coupons(merchant=request.auth)


@router.get("/v1/coupons/claims", response={200: list[ClaimOut], **ERRORS})
def list_claims(request):
    """The caller's claimed coupons, newest first; ``order_id`` says which are used."""
    return coupon_selectors.claims_for(person=request.auth)


@router.get("/v1/coupons/{coupon_id}", response={200: CouponOut, **ERRORS})
def get_coupon(request, coupon_id: int):
    require_merchant(request.auth)
    coupon = coupon_selectors.merchant_coupon(merchant=request.auth, coupon_id=coupon_id)
    if coupon is None:
        raise DomainError(CouponError.COUPON_NOT_FOUND)
    return coupon


@router.post("/v1/coupons/{coupon_id}/deactivate", response={200: CouponOut, **ERRORS})
def deactivate_coupon(request, coupon_id: int):
    """Nobody can claim or use it any more; orders that used it keep their saving."""
    return actions.deactivate_coupon(merchant=request.auth, coupon_id=coupon_id)


@router.post("/v1/coupons/{coupon_id}/claim", response={201: ClaimOut, **ERRORS})
def claim_coupon(request, coupon_id: int, payload: ClaimIn | None = None):
    """Claim the coupon once; with ``campaign_id``, from that campaign's message (which the
    caller must have received, and which must carry this coupon)."""
    campaign_id = payload.campaign_id if payload is not None else None
    if campaign_id is not None and not campaign_offered_coupon(
        person=request.auth, campaign_id=campaign_id, coupon_id=coupon_id
    ):
        raise DomainError(MessagingError.CAMPAIGN_NOT_FOUND)
    claim = actions.claim_coupon(person=request.auth, coupon_id=coupon_id, campaign_id=campaign_id)
    return Status(201, claim)
