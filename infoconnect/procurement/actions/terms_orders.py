"""Orders on payment terms: the credit they take when placed, the due date their delivery
sets, and the credit note a cancel or a refund writes.

Placing takes the credit first, one merchant at a time in ascending merchant id order: one
conditional ``UPDATE … SET outstanding = outstanding + X WHERE … outstanding + X <=
credit_limit``, so concurrent requisitions never together pass the limit (the row lock makes
the second wait and re-check). Each order then gets its Receivable and a TERMS_SALE on the
ledger: the merchant's RECEIVABLE +X, the company's COMPANY_PAYABLE −X.

A cancel or refund reverses what is still owed with a TERMS_CREDIT (receivable −X, payable
+X) and frees the credit; when the company has already paid the order, the same transaction
pays it back to the company wallet from the merchant's balance, the platform returning its
commission. Each runs inside the order's moving transaction (``company_order_moved``).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from infoconnect.accounts.models import MerchantProfile
from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import notices
from infoconnect.procurement.errors import TermsError
from infoconnect.procurement.lifecycle import receivables, terms_reminders
from infoconnect.procurement.models import PaymentTerms, Receivable, Requisition, TermsReminder
from infoconnect.shop.models import Order, Sku
from infoconnect.wallet.actions.ledger import accounts, open_transaction, post
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.models import PLATFORM, AccountKind, TransactionKind

# Reminders go out at nine in the morning, site time.
REMINDER_HOUR = time(9, 0)
REMIND_DAYS_BEFORE = 3


def merchant_totals(order_lines: list[tuple[Sku, int, None]]) -> dict[int, int]:
    """What a requisition's orders will cost, by merchant."""
    totals: dict[int, int] = {}
    for sku, quantity, _c in order_lines:
        merchant_id = sku.product.merchant_id
        totals[merchant_id] = totals.get(merchant_id, 0) + sku.price * quantity
    return totals


def placing_refused(requisition: Requisition, error: DomainError, finance: set[int]) -> None:
    """The requester and finance are told why the orders could not be placed on terms."""
    notices.tell(
        requisition,
        [requisition.requester_id, *finance],
        _("Requisition %(ref)s is approved, but its orders could not be placed on terms: %(why)s")
        % {"ref": requisition.reference, "why": error.message},
    )


def overdue_cutoff(terms: PaymentTerms, today: date) -> date:
    """A receivable due before this day is overdue past the grace period."""
    return today - timedelta(days=terms.grace_days)


def has_overdue(terms: PaymentTerms, today: date) -> bool:
    return Receivable.objects.filter(
        terms=terms, state=Receivable.State.DUE, due_on__lt=overdue_cutoff(terms, today)
    ).exists()


def not_on_terms(merchant_ids: list[int]) -> DomainError:
    """The error naming the shops that grant the company no terms."""
    names = ", ".join(
        MerchantProfile.objects.filter(user_id__in=merchant_ids)
        .order_by("user_id")
        .values_list("shop_name", flat=True)
    )
    message = str(TermsError.NOT_ON_TERMS.message) % {"names": names}
    return DomainError(TermsError.NOT_ON_TERMS, message)


def terms_for(company_id: int, merchant_ids: set[int]) -> dict[int, PaymentTerms]:
    """The pair's active terms, by merchant."""
    return {
        terms.merchant_id: terms
        for terms in PaymentTerms.objects.filter(
            company_id=company_id, merchant_id__in=merchant_ids, active=True
        )
    }


def take_credit(*, company_id: int, totals: dict[int, int], today: date) -> dict[int, int]:
    """Raise each merchant's outstanding by its orders' total, or raise (the caller's
    transaction rolls every merchant back): no terms, overdue past grace, over the limit.
    Returns the terms' ids by merchant."""
    found = terms_for(company_id, set(totals))
    missing = sorted(set(totals) - set(found))
    if missing:
        raise not_on_terms(missing)
    taken = {}
    for merchant_id in sorted(totals):
        terms, amount = found[merchant_id], totals[merchant_id]
        if has_overdue(terms, today):
            raise DomainError(TermsError.OVERDUE)
        raised = PaymentTerms.objects.filter(
            pk=terms.pk, active=True, outstanding__lte=F("credit_limit") - amount
        ).update(outstanding=F("outstanding") + amount, updated_at=timezone.now())
        if raised != 1:
            raise DomainError(TermsError.CREDIT_LIMIT_EXCEEDED)
        taken[merchant_id] = terms.pk
    return taken


