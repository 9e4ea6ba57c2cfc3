"""Reads of the ledger: balances, statements, top-ups, payouts, platform totals, and a
company's wallet (seen by its finance members and company-wide admins only)."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.core.models import PlatformSettings
from infoconnect.core.pagination import PageParams, paginate
from infoconnect.procurement import selectors as procurement_selectors
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Membership, Role
from infoconnect.wallet.models import (
    PLATFORM,
    AccountKind,
    BankTransfer,
    DepositRequirement,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    Payout,
    PayoutAccount,
    TransactionKind,
)


def balance_of(*, user_id: int, kind: str = AccountKind.WALLET, currency: str = "CNY") -> int:
    """A user's balance in fen: kind is "wallet" (a person's wallet) or "merchant"."""
    balance = (
        LedgerAccount.objects.filter(owner_id=user_id, kind=kind, currency=currency)
        .values_list("balance", flat=True)
        .first()
    )
    return balance or 0


def statement(
    *,
    user_id: int,
    kind: str = AccountKind.WALLET,
    currency: str = "CNY",
    page: PageParams | None = None,
) -> list[LedgerEntry]:
    """A page of the account's entries, newest first, each with its transaction."""
    entries = _entries(user_id=user_id, kind=kind, currency=currency)
    return paginate(entries, page or PageParams())


def statement_rows(
    *, user_id: int, kind: str = AccountKind.WALLET, currency: str = "CNY"
) -> Iterator[LedgerEntry]:
    """Every entry of the account, newest first, streamed (for the CSV export)."""
    return (
        _entries(user_id=user_id, kind=kind, currency=currency)
        .order_by("-id")
        .iterator(chunk_size=2000)
    )


def _entries(*, user_id: int, kind: str, currency: str):
    return LedgerEntry.objects.filter(
        account__owner_id=user_id, account__kind=kind, account__currency=currency
    ).select_related("transaction")


def payment_for(*, user_id: int, payment_id: int) -> Payment | None:
    return Payment.objects.filter(pk=payment_id, user_id=user_id).first()


def latest_order_topup(*, user_id: int, order_id: int) -> Payment | None:
    """The payer's latest top-up opened to pay the order (pay in one step), if any."""
    return Payment.objects.filter(user_id=user_id, order_id=order_id).order_by("-pk").first()


def payment_by_reference(*, reference: str) -> Payment | None:
    return Payment.objects.filter(provider_ref=reference).first()


def payouts_of(*, merchant_id: int, page: PageParams | None = None) -> list[Payout]:
    return paginate(Payout.objects.filter(merchant_id=merchant_id), page or PageParams())


def payout_for(*, merchant_id: int, payout_id: int) -> Payout | None:
    return Payout.objects.filter(pk=payout_id, merchant_id=merchant_id).first()


def payout_accounts_of(*, merchant_id: int) -> dict[str, PayoutAccount]:
    """The merchant's payout accounts, by provider name."""
    return {
        account.provider: account
        for account in PayoutAccount.objects.filter(merchant_id=merchant_id).order_by("provider")
    }


# --- a merchant's balance, reserve, deposit and debt ------------------------------------------

MERCHANT_SIDE = (AccountKind.MERCHANT, AccountKind.DEPOSIT, AccountKind.MERCHANT_DEBT)


@dataclass(frozen=True)
class MerchantStanding:
    """What a merchant's money is, in fen: ``debt`` is what it owes (positive)."""

    balance: int
    reserve: int
    deposit: int
    deposit_required: int
    debt: int
    refund_window_days: int
    currency: str = "CNY"

    @property
    def available(self) -> int:
        """What a payout may take now: nothing while a debt exists, else the balance less
        the reserve for refunds."""
        if self.debt:
            return 0
        return max(self.balance - self.reserve, 0)

    @property
    def deposit_shortfall(self) -> int:
        return max(self.deposit_required - self.deposit, 0)


def merchant_standing(
    *, merchant_id: int, currency: str = "CNY", now: datetime | None = None
) -> MerchantStanding:
    balances = dict(
        LedgerAccount.objects.filter(
            owner_id=merchant_id, kind__in=MERCHANT_SIDE, currency=currency
        ).values_list("kind", "balance")
    )
    required = (
        DepositRequirement.objects.filter(merchant_id=merchant_id, currency=currency)
        .values_list("minimum", flat=True)
        .first()
    )
    days = PlatformSettings.current().refund_window_days
    return MerchantStanding(
        balance=balances.get(AccountKind.MERCHANT, 0),
        reserve=refund_reserve(merchant_id=merchant_id, currency=currency, now=now),
        deposit=balances.get(AccountKind.DEPOSIT, 0),
        deposit_required=required or 0,
        debt=max(-balances.get(AccountKind.MERCHANT_DEBT, 0), 0),
        refund_window_days=days,
        currency=currency,
    )


