"""A company's wallet: top-ups by bank transfer (对公转账) and the money that matched nothing.

A finance member (or a company-wide admin) opens a bank transfer for an amount and gets a
remittance code (汇款识别码) to quote when remitting to the platform's receiving account. The
provider's ``transfer.received`` notification then credits the company wallet exactly once:
the notification id is recorded once (notifications.py), the transfer row is locked and moved
from awaiting by the lifecycle's conditional UPDATE, and the ledger transaction is idempotent
on the transfer's id. Money under an unknown code, for another amount, or for a transfer no
longer awaiting is held for the operator, who matches it to an awaiting transfer of the
company (crediting that one) or returns it to the payer.
"""

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.core.money import format_money
from infoconnect.core.sweeps import sweep_edge
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Company
from infoconnect.wallet import topup_limits
from infoconnect.wallet.actions.ledger import (
    accounts,
    check_amount,
    check_external_currency,
    open_transaction,
    post,
)
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.lifecycle import BANK_TRANSFER_EXPIRES_AFTER, bank_transfers, held_transfers
from infoconnect.wallet.models import (
    PLATFORM,
    AccountKind,
    BankTransfer,
    HeldTransfer,
    LedgerTransaction,
    TransactionKind,
)
from infoconnect.wallet.providers import BANK_TRANSFER_PROVIDER, Notification
from infoconnect.wallet.selectors import require_company_wallet

MAX_BANK_TRANSFER = 100_000_000  # ¥1,000,000 per transfer
BANK_TRANSFER_SCOPE = "wallet.company_topup"  # the idempotency scope, web or API
# No 0/O, 1/I/L: a code read out over the phone or typed from a slip is never ambiguous.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_ATTEMPTS = 5
MAX_REASON = 1000


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(value: str) -> str:
    """The code as a payer may have typed it: any case, with spaces or dashes."""
    return "".join(ch for ch in str(value).upper() if ch not in " -\t")


def bank_transfer_params(*, company_id: int, amount: int, currency: str) -> dict:
    """What a top-up request's idempotency key is bound to (the API and the web form)."""
    return {"company": company_id, "amount": amount, "currency": currency}


def open_bank_transfer(
    *, user: User, company_id: object, amount: int, currency: str = "CNY"
) -> BankTransfer:
    """Open a bank transfer for a verified company; its code awaits the money."""
    membership = require_company_wallet(user=user, company_id=company_id)
    check_amount(amount, currency)
    check_external_currency(currency)
    if amount > MAX_BANK_TRANSFER:
        raise DomainError(
            WalletError.AMOUNT_TOO_LARGE,
            gettext("A bank transfer may be at most %(max)s.")
            % {"max": format_money(MAX_BANK_TRANSFER, currency)},
        )
    if membership.company.status != Company.Status.VERIFIED:
        raise DomainError(ProcurementError.COMPANY_NOT_VERIFIED)
    now = timezone.now()
    limit = {"owner_id": membership.company_id, "owner_kind": topup_limits.Owner.COMPANY}
    day = topup_limits.take(amount=amount, **limit)
    for _attempt in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return BankTransfer.objects.create(
                    company_id=membership.company_id,
                    created_by=user,
                    amount=amount,
                    currency=currency,
                    code=new_code(),
                    provider=BANK_TRANSFER_PROVIDER,
                    status=bank_transfers.edge("open").target,
                    expires_at=now + BANK_TRANSFER_EXPIRES_AFTER,
                )
        except IntegrityError:
            continue  # the code was taken: draw another
    topup_limits.give_back(amount=amount, day=day, **limit)
    raise DomainError(WalletError.CODES_EXHAUSTED)


@transaction.atomic
def cancel_bank_transfer(*, user: User, company_id: object, transfer_id: object) -> BankTransfer:
    """A finance member calls off a transfer still awaiting money."""
    membership = require_company_wallet(user=user, company_id=company_id)
    transfer = (
        BankTransfer.objects.select_for_update()
        .filter(pk=parse_id(transfer_id) or 0, company_id=membership.company_id)
        .first()
    )
    if transfer is None:
        raise DomainError(WalletError.BANK_TRANSFER_NOT_FOUND)
    bank_transfers.move(transfer, "cancel", completed_at=timezone.now())
    return transfer


