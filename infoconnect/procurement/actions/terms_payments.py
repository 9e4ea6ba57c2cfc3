"""A company pays a merchant what it owes on terms, from its wallet.

One TERMS_PAYMENT on the ledger settles the chosen receivables: the company wallet −X (never
below zero), its payable +X, the merchant's receivable −X, the merchant's balance +(X − the
platform's commission) and the platform's commission revenue +commission (the rate escrow
releases use, recorded on the payment). The receivables are locked in id order and each
moves to settled with a conditional UPDATE; the pair's outstanding amount goes down by X,
freeing the credit. Idempotency is the callers' (``api_response`` / ``form_once``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.core.models import PlatformSettings
from infoconnect.invoicing.models import Invoice, InvoiceLine
from infoconnect.procurement.actions.terms_orders import drop_reminders
from infoconnect.procurement.errors import ProcurementError, TermsError
from infoconnect.procurement.lifecycle import receivables
from infoconnect.procurement.models import (
    PaymentTerms,
    Receivable,
    Role,
    Statement,
    TermsPayment,
    TermsPaymentItem,
)
from infoconnect.procurement.selectors import require_role
from infoconnect.shop.actions.rules import commission_for
from infoconnect.wallet.actions.ledger import accounts, open_transaction, post
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.models import PLATFORM, AccountKind, TransactionKind

UNSETTLED = (Receivable.State.OPEN, Receivable.State.DUE)


def _month_range(month: date) -> tuple[datetime, datetime]:
    """The month starting ``month`` as aware datetimes in the site's time zone."""
    start = month.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    aware = timezone.make_aware
    return aware(datetime.combine(start, datetime.min.time())), aware(
        datetime.combine(following, datetime.min.time())
    )


def _chosen(
    *,
    company_id: int,
    merchant_id: int,
    receivable_ids: list[int] | None,
    statement_id: object,
    invoice_id: object,
) -> tuple[Q, Statement | None, int | None]:
    """Which receivables of the pair are paid, and what the payment says it paid."""
    if statement_id not in (None, ""):
        statement = Statement.objects.filter(
            pk=parse_id(statement_id), company_id=company_id, merchant_id=merchant_id
        ).first()
        if statement is None:
            raise DomainError(TermsError.RECEIVABLE_NOT_FOUND)
        start, end = _month_range(statement.month)
        return Q(created_at__gte=start, created_at__lt=end), statement, None
    if invoice_id not in (None, ""):
        invoice = Invoice.objects.filter(
            pk=parse_id(invoice_id), company_id=company_id, merchant_id=merchant_id
        ).first()
        if invoice is None:
            raise DomainError(TermsError.RECEIVABLE_NOT_FOUND)
        order_ids = set(
            InvoiceLine.objects.filter(invoice=invoice, order_id__isnull=False).values_list(
                "order_id", flat=True
            )
        )
        if order_ids:
            return Q(order_id__in=order_ids), None, invoice.pk
        # A merged monthly invoice names no single order: the month's deliveries.
        start, end = _month_range(invoice.month or timezone.localdate())
        return Q(delivered_at__gte=start, delivered_at__lt=end), None, invoice.pk
    ids = [parse_id(value) for value in receivable_ids or []]
    if not ids:
        raise DomainError(TermsError.NOTHING_TO_PAY)
    if None in ids:
        raise DomainError(TermsError.RECEIVABLE_NOT_FOUND)
    return Q(pk__in=ids), None, None


@transaction.atomic
def pay_receivables(
    *,
    user: User,
    company_id: int,
    merchant_id: int,
    receivable_ids: list[int] | None = None,
    statement_id: int | None = None,
    invoice_id: int | None = None,
) -> TermsPayment:
    """Pay the open amount of the chosen receivables (those of a statement's month or an
    invoice's orders when given) from the company wallet; the finance role only."""
    membership = require_role(user=user, company_id=company_id, role=Role.FINANCE)
    company_id = membership.company_id
    merchant_id = parse_id(merchant_id)
    if merchant_id is None:
        raise DomainError(TermsError.TERMS_NOT_FOUND)
    where, statement, invoice = _chosen(
        company_id=company_id,
        merchant_id=merchant_id,
        receivable_ids=receivable_ids,
        statement_id=statement_id,
        invoice_id=invoice_id,
    )
    chosen = list(
        Receivable.objects.select_for_update()
        .filter(where, company_id=company_id, merchant_id=merchant_id, state__in=UNSETTLED)
        .order_by("pk")
    )
    if (
        receivable_ids
        and not statement
        and invoice is None
        and len(chosen) != len(set(receivable_ids))
    ):
        raise DomainError(TermsError.RECEIVABLE_NOT_FOUND)
    chosen = [receivable for receivable in chosen if receivable.open_amount > 0]
    if not chosen:
        raise DomainError(TermsError.NOTHING_TO_PAY)
    now = timezone.now()
    rate = PlatformSettings.current().commission_basis_points
    shares = {r.pk: (r.open_amount, commission_for(r.open_amount, rate)) for r in chosen}
    amount = sum(share for share, _c in shares.values())
    commission = sum(c for _share, c in shares.values())
    payment = TermsPayment.objects.create(
        company_id=company_id,
        merchant_id=merchant_id,
        amount=amount,
        commission=commission,
        paid_by=user,
        statement=statement,
        invoice_id=invoice,
        created_at=now,
    )
    TermsPaymentItem.objects.bulk_create(
        [TermsPaymentItem(payment=payment, receivable=r, amount=shares[r.pk][0]) for r in chosen]
    )
    for receivable in chosen:
        receivables.move(
            receivable,
            "settle",
            where={"paid": receivable.paid, "credited": receivable.credited},
            paid=F("paid") + shares[receivable.pk][0],
            settled_at=now,
            now=now,
        )
    freed = PaymentTerms.objects.filter(
        company_id=company_id, merchant_id=merchant_id, outstanding__gte=amount
    ).update(outstanding=F("outstanding") - amount, updated_at=now)
    if freed != 1:
        raise DomainError(TermsError.TERMS_NOT_FOUND)
    drop_reminders([r.pk for r in chosen])
    _post_payment(payment)
    return payment


def _post_payment(payment: TermsPayment) -> None:
    txn, created = open_transaction(
        kind=TransactionKind.TERMS_PAYMENT,
        reference=str(payment.pk),
        user_id=payment.paid_by_id,
        amount=payment.amount,
        currency="CNY",
    )
    if not created:
        return
    wallet, payable, receivable, merchant, revenue = accounts(
        "CNY",
        (AccountKind.COMPANY_WALLET, payment.company_id),
        (AccountKind.COMPANY_PAYABLE, payment.company_id),
        (AccountKind.RECEIVABLE, payment.merchant_id),
        (AccountKind.MERCHANT, payment.merchant_id),
        (AccountKind.COMMISSION_REVENUE, PLATFORM),
    )
    amount, commission = payment.amount, payment.commission
    try:
        post(
            txn,
            [
                (wallet, -amount, WalletError.INSUFFICIENT_FUNDS),
                (payable, amount, None),
                (receivable, -amount, WalletError.INSUFFICIENT_FUNDS),
                (merchant, amount - commission, None),
                (revenue, commission, None),
            ],
        )
    except DomainError as error:
        if error.error is WalletError.INSUFFICIENT_FUNDS:
            raise DomainError(ProcurementError.INSUFFICIENT_COMPANY_FUNDS) from None
        raise
