"""The wallet: balance, statement, top-ups, payouts, and the payment provider's webhook.

Top-ups and payouts move money, so they need an ``Idempotency-Key`` (Stripe's rules: the
first response is replayed; the same key with other parameters is a 409).
"""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router, Schema
from pydantic import Field

from infoconnect.accounts.gates import require_verified_merchant
from infoconnect.api.mastodon import set_link_header
from infoconnect.api.schemas import ErrorOut, StrictSchema
from infoconnect.core import ratelimits
from infoconnect.core.errors import DomainError
from infoconnect.core.idempotency import api_response
from infoconnect.core.money import format_money
from infoconnect.core.pagination import MAX_LIMIT, PageParams
from infoconnect.wallet import actions, selectors
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.models import AccountKind, LedgerEntry, Payment, Payout, PayoutAccount
from infoconnect.wallet.providers import get_provider

router = Router(tags=["wallet"])


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class MerchantBalanceOut(Schema):
    available: int
    payout_pending: int
    campaign_hold: int
    display: str


class WalletOut(Schema):
    balance: int
    currency: str
    display: str
    merchant_balance: MerchantBalanceOut | None = None


class EntryOut(Schema):
    id: int
    created_at: datetime
    kind: str
    reference: str
    description: str
    amount: int
    balance_after: int
    currency: str
    display_amount: str


class TopupIn(StrictSchema):
    amount: int = Field(strict=True, description="Amount in fen")
    currency: str = "CNY"
    destination: str = Field(
        "wallet",
        description='"wallet", or for a merchant "merchant" (its balance) or "deposit" '
        "(its security deposit)",
    )


class TopupOut(Schema):
    id: int
    status: str = Field(
        description="pending, succeeded, canceled, or expired (left pending for "
        f"{int(actions.TOPUP_EXPIRES_AFTER.total_seconds()) // 60} minutes; still "
        "credited, and then succeeded, if the provider confirms the payment)"
    )
    amount: int
    currency: str
    destination: str
    redirect_url: str
    qr_code: str = Field(
        "",
        description="When the provider is paid by scanning (WeChat Pay): what to draw as a QR "
        "code for the payer to scan in WeChat; redirect_url is this site's page that shows it",
    )
    created_at: datetime


class PayoutIn(StrictSchema):
    amount: int = Field(strict=True, description="Amount in fen")
    currency: str = "CNY"
    provider: str = Field(
        "",
        description='"alipay" or "wechatpay" (to the payout account set there), or "" for the '
        "first enabled provider the merchant can be paid through",
    )


class PayoutOut(Schema):
    id: int
    status: str = Field(
        description="requested (the balance covered it; the provider is asked next), sent (the "
        "provider is sending it), paid, or failed (the money is back on the merchant balance)"
    )
    amount: int
    currency: str
    provider: str
    payee: str = Field(description="The account it is sent to (empty for the sandbox)")
    created_at: datetime


class PayoutAccountIn(StrictSchema):
    identity: str = Field(
        description="Alipay: the login id (e-mail address or mainland mobile number); "
        "WeChat Pay: the merchant's openid under this site's app",
        max_length=100,
    )
    real_name: str = Field(description="The real name the account is registered to", max_length=50)


class PayoutAccountOut(Schema):
    provider: str
    identity: str
    real_name: str
    updated_at: datetime


class MerchantStandingOut(Schema):
    balance: int = Field(description="The merchant balance, in fen")
    available: int = Field(
        description="What a payout may take now: the balance less the reserve, 0 while a debt exists"
    )
    reserve: int = Field(
        description="The merchant's share of orders completed inside the refund window, less "
        "what was refunded of them: it stays on the balance"
    )
    refund_window_days: int
    deposit: int = Field(description="The security deposit held")
    deposit_required: int = Field(description="The minimum deposit the platform requires")
    deposit_shortfall: int
    debt: int = Field(description="What the merchant owes for refunds (0 when nothing)")
    currency: str
    display_available: str


class MerchantMoveIn(StrictSchema):
    amount: int = Field(strict=True, description="Amount in fen")
    currency: str = "CNY"


class MerchantMoveOut(Schema):
    id: int
    kind: str
    reference: str
    description: str
    amount: int
    currency: str
    created_at: datetime


class ReceivedOut(Schema):
    received: bool


def _payment(request: HttpRequest, payment: Payment) -> dict:
    return {
        "id": payment.pk,
        "status": payment.status,
        "amount": payment.amount,
        "currency": payment.currency,
        "destination": payment.destination,
        "redirect_url": request.build_absolute_uri(payment.redirect_url),
        "qr_code": payment.qr_code,
        "created_at": payment.created_at,
    }


def _payout(payout: Payout) -> dict:
    return {
        "id": payout.pk,
        "status": payout.status,
        "amount": payout.amount,
        "currency": payout.currency,
        "provider": payout.provider,
        "payee": payout.payee_identity,
        "created_at": payout.created_at,
    }