def credit_transfer(transfer: BankTransfer) -> LedgerTransaction:
    """Move a locked, awaiting transfer to credited and post its money, once."""
    bank_transfers.move(transfer, "credit", completed_at=timezone.now())
    txn, created = open_transaction(
        kind=TransactionKind.COMPANY_TOPUP,
        reference=str(transfer.pk),
        user_id=transfer.created_by_id,
        amount=transfer.amount,
        currency=transfer.currency,
    )
    if created:
        external, wallet = accounts(
            transfer.currency,
            (AccountKind.EXTERNAL, PLATFORM),
            (AccountKind.COMPANY_WALLET, transfer.company_id),
        )
        post(txn, [(external, -transfer.amount, None), (wallet, transfer.amount, None)])
    return txn


def receive_bank_transfer(
    *, provider_name: str, notification: Notification
) -> BankTransfer | HeldTransfer:
    """Apply a ``transfer.received`` notification (inside the handler's transaction): the
    credited transfer, or the held money when code, amount or state do not match."""
    code = normalize_code(notification.object_ref)
    transfer = (
        BankTransfer.objects.select_for_update().filter(provider=provider_name, code=code).first()
        if code
        else None
    )
    if transfer is None:
        why = HeldTransfer.Why.UNKNOWN_CODE
    elif not bank_transfers.allows(transfer, "credit"):
        why = HeldTransfer.Why.NOT_AWAITING
    elif transfer.amount != notification.amount or transfer.currency != notification.currency:
        why = HeldTransfer.Why.WRONG_AMOUNT
    else:
        credit_transfer(transfer)
        return transfer
    return HeldTransfer.objects.create(
        provider=provider_name,
        notification_id=notification.id,
        code=code[:64],
        amount=notification.amount,
        currency=notification.currency[:3],
        payer_name=notification.payer_name,
        why=why,
        named_transfer=transfer,
        status=held_transfers.edge("hold").target,
    )


def _check_operator(operator: User, reason: str) -> str:
    if not (operator.is_authenticated and operator.is_staff):
        raise DomainError(WalletError.NOT_OPERATOR)
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise DomainError(WalletError.REASON_REQUIRED)
    return reason


def _locked_held(held_id: object) -> HeldTransfer:
    held = HeldTransfer.objects.select_for_update().filter(pk=parse_id(held_id) or 0).first()
    if held is None:
        raise DomainError(WalletError.HELD_TRANSFER_NOT_FOUND)
    return held


@transaction.atomic
def match_held_transfer(
    *, operator: User, held_id: object, transfer_id: object, reason: str
) -> HeldTransfer:
    """The operator credits held money to an awaiting transfer of the company whose code it
    came under, for the amount received; the reason and the operator are kept on the row."""
    reason = _check_operator(operator, reason)
    held = _locked_held(held_id)
    if not held_transfers.allows(held, "match"):
        raise DomainError(WalletError.HELD_TRANSFER_INVALID_STATE)
    transfer = (
        BankTransfer.objects.select_for_update().filter(pk=parse_id(transfer_id) or 0).first()
    )
    if transfer is None:
        raise DomainError(WalletError.BANK_TRANSFER_NOT_FOUND)
    named = held.named_transfer
    if named is not None and named.company_id != transfer.company_id:
        raise DomainError(WalletError.MATCH_WRONG_COMPANY)
    if transfer.amount != held.amount or transfer.currency != held.currency:
        raise DomainError(WalletError.MATCH_AMOUNT_DIFFERS)
    credit_transfer(transfer)  # raises invalid_state unless it still awaits money
    held_transfers.move(
        held,
        "match",
        matched_transfer=transfer,
        reason=reason,
        resolved_by=operator,
        resolved_at=timezone.now(),
    )
    return held


@transaction.atomic
def return_held_transfer(*, operator: User, held_id: object, reason: str) -> HeldTransfer:
    """The operator sends held money back to its payer; nothing is credited."""
    reason = _check_operator(operator, reason)
    held = _locked_held(held_id)
    held_transfers.move(
        held, "return", reason=reason, resolved_by=operator, resolved_at=timezone.now()
    )
    return held


@transaction.atomic
def expire_bank_transfer(*, banktransfer_id: int, now: datetime | None = None) -> bool:
    """The sweep's action for the expire edge: a transfer still awaiting at its expiry."""
    now = now or timezone.now()
    transfer = BankTransfer.objects.filter(pk=banktransfer_id).first()
    if transfer is None:
        return False
    return bank_transfers.move(
        transfer,
        "expire",
        strict=False,
        where={"expires_at__lte": now},
        now=now,
        completed_at=now,
    )


def expire_stale_bank_transfers(*, now: datetime | None = None, batch: int = 500) -> int:
    """Sweep: expire every bank transfer still awaiting money past its expiry."""
    return sweep_edge(bank_transfers, "expire", now=now, batch=batch)