def record_sales(*, company_id: int, orders: list[Order], terms_ids: dict[int, int]) -> None:
    """Each order's Receivable and its TERMS_SALE (merchant receivable +X, company payable −X)."""
    now = timezone.now()
    for order in orders:
        receivables.create(
            terms_id=terms_ids[order.merchant_id],
            order_id=order.pk,
            company_id=company_id,
            merchant_id=order.merchant_id,
            amount=order.total,
            created_at=now,
        )
        txn, created = open_transaction(
            kind=TransactionKind.TERMS_SALE,
            reference=str(order.pk),
            user_id=order.buyer_id,
            amount=order.total,
            currency=order.currency,
        )
        if created:
            receivable, payable = accounts(
                order.currency,
                (AccountKind.RECEIVABLE, order.merchant_id),
                (AccountKind.COMPANY_PAYABLE, company_id),
            )
            post(txn, [(receivable, order.total, None), (payable, -order.total, None)])


def _at_nine(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, REMINDER_HOUR))


def deliver(order: Order, *, now: datetime) -> Receivable | None:
    """The order was delivered (completed): its receivable falls due ``net_days`` from today
    (today itself for due on delivery), with its reminders planned."""
    receivable = Receivable.objects.select_related("terms").filter(order_id=order.pk).first()
    if receivable is None:
        return None
    due_on = timezone.localdate(now) + timedelta(days=receivable.terms.net_days)
    if not receivables.move(receivable, "deliver", strict=False, due_on=due_on, delivered_at=now):
        return receivable  # paid before it arrived, or already delivered
    today = timezone.localdate(now)
    plans = [(TermsReminder.Kind.ON_DUE, due_on)]
    if due_on - timedelta(days=REMIND_DAYS_BEFORE) >= today:
        plans.insert(0, (TermsReminder.Kind.BEFORE, due_on - timedelta(days=REMIND_DAYS_BEFORE)))
    terms_reminders.create_all(
        [
            TermsReminder(receivable=receivable, kind=kind, send_at=_at_nine(day))
            for kind, day in plans
        ]
    )
    return receivable


def drop_reminders(receivable_ids: list[int]) -> None:
    for reminder in TermsReminder.objects.filter(
        receivable_id__in=receivable_ids, state=TermsReminder.State.PENDING
    ):
        terms_reminders.move(reminder, "drop", strict=False)


def credit(order: Order, *, now: datetime) -> Receivable | None:
    """The order was cancelled or refunded: what is owed is credited (TERMS_CREDIT) and the
    credit freed; what was already paid goes back to the company wallet."""
    receivable = Receivable.objects.select_for_update().filter(order_id=order.pk).first()
    if receivable is None:
        return None
    owed, paid = receivable.open_amount, receivable.paid
    if owed + paid == 0:
        return receivable  # credited before
    txn, created = open_transaction(
        kind=TransactionKind.TERMS_CREDIT,
        reference=str(order.pk),
        user_id=order.buyer_id,
        amount=owed + paid,
        currency=order.currency,
    )
    if not created:
        return receivable
    legs = []
    if owed:
        mine, theirs = accounts(
            order.currency,
            (AccountKind.RECEIVABLE, order.merchant_id),
            (AccountKind.COMPANY_PAYABLE, receivable.company_id),
        )
        legs += [(mine, -owed, WalletError.INSUFFICIENT_FUNDS), (theirs, owed, None)]
        receivables.move(
            receivable, "credit", where={"paid": 0}, credited=F("credited") + owed,
            settled_at=now, now=now,
        )  # fmt: skip
        PaymentTerms.objects.filter(pk=receivable.terms_id, outstanding__gte=owed).update(
            outstanding=F("outstanding") - owed, updated_at=now
        )
        drop_reminders([receivable.pk])
    if paid:
        legs += _pay_back(order, receivable, paid)
    post(txn, legs)
    return receivable


def _pay_back(order: Order, receivable: Receivable, paid: int) -> list:
    """The legs returning what the company paid: the merchant gives back what it received,
    the platform its commission on it (in proportion, as a refund after completion does)."""
    item = receivable.payments.select_related("payment").order_by("pk").last()
    commission_back = 0
    if item is not None and item.payment.amount:
        commission_back = item.payment.commission * item.amount // item.payment.amount
    merchant, revenue, wallet = accounts(
        order.currency,
        (AccountKind.MERCHANT, order.merchant_id),
        (AccountKind.COMMISSION_REVENUE, PLATFORM),
        (AccountKind.COMPANY_WALLET, receivable.company_id),
    )
    return [
        (merchant, -(paid - commission_back), WalletError.MERCHANT_INSUFFICIENT_FUNDS),
        (revenue, -commission_back, WalletError.INSUFFICIENT_FUNDS),
        (wallet, paid, None),
    ]