def _payout_account(account: PayoutAccount) -> dict:
    return {
        "provider": account.provider,
        "identity": account.identity,
        "real_name": account.real_name,
        "updated_at": account.updated_at,
    }


def entry_body(entry: LedgerEntry) -> dict:
    txn = entry.transaction
    return {
        "id": entry.pk,
        "created_at": entry.created_at,
        "kind": txn.kind,
        "reference": txn.reference,
        "description": txn.description,
        "amount": entry.amount,
        "balance_after": entry.balance_after,
        "currency": txn.currency,
        "display_amount": format_money(entry.amount, txn.currency),
    }


@router.get("/v1/wallet", response={200: WalletOut, 401: ErrorOut})
def wallet(request):
    """The signed-in user's wallet balance (and, for a merchant, its merchant balance)."""
    user = request.auth
    balance = selectors.balance_of(user_id=user.pk, kind=AccountKind.WALLET)
    body = {"balance": balance, "currency": "CNY", "display": format_money(balance)}
    if user.is_merchant:
        available = selectors.balance_of(user_id=user.pk, kind=AccountKind.MERCHANT)
        body["merchant_balance"] = {
            "available": available,
            "payout_pending": selectors.balance_of(
                user_id=user.pk, kind=AccountKind.PAYOUT_PENDING
            ),
            "campaign_hold": selectors.balance_of(user_id=user.pk, kind=AccountKind.CAMPAIGN_HOLD),
            "display": format_money(available),
        }
    return body


