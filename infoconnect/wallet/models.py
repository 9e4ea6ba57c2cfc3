"""The double-entry ledger, and the provider-side records of top-ups and payouts.

An entry's amount is positive when money comes into its account. Every transaction's
entries sum to zero; each account's cached ``balance`` is the sum of its entries, kept
in the same database transaction as the entries. Only the external world may go below
zero (top-ups bring money in from it, payouts send money out to it).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

PLATFORM = 0  # owner_id of the platform's own accounts (revenue, the external world)


class AccountKind(models.TextChoices):
    WALLET = "wallet", _("Wallet")
    MERCHANT = "merchant", _("Merchant balance")
    ESCROW = "escrow", _("Escrow")
    CAMPAIGN_HOLD = "campaign_hold", _("Campaign hold")
    PAYOUT_PENDING = "payout_pending", _("Payout pending")
    COMMISSION_REVENUE = "commission_revenue", _("Commission revenue")
    MESSAGING_REVENUE = "messaging_revenue", _("Messaging revenue")
    EXTERNAL = "external", _("External world")
    COMPANY_WALLET = "company_wallet", _("Company wallet")
    # A company's orders in escrow: paid from its wallet, refunded back to it.
    COMPANY_ESCROW = "company_escrow", _("Company escrow")
    # Pay on terms: what companies owe a merchant (the merchant's, positive) and what a
    # company owes (the company's, negative while it owes); the two cancel out per order.
    RECEIVABLE = "receivable", _("Receivable on terms")
    COMPANY_PAYABLE = "company_payable", _("Payable on terms")
    # A merchant's security deposit (保证金): refunds draw on it after the balance; it is
    # never paid out while the merchant sells.
    DEPOSIT = "deposit", _("Security deposit")
    # What a merchant owes after refunds its balance and deposit could not cover (negative
    # while it owes); its next sales settle it first, and payouts wait until it is zero.
    MERCHANT_DEBT = "merchant_debt", _("Merchant debt")


# Accounts that belong to a user (owner_id is the user's id); the rest belong to the platform.
USER_ACCOUNT_KINDS = (
    AccountKind.WALLET,
    AccountKind.MERCHANT,
    AccountKind.ESCROW,
    AccountKind.CAMPAIGN_HOLD,
    AccountKind.PAYOUT_PENDING,
    AccountKind.RECEIVABLE,
    AccountKind.DEPOSIT,
    AccountKind.MERCHANT_DEBT,
)
# Accounts that belong to a company (owner_id is the company's id, not a user's).
COMPANY_ACCOUNT_KINDS = (
    AccountKind.COMPANY_WALLET,
    AccountKind.COMPANY_ESCROW,
    AccountKind.COMPANY_PAYABLE,
)
# Accounts whose balance may go below zero: the outside world, and a company's debts.
NEGATIVE_KINDS = (AccountKind.EXTERNAL, AccountKind.COMPANY_PAYABLE, AccountKind.MERCHANT_DEBT)


class LedgerAccount(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=AccountKind.choices)
    # A user id for a user's accounts, PLATFORM for the platform's; not a foreign key so
    # the ledger can be distributed by owner.
    owner_id = models.BigIntegerField(_("owner ID"), default=PLATFORM)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    balance = models.BigIntegerField(_("balance"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["owner_id", "kind", "currency"], name="wallet_account_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["external", "company_payable", "merchant_debt"])
                | Q(balance__gte=0),
                name="wallet_account_not_negative",
            ),
        ]

    def __str__(self) -> str:
        if self.kind in COMPANY_ACCOUNT_KINDS:
            owner = f"company {self.owner_id}"
        else:
            owner = f"user {self.owner_id}" if self.owner_id != PLATFORM else "platform"
        return f"{self.get_kind_display()} ({owner}, {self.currency})"


class TransactionKind(models.TextChoices):
    TOPUP = "topup", _("Top-up")
    ORDER_PAYMENT = "order_payment", _("Order payment")
    ESCROW_REFUND = "escrow_refund", _("Order refund from escrow")
    ESCROW_RELEASE = "escrow_release", _("Escrow release")
    ORDER_REFUND = "order_refund", _("Refund after completion")
    CAMPAIGN_HOLD = "campaign_hold", _("Campaign hold")
    CAMPAIGN_SETTLE = "campaign_settle", _("Campaign settlement")
    PAYOUT = "payout", _("Payout requested")
    PAYOUT_PAID = "payout_paid", _("Payout paid")
    PAYOUT_FAILED = "payout_failed", _("Payout failed")
    COMPANY_TOPUP = "company_topup", _("Company top-up by bank transfer")
    TERMS_SALE = "terms_sale", _("Order on terms")
    TERMS_PAYMENT = "terms_payment", _("Payment on terms")
    TERMS_CREDIT = "terms_credit", _("Credit note on terms")
    # Part of an order refunded (some lines or an amount): reference "<order>-<refund>".
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    DEPOSIT_TOPUP = "deposit_topup", _("Security deposit paid in")
    DEPOSIT_RELEASE = "deposit_release", _("Security deposit returned")
    DEBT_SETTLEMENT = "debt_settlement", _("Merchant debt settled")


# What an entry was for, as the account holder reads it on a statement.
DESCRIPTIONS = {
    TransactionKind.TOPUP: _("Top-up"),
    TransactionKind.ORDER_PAYMENT: _("Payment for order #%(ref)s"),
    TransactionKind.ESCROW_REFUND: _("Refund for order #%(ref)s"),
    TransactionKind.ESCROW_RELEASE: _("Sale of order #%(ref)s, less commission"),
    TransactionKind.ORDER_REFUND: _("Refund for completed order #%(ref)s"),
    TransactionKind.CAMPAIGN_HOLD: _("Hold for campaign #%(ref)s"),
    TransactionKind.CAMPAIGN_SETTLE: _("Settlement of campaign #%(ref)s"),
    TransactionKind.PAYOUT: _("Payout #%(ref)s"),
    TransactionKind.PAYOUT_PAID: _("Payout #%(ref)s paid"),
    TransactionKind.PAYOUT_FAILED: _("Payout #%(ref)s failed, money returned"),
    TransactionKind.COMPANY_TOPUP: _("Bank transfer #%(ref)s received"),
    TransactionKind.TERMS_SALE: _("Order #%(ref)s on terms"),
    TransactionKind.TERMS_PAYMENT: _("Payment on terms #%(ref)s"),
    TransactionKind.TERMS_CREDIT: _("Credit note #%(ref)s on terms"),
    TransactionKind.PARTIAL_REFUND: _("Partial refund %(ref)s"),
    TransactionKind.DEPOSIT_TOPUP: _("Security deposit paid in (#%(ref)s)"),
    TransactionKind.DEPOSIT_RELEASE: _("Security deposit returned (#%(ref)s)"),
    TransactionKind.DEBT_SETTLEMENT: _("Debt settled (#%(ref)s)"),
}


class LedgerTransaction(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=TransactionKind.choices)
    # The order, campaign, payment or payout it is for; (kind, reference) makes it idempotent.
    reference = models.CharField(_("reference"), max_length=64)
    user_id = models.BigIntegerField(_("user ID"))  # the buyer, merchant or payer it was made for
    amount = models.BigIntegerField(_("amount"))  # the gross amount, in fen
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        constraints = [
            models.UniqueConstraint(fields=["kind", "reference"], name="wallet_txn_idempotent"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="wallet_txn_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def description(self) -> str:
        return str(DESCRIPTIONS[self.kind]) % {"ref": self.reference}


class LedgerEntry(models.Model):
    # The account leads: entries are read and distributed by the account they belong to;
    # the (account, id) index below serves every lookup by account.
    account = models.ForeignKey(
        LedgerAccount,
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,
        verbose_name=_("account"),
    )
    # No database constraint: a transaction's entries live on its accounts' shards.
    transaction = models.ForeignKey(
        LedgerTransaction,
        on_delete=models.PROTECT,
        related_name="entries",
        db_constraint=False,
        verbose_name=_("transaction"),
    )
    amount = models.BigIntegerField(_("amount"))  # positive: money into the account
    balance_after = models.BigIntegerField(_("balance after"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["account", "id"], name="wallet_entry_account_id")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="wallet_entry_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} on account {self.account_id}"


class Payment(models.Model):
    """A top-up: money coming in through a payment provider.

    Pending until the provider notifies success (credited) or cancellation; one left pending
    too long is expired by the sweep. Expiry is only our side giving up waiting: if the
    provider's success notification still comes, the payer was charged, so it is credited.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        SUCCEEDED = "succeeded", _("Paid")
        CANCELED = "canceled", _("Canceled")
        EXPIRED = "expired", _("Expired")

    # Destinations a top-up may credit: a person's wallet, or a merchant's balance (so a
    # merchant can pay for campaigns before it has sales).
    DESTINATIONS = [
        (AccountKind.WALLET.value, AccountKind.WALLET.label),
        (AccountKind.MERCHANT.value, AccountKind.MERCHANT.label),
        (AccountKind.DEPOSIT.value, AccountKind.DEPOSIT.label),
    ]

    class Channel(models.TextChoices):
        """How the payer pays at the provider (the two ways Chinese buyers pay)."""

        ANY = "", _("Any")
        WECHAT = "wechat", _("WeChat Pay")
        ALIPAY = "alipay", _("Alipay")

    user_id = models.BigIntegerField(_("user ID"))
    amount = models.BigIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    destination = models.CharField(
        _("pays into"), max_length=20, choices=DESTINATIONS, default=AccountKind.WALLET
    )
    provider = models.CharField(_("provider"), max_length=20)
    provider_ref = models.CharField(_("provider reference"), max_length=64, unique=True)
    # A provider's signed cashier URL (Alipay's carries its RSA2 signature) can run past 1,000 characters.
    redirect_url = models.TextField(_("redirect URL"), blank=True)
    # What the payer scans to pay (WeChat Pay's weixin:// code_url), drawn on our own page.
    qr_code = models.TextField(_("QR code"), blank=True, default="")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # Pay in one step: the order (shop's; no FK) this top-up fills the shortfall of. Once
    # credited, the wallet pays that order; the provider returns the payer to it.
    order_id = models.BigIntegerField(_("order ID"), null=True, blank=True, db_default=None)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, blank=True, default="", db_default=""
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [
            models.Index(fields=["user_id", "-id"], name="wallet_payment_user"),
            # The expiry sweep reads only the few top-ups still waiting.
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="wallet_payment_pending",
            ),
            models.Index(
                fields=["order_id"],
                condition=Q(order_id__isnull=False),
                name="wallet_payment_order",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="wallet_payment_positive")
        ]

    def __str__(self) -> str:
        return f"Top-up #{self.pk}"


