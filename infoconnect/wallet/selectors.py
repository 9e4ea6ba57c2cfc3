"""Reads of the ledger: balances, statements, top-ups, payouts, platform totals, and a
company's wallet (seen by its finance members and company-wide admins only)."""

from collections.abc import Iterator

from django.conf import settings
from django.db.models import Sum

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.core.pagination import PageParams, paginate
from infoconnect.procurement import selectors as procurement_selectors
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Membership, Role
from infoconnect.wallet.models import (
    PLATFORM,
    AccountKind,
    BankTransfer,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    Payout,
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