@router.get("/v1/wallet/statement", response={200: list[EntryOut], **ERRORS})
def statement(
    request: HttpRequest,
    response: HttpResponse,
    account: Literal["wallet", "merchant"] = "wallet",
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """Entries of the wallet (or, with account=merchant, the merchant balance), newest
    first, paged with max_id / since_id / min_id and a Link header."""
    user = request.auth
    kinds = {"wallet": AccountKind.WALLET, "merchant": AccountKind.MERCHANT}
    if account == "merchant" and not user.is_merchant:
        raise DomainError(WalletError.NOT_A_MERCHANT)
    if account == "merchant":
        require_verified_merchant(user)
    page = PageParams.clean(
        max_id=max_id, since_id=since_id, min_id=min_id, limit=limit, max_limit=MAX_LIMIT
    )
    entries = selectors.statement(user_id=user.pk, kind=kinds[account], page=page)
    set_link_header(request, response, [entry.pk for entry in entries])
    return [entry_body(entry) for entry in entries]


@router.post("/v1/wallet/topups", response={201: TopupOut, **ERRORS})
def create_topup(
    request,
    payload: TopupIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Open a top-up; send the payer to ``redirect_url``. The wallet is credited when the
    provider confirms the payment."""
    ratelimits.check(request, "topup")

    def work() -> dict:
        payment = actions.start_topup(
            user_id=request.auth.pk,
            amount=payload.amount,
            currency=payload.currency,
            destination=payload.destination,
        )
        return _payment(request, payment)

    return api_response(
        request,
        key=idempotency_key,
        scope=actions.TOPUP_SCOPE,
        params=actions.topup_request_params(
            amount=payload.amount, currency=payload.currency, destination=payload.destination
        ),
        work=work,
        status=201,
    )


@router.get("/v1/wallet/topups/{topup_id}", response={200: TopupOut, **ERRORS})
def get_topup(request, topup_id: int):
    payment = selectors.payment_for(user_id=request.auth.pk, payment_id=topup_id)
    if payment is None:
        raise DomainError(WalletError.PAYMENT_NOT_FOUND)
    return _payment(request, payment)


@router.post("/v1/wallet/payouts", response={201: PayoutOut, **ERRORS})
def create_payout(
    request,
    payload: PayoutIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """A merchant pays out from its balance. The money leaves the balance at once (the
    payout is ``requested``); the provider is asked once the request has committed (``sent``)
    and confirms it asynchronously (``paid``, or ``failed`` with the money returned)."""
    if not request.auth.is_merchant:
        raise DomainError(WalletError.NOT_A_MERCHANT)
    require_verified_merchant(request.auth)
    return api_response(
        request,
        key=idempotency_key,
        scope=actions.PAYOUT_SCOPE,
        params=actions.payout_request_params(
            amount=payload.amount, currency=payload.currency, provider=payload.provider
        ),
        work=lambda: _payout(
            actions.request_payout(
                merchant_id=request.auth.pk,
                amount=payload.amount,
                currency=payload.currency,
                provider=payload.provider,
            )
        ),
        status=201,
    )


@router.get("/v1/wallet/payout-accounts", response={200: list[PayoutAccountOut], **ERRORS})
def list_payout_accounts(request):
    """Where a merchant's payouts through each provider go."""
    if not request.auth.is_merchant:
        raise DomainError(WalletError.NOT_A_MERCHANT)
    require_verified_merchant(request.auth)
    accounts = selectors.payout_accounts_of(merchant_id=request.auth.pk)
    return [_payout_account(account) for account in accounts.values()]


@router.put("/v1/wallet/payout-accounts/{provider}", response={200: PayoutAccountOut, **ERRORS})
def set_payout_account(request, provider: str, payload: PayoutAccountIn):
    """Set where payouts through ``provider`` ("alipay" or "wechatpay") go; payouts requested
    from then on are sent there. A field that is not valid is a 422 naming it in ``fields``."""
    account = actions.set_payout_account(
        merchant_id=request.auth.pk,
        provider=provider,
        identity=payload.identity,
        real_name=payload.real_name,
        changed_by_id=request.auth.pk,
    )
    return _payout_account(account)


@router.get("/v1/wallet/payouts", response={200: list[PayoutOut], **ERRORS})
def list_payouts(
    request: HttpRequest,
    response: HttpResponse,
    max_id: str | None = None,
    limit: str | None = None,
):
    user = request.auth
    if not user.is_merchant:
        raise DomainError(WalletError.NOT_A_MERCHANT)
    require_verified_merchant(user)
    payouts = selectors.payouts_of(
        merchant_id=user.pk, page=PageParams.clean(max_id=max_id, limit=limit)
    )
    set_link_header(request, response, [payout.pk for payout in payouts])
    return [_payout(payout) for payout in payouts]


@router.get("/v1/wallet/payouts/{payout_id}", response={200: PayoutOut, **ERRORS})
def get_payout(request, payout_id: int):
    payout = selectors.payout_for(merchant_id=request.auth.pk, payout_id=payout_id)
    if payout is None:
        raise DomainError(WalletError.PAYOUT_NOT_FOUND)
    return _payout(payout)


def _merchant_only(request: HttpRequest) -> None:
    if not request.auth.is_merchant:
        raise DomainError(WalletError.NOT_A_MERCHANT_DEPOSIT)
    require_verified_merchant(request.auth)


@router.get("/v1/wallet/merchant", response={200: MerchantStandingOut, **ERRORS})
def merchant_standing(request):
    """A merchant's balance, what it may pay out, its reserve for refunds, deposit and debt."""
    _merchant_only(request)
    standing = selectors.merchant_standing(merchant_id=request.auth.pk)
    return {
        "balance": standing.balance,
        "available": standing.available,
        "reserve": standing.reserve,
        "refund_window_days": standing.refund_window_days,
        "deposit": standing.deposit,
        "deposit_required": standing.deposit_required,
        "deposit_shortfall": standing.deposit_shortfall,
        "debt": standing.debt,
        "currency": standing.currency,
        "display_available": format_money(standing.available, standing.currency),
    }


def _merchant_move(request, payload: MerchantMoveIn, idempotency_key, *, scope: str, move):
    _merchant_only(request)

    def work() -> dict:
        txn = move(merchant_id=request.auth.pk, amount=payload.amount, currency=payload.currency)
        return {
            "id": txn.pk,
            "kind": txn.kind,
            "reference": txn.reference,
            "description": txn.description,
            "amount": txn.amount,
            "currency": txn.currency,
            "created_at": txn.created_at,
        }

    return api_response(
        request,
        key=idempotency_key,
        scope=scope,
        params=actions.merchant_move_params(amount=payload.amount, currency=payload.currency),
        work=work,
        status=201,
    )


@router.post("/v1/wallet/merchant/deposit", response={201: MerchantMoveOut, **ERRORS})
def pay_deposit(
    request,
    payload: MerchantMoveIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Move money from the merchant balance into the security deposit (refused while a debt
    exists). To pay into the deposit from outside, open a top-up with destination deposit."""
    return _merchant_move(
        request, payload, idempotency_key, scope=actions.DEPOSIT_SCOPE, move=actions.pay_deposit
    )


@router.post("/v1/wallet/merchant/debt-settlements", response={201: MerchantMoveOut, **ERRORS})
def settle_debt(
    request,
    payload: MerchantMoveIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Pay part or all of the merchant's debt from its balance."""
    return _merchant_move(
        request, payload, idempotency_key, scope=actions.DEBT_SCOPE, move=actions.settle_debt
    )


@router.post(
    "/v1/wallet/webhooks/{provider}",
    response={200: ReceivedOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=None,
)
def provider_webhook(request: HttpRequest, provider: str):
    """The payment provider's signed notifications (no login: the signature is the proof).
    Each provider is answered as its platform expects (Alipay: the body ``success``)."""
    try:
        actions.handle_provider_notification(
            provider_name=provider, body=request.body, headers=request.headers
        )
    except DomainError as refused:
        answer = _provider_answer(provider, refused)
        if answer is None:
            raise
        return answer
    return _provider_answer(provider, None) or {"received": True}


def _provider_answer(provider: str, error: DomainError | None):
    try:
        return get_provider(provider).webhook_response(error)
    except DomainError:  # an unknown or disabled provider gets the API's own answer
        return None