class DepositRequirement(models.Model):
    """The security deposit an operator requires of a merchant (保证金): while the deposit
    account holds less, the merchant is asked to top it up; it is never paid out while the
    merchant sells."""

    merchant = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deposit_requirement",
        verbose_name=_("merchant"),
    )
    minimum = models.PositiveBigIntegerField(_("minimum deposit (fen)"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("deposit requirement")
        verbose_name_plural = _("deposit requirements")

    def __str__(self) -> str:
        return f"Deposit of merchant {self.merchant_id}"


class Payout(models.Model):
    """Money leaving a merchant's balance for its bank account through a provider.

    Requested once the balance covered it; sent once the provider took it (after commit, by
    its send job); then paid, or failed with the money back on the balance (see lifecycle.py).
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("payout status", "Requested")
        SENT = "sent", _("Processing")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed, money returned")

    merchant_id = models.BigIntegerField(_("merchant ID"))
    amount = models.BigIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    provider = models.CharField(_("provider"), max_length=20)
    # The provider's reference, known once it took the payout (sent).
    provider_ref = models.CharField(
        _("provider reference"), max_length=64, unique=True, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    # Where it goes, copied from the merchant's payout account when requested: a later change
    # of that account never redirects money already on its way. Empty for the sandbox.
    payee_identity = models.CharField(_("payee account"), max_length=100, blank=True, default="")
    payee_name = models.CharField(_("payee name"), max_length=50, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # When a send job last claimed it to ask the provider: one asks at a time, and a claim
    # whose worker died lapses so the sweep can ask again.
    attempted_at = models.DateTimeField(_("attempted at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        indexes = [
            models.Index(fields=["merchant_id", "-id"], name="wallet_payout_merchant"),
            # The send sweep reads only the few payouts still waiting to be sent.
            models.Index(
                fields=["created_at"],
                condition=Q(status="requested"),
                name="wallet_payout_requested",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="wallet_payout_positive")
        ]

    def __str__(self) -> str:
        return f"Payout #{self.pk}"


class PayoutProvider(models.TextChoices):
    """The providers that pay a merchant out to its own account there."""

    ALIPAY = "alipay", _("Alipay")
    WECHATPAY = "wechatpay", _("WeChat Pay")


class PayoutAccount(models.Model):
    """Where a merchant's payouts through one provider go: its Alipay login id (an e-mail or
    a mobile number) or its WeChat openid under our app, and the real name the provider checks
    against it. Every change is also kept as a PayoutAccountChange."""

    merchant_id = models.BigIntegerField(_("merchant ID"))
    provider = models.CharField(_("provider"), max_length=20, choices=PayoutProvider.choices)
    identity = models.CharField(_("account"), max_length=100)
    real_name = models.CharField(_("real name"), max_length=50)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("payout account")
        verbose_name_plural = _("payout accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant_id", "provider"], name="wallet_payout_account_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.identity} ({self.merchant_id})"


class PayoutAccountChange(models.Model):
    """One setting of a payout account, as it was set, by whom and when (the audit trail)."""

    merchant_id = models.BigIntegerField(_("merchant ID"))
    provider = models.CharField(_("provider"), max_length=20, choices=PayoutProvider.choices)
    identity = models.CharField(_("account"), max_length=100)
    real_name = models.CharField(_("real name"), max_length=50)
    changed_by_id = models.BigIntegerField(_("changed by (user ID)"))
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payout account change")
        verbose_name_plural = _("payout account changes")
        indexes = [models.Index(fields=["merchant_id", "-id"], name="wallet_payout_account_change")]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.identity} ({self.merchant_id})"


class ProviderNotification(models.Model):
    """Every notification id a provider has sent us, so a replayed one is refused."""

    provider = models.CharField(_("provider"), max_length=20)
    notification_id = models.CharField(_("notification ID"), max_length=64)
    event = models.CharField(_("event"), max_length=40)
    object_ref = models.CharField(_("object reference"), max_length=64)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("provider notification")
        verbose_name_plural = _("provider notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "notification_id"], name="wallet_notification_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event} {self.notification_id}"


class BankTransfer(models.Model):
    """A company's top-up by bank transfer (对公转账): the company remits ``amount`` to the
    platform's receiving account quoting ``code`` (汇款识别码); the provider's notification
    of that code and amount credits the company wallet once (see lifecycle.py)."""

    class Status(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting the transfer")
        CREDITED = "credited", _("Credited")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    company = models.ForeignKey(
        "procurement.Company",
        on_delete=models.PROTECT,
        related_name="bank_transfers",
        verbose_name=_("company"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    amount = models.BigIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    code = models.CharField(_("remittance code"), max_length=8, unique=True)
    provider = models.CharField(_("provider"), max_length=20)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.AWAITING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bank transfer")
        verbose_name_plural = _("bank transfers")
        indexes = [
            models.Index(fields=["company", "-id"], name="wallet_banktransfer_company"),
            models.Index(
                fields=["expires_at"],
                condition=Q(status="awaiting"),
                name="wallet_banktransfer_awaiting",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="wallet_banktransfer_positive")
        ]

    def __str__(self) -> str:
        return f"Bank transfer #{self.pk} ({self.code})"


class HeldTransfer(models.Model):
    """Money that arrived by bank transfer and was not credited: an unknown code, a wrong
    amount, or a code no longer awaiting. An operator matches it to an awaiting transfer of
    the company (which credits that transfer) or marks it returned to the payer."""

    class Status(models.TextChoices):
        HELD = "held", _("Held for the operator")
        MATCHED = "matched", _("Matched")
        RETURNED = "returned", _("Returned to the payer")

    class Why(models.TextChoices):
        UNKNOWN_CODE = "unknown_code", _("Unknown remittance code")
        WRONG_AMOUNT = "wrong_amount", _("Amount differs from the transfer")
        NOT_AWAITING = "not_awaiting", _("The transfer is no longer awaiting money")

    provider = models.CharField(_("provider"), max_length=20)
    notification_id = models.CharField(_("notification ID"), max_length=64)
    code = models.CharField(_("remittance code"), max_length=64, blank=True)
    amount = models.BigIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    payer_name = models.CharField(_("payer name"), max_length=200, blank=True)
    why = models.CharField(_("why held"), max_length=20, choices=Why.choices)
    # The transfer the code named (None for an unknown code), and the one it was matched to.
    named_transfer = models.ForeignKey(
        BankTransfer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("named transfer"),
    )
    matched_transfer = models.OneToOneField(
        BankTransfer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matched_from",
        verbose_name=_("matched transfer"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.HELD
    )
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("held transfer")
        verbose_name_plural = _("held transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "notification_id"], name="wallet_heldtransfer_once"
            )
        ]

    def __str__(self) -> str:
        return f"Held transfer #{self.pk} ({self.code or '?'})"


class TopupDay(models.Model):
    """What one account (a user, or a company) opened in top-ups on one site day.

    The daily limits are enforced by one conditional update of this row, so two top-ups
    opened at once cannot both pass a limit only one of them fits.
    """

    class Owner(models.TextChoices):
        USER = "user", _("User")
        COMPANY = "company", _("Company")

    owner_kind = models.CharField(_("owner kind"), max_length=10, choices=Owner.choices)
    owner_id = models.BigIntegerField(_("owner ID"))
    day = models.DateField(_("day"))
    amount = models.BigIntegerField(_("amount"), default=0)
    count = models.PositiveIntegerField(_("top-ups"), default=0)

    class Meta:
        verbose_name = _("day's top-ups")
        verbose_name_plural = _("days' top-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["owner_kind", "owner_id", "day"], name="wallet_topupday_unique"
            )
        ]