def refund_reserve(*, merchant_id: int, currency: str = "CNY", now: datetime | None = None) -> int:
    """The merchant's share of its orders still inside the refund window, less what was
    refunded of them: a payout leaves at least this on the balance, so a refund of a recent
    order can never find it paid out.

    Read from the merchant's own accounts' entries since the window opened (its releases,
    and the refunds of the orders they released).
    """
    days = PlatformSettings.current().refund_window_days
    since = (now or timezone.now()) - timedelta(days=days)
    rows = LedgerEntry.objects.filter(
        account__owner_id=merchant_id,
        account__kind__in=MERCHANT_SIDE,
        account__currency=currency,
        created_at__gte=since,
        transaction__kind__in=[
            TransactionKind.ESCROW_RELEASE,
            TransactionKind.ORDER_REFUND,
            TransactionKind.PARTIAL_REFUND,
        ],
    ).values_list("transaction__kind", "transaction__reference", "amount")
    shares: dict[str, int] = defaultdict(int)
    refunded: dict[str, int] = defaultdict(int)
    for kind, reference, amount in rows:
        if kind == TransactionKind.ESCROW_RELEASE:
            shares[reference] += amount
        else:
            refunded[reference.split("-")[0]] += amount
    return sum(max(share + refunded[order], 0) for order, share in shares.items())


def platform_totals(*, currency: str = "CNY") -> dict[str, int]:
    """What the operator watches: revenue, money in escrow, held and on its way out."""
    rows = dict(
        LedgerAccount.objects.filter(currency=currency)
        .values_list("kind")
        .annotate(total=Sum("balance"))
        .values_list("kind", "total")
    )
    totals = {kind.value: int(rows.get(kind.value) or 0) for kind in AccountKind}
    # Money inside the system is what the external world has paid in and not taken out.
    totals["in_system"] = -totals[AccountKind.EXTERNAL]
    return totals


def platform_account_balance(*, kind: str, currency: str = "CNY") -> int:
    return balance_of(user_id=PLATFORM, kind=kind, currency=currency)


def campaign_cost(*, campaign_id: int) -> dict[str, int | None]:
    """A campaign's billing: ``held`` (0 when nothing was held) and ``charged`` to messaging
    revenue (None until the campaign is settled)."""
    reference = str(campaign_id)
    amounts = dict(
        LedgerTransaction.objects.filter(
            kind__in=[TransactionKind.CAMPAIGN_HOLD, TransactionKind.CAMPAIGN_SETTLE],
            reference=reference,
        ).values_list("kind", "amount")
    )
    charged = None
    if TransactionKind.CAMPAIGN_SETTLE in amounts:
        charged = (
            LedgerEntry.objects.filter(
                transaction__kind=TransactionKind.CAMPAIGN_SETTLE,
                transaction__reference=reference,
                account__kind=AccountKind.MESSAGING_REVENUE,
            ).aggregate(total=Sum("amount"))["total"]
            or 0
        )
    return {"held": amounts.get(TransactionKind.CAMPAIGN_HOLD, 0), "charged": charged}


# --- a company's wallet -----------------------------------------------------------------------

# The roles that see and top up a company's wallet, held over the whole company.
COMPANY_WALLET_ROLES = (Role.FINANCE, Role.ADMIN)


def sees_company_wallet(membership: Membership) -> bool:
    return any(procurement_selectors.holds_role(membership, role) for role in COMPANY_WALLET_ROLES)


def require_company_wallet(*, user: User, company_id: object) -> Membership:
    """The user's current membership if it may see the company's wallet: ``not_a_member``
    (404) for anyone else, ``role_required`` (403) for a member without the role."""
    membership = procurement_selectors.require_member(user=user, company_id=company_id)
    if not sees_company_wallet(membership):
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    return membership


def company_balance(*, company_id: int, currency: str = "CNY") -> int:
    return balance_of(user_id=company_id, kind=AccountKind.COMPANY_WALLET, currency=currency)


def company_statement(*, company_id: int, page: PageParams | None = None) -> list[LedgerEntry]:
    return statement(user_id=company_id, kind=AccountKind.COMPANY_WALLET, page=page)


def company_statement_rows(*, company_id: int) -> Iterator[LedgerEntry]:
    return statement_rows(user_id=company_id, kind=AccountKind.COMPANY_WALLET)


def bank_transfers_of(*, company_id: int, page: PageParams | None = None) -> list[BankTransfer]:
    return paginate(BankTransfer.objects.filter(company_id=company_id), page or PageParams())


def bank_transfer_for(*, company_id: int, transfer_id: object) -> BankTransfer | None:
    pk = parse_id(transfer_id)
    if pk is None:
        return None
    return BankTransfer.objects.filter(pk=pk, company_id=company_id).first()


def bank_transfer_by_code(*, code: str) -> BankTransfer | None:
    return BankTransfer.objects.select_related("company").filter(code=code).first()


def receiving_account() -> dict[str, str]:
    """The platform's bank account a company remits its top-ups to (settings)."""
    return dict(settings.COMPANY_WALLET_RECEIVING_ACCOUNT)
