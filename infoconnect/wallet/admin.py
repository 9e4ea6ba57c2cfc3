"""The operator's read-only view of the ledger; money only moves through actions."""

from collections.abc import Iterable

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.money import format_money
from infoconnect.procurement.models import Company
from infoconnect.shop.selectors import company_spend
from infoconnect.wallet import actions
from infoconnect.wallet.lifecycle import bank_transfers
from infoconnect.wallet.models import (
    COMPANY_ACCOUNT_KINDS,
    PLATFORM,
    AccountKind,
    BankTransfer,
    DepositRequirement,
    HeldTransfer,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    Payout,
    PayoutAccount,
    PayoutAccountChange,
    ProviderNotification,
)
from infoconnect.wallet.selectors import balance_of, platform_totals


class NamedAccountsChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        self.result_list = self.model_admin.name_accounts(list(self.result_list))


def owner_names(owners: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """The names of the ledger's owners, each a ("user" | "company" | "platform", id): people as
    "Name (@username)", companies by their legal name; one query for each kind asked."""
    owners = set(owners)
    user_ids = {owner_id for kind, owner_id in owners if kind == "user"}
    company_ids = {owner_id for kind, owner_id in owners if kind == "company"}
    names: dict[tuple[str, int], str] = {
        ("platform", owner_id): str(_("the platform"))
        for kind, owner_id in owners
        if kind == "platform"
    }
    if user_ids:
        names |= {("user", user.pk): str(user) for user in User.objects.filter(pk__in=user_ids)}
    if company_ids:
        names |= {
            ("company", pk): name
            for pk, name in Company.objects.filter(pk__in=company_ids).values_list(
                "pk", "legal_name"
            )
        }
    for owner in owners - names.keys():
        names[owner] = _("#%(id)s (deleted)") % {"id": owner[1]}
    return names


class NamedAccounts:
    """Names the people and companies behind the ledger's bare ids (it keeps ids, not foreign
    keys, so it can be distributed by owner), a page of rows at a time. ``owners(row)`` yields
    (attribute, kind, id); ``show(row, attribute)`` is then that owner's name."""

    def owners(self, row) -> Iterable[tuple[str, str, int]]:
        return ()

    def get_changelist(self, request, **kwargs):
        return NamedAccountsChangeList

    def get_object(self, request, object_id, from_field=None):
        row = super().get_object(request, object_id, from_field)
        if row is not None:
            self.name_accounts([row])
        return row

    def name_accounts(self, rows: list) -> list:
        wanted = {row.pk: list(self.owners(row)) for row in rows}
        names = owner_names(
            (kind, owner_id) for owners in wanted.values() for _a, kind, owner_id in owners
        )
        for row in rows:
            row.owner_names = {
                attribute: names[(kind, owner_id)] for attribute, kind, owner_id in wanted[row.pk]
            }
        return rows

    @staticmethod
    def show(row, attribute: str) -> str:
        return getattr(row, "owner_names", {}).get(attribute, "-")


def ledger_owner(kind: str, owner_id: int) -> tuple[str, int]:
    if kind in COMPANY_ACCOUNT_KINDS:
        return "company", owner_id
    if owner_id == PLATFORM:
        return "platform", owner_id
    return "user", owner_id


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerAccount)
class LedgerAccountAdmin(NamedAccounts, ReadOnlyAdmin):
    list_display = ["id", "kind", "owner", "currency", "shown_balance", "created_at"]
    list_filter = ["kind", "currency"]
    search_fields = ["=owner_id"]
    change_list_template = "admin/wallet/ledgeraccount/change_list.html"
    fields = ["kind", "owner", "owner_id", "currency", "shown_balance", "created_at"]
    readonly_fields = fields

    def owners(self, account: LedgerAccount):
        yield "owner", *ledger_owner(account.kind, account.owner_id)

    @admin.display(description=_("owner"), ordering="owner_id")
    def owner(self, account: LedgerAccount) -> str:
        return self.show(account, "owner")

    @admin.display(description=_("balance"), ordering="balance")
    def shown_balance(self, account: LedgerAccount) -> str:
        return format_money(account.balance, account.currency)

    def changelist_view(self, request, extra_context=None):
        totals = platform_totals()
        spend = company_spend()
        extra_context = {
            **(extra_context or {}),
            "platform_totals": [
                (_("Commission revenue"), format_money(totals["commission_revenue"])),
                (_("Messaging revenue"), format_money(totals["messaging_revenue"])),
                (_("Held in escrow"), format_money(totals["escrow"])),
                (_("Held for campaigns"), format_money(totals["campaign_hold"])),
                (_("Payouts in progress"), format_money(totals["payout_pending"])),
                (_("Company wallets"), format_money(totals["company_wallet"])),
                (_("Money in the system (top-ups − payouts)"), format_money(totals["in_system"])),
                (
                    _("Company spend (orders paid, shipped or completed)"),
                    format_money(spend["total"]),
                ),
            ],
            "top_companies": [
                (company_id, name, format_money(spent)) for company_id, name, spent in spend["top"]
            ],
        }
        return super().changelist_view(request, extra_context=extra_context)


class ShownMoney:
    """Entry, top-up and payout amounts shown as money (¥12.34), not as a number of fen."""

    @admin.display(description=_("amount"), ordering="amount")
    def shown_amount(self, row) -> str:
        currency = row.transaction.currency if isinstance(row, LedgerEntry) else row.currency
        return format_money(row.amount, currency)

    @admin.display(description=_("balance after"))
    def shown_balance_after(self, entry: LedgerEntry) -> str:
        return format_money(entry.balance_after, entry.transaction.currency)


def account_label(account: LedgerAccount, owner: str) -> str:
    return f"{account.get_kind_display()}: {owner} ({account.currency})"


class LedgerEntryInline(ShownMoney, admin.TabularInline):
    model = LedgerEntry
    fields = ["shown_account", "shown_amount", "shown_balance_after", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account", "transaction")

    @admin.display(description=_("account"))
    def shown_account(self, entry: LedgerEntry) -> str:
        # A transaction has a few entries: each asks its account's owner's name.
        owner = ledger_owner(entry.account.kind, entry.account.owner_id)
        return account_label(entry.account, owner_names([owner])[owner])


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(NamedAccounts, ShownMoney, ReadOnlyAdmin):
    list_display = ["id", "kind", "reference", "user", "shown_amount", "created_at"]
    fields = ["kind", "reference", "user", "user_id", "shown_amount", "created_at"]
    readonly_fields = fields
    list_filter = ["kind", "currency"]
    search_fields = ["=reference", "=user_id"]
    date_hierarchy = "created_at"
    inlines = [LedgerEntryInline]

    def owners(self, txn: LedgerTransaction):
        yield "user", "user", txn.user_id

    @admin.display(description=_("made for"), ordering="user_id")
    def user(self, txn: LedgerTransaction) -> str:
        return self.show(txn, "user")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(NamedAccounts, ShownMoney, ReadOnlyAdmin):
    list_display = [
        "id", "shown_account", "transaction", "shown_amount", "shown_balance_after", "created_at"
    ]  # fmt: skip
    list_select_related = ["account", "transaction"]
    # The dashboard's "commission today" and "messaging revenue today" open this list filtered
    # by the revenue account's kind and the day.
    list_filter = ["account__kind", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["=account__owner_id", "=transaction__reference"]
    fields = [
        "shown_account", "transaction", "shown_amount", "shown_balance_after", "created_at"
    ]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account", "transaction")

    def owners(self, entry: LedgerEntry):
        yield "account", *ledger_owner(entry.account.kind, entry.account.owner_id)

    @admin.display(description=_("account"), ordering="account")
    def shown_account(self, entry: LedgerEntry) -> str:
        return account_label(entry.account, self.show(entry, "account"))


@admin.register(Payment)
class PaymentAdmin(NamedAccounts, ShownMoney, ReadOnlyAdmin):
    list_display = [
        "id",
        "payer",
        "shown_amount",
        "destination",
        "provider",
        "status",
        "created_at",
    ]
    list_filter = ["status", "provider"]
    search_fields = ["=user_id", "=provider_ref"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return ["payer", *(f for f in fields if f != "payer")]

    def get_readonly_fields(self, request, obj=None):
        return ["payer", "shown_amount"]

    def owners(self, payment: Payment):
        yield "user", "user", payment.user_id

    @admin.display(description=_("payer"), ordering="user_id")
    def payer(self, payment: Payment) -> str:
        return self.show(payment, "user")


class MerchantNamed(NamedAccounts):
    """A merchant's payouts and payout accounts, named by the merchant."""

    def owners(self, row):
        yield "merchant", "user", row.merchant_id

    @admin.display(description=_("merchant"), ordering="merchant_id")
    def merchant(self, row) -> str:
        return self.show(row, "merchant")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return ["merchant", *(f for f in fields if f != "merchant")]

    def get_readonly_fields(self, request, obj=None):
        return ["merchant", *super().get_readonly_fields(request, obj)]


@admin.register(Payout)
class PayoutAdmin(MerchantNamed, ShownMoney, ReadOnlyAdmin):
    list_display = ["id", "merchant", "shown_amount", "provider", "status", "created_at"]
    list_filter = ["status", "provider"]
    search_fields = ["=merchant_id", "=provider_ref"]


@admin.register(PayoutAccount)
class PayoutAccountAdmin(MerchantNamed, ReadOnlyAdmin):
    list_display = ["merchant", "provider", "identity", "real_name", "updated_at"]
    list_filter = ["provider"]
    search_fields = ["=merchant_id", "identity"]


@admin.register(PayoutAccountChange)
class PayoutAccountChangeAdmin(MerchantNamed, ReadOnlyAdmin):
    list_display = [
        "merchant",
        "provider",
        "identity",
        "real_name",
        "changed_by",
        "changed_at",
    ]
    list_filter = ["provider"]
    search_fields = ["=merchant_id", "identity"]

    def owners(self, change: PayoutAccountChange):
        yield from super().owners(change)
        yield "changed_by", "user", change.changed_by_id

    @admin.display(description=_("changed by"), ordering="changed_by_id")
    def changed_by(self, change: PayoutAccountChange) -> str:
        return self.show(change, "changed_by")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [*fields, "changed_by"] if "changed_by" not in fields else fields

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "changed_by"]


@admin.register(ProviderNotification)
class ProviderNotificationAdmin(ReadOnlyAdmin):
    list_display = ["notification_id", "provider", "event", "object_ref", "received_at"]
    list_filter = ["provider", "event"]
    search_fields = ["=notification_id", "=object_ref"]


@admin.register(BankTransfer)
class BankTransferAdmin(ShownMoney, ReadOnlyAdmin):
    list_display = ["id", "company", "code", "shown_amount", "status", "created_at", "expires_at"]
    list_filter = ["status", "provider"]
    list_select_related = ["company"]
    search_fields = ["=code", "company__legal_name", "=company__uscc"]


@admin.register(HeldTransfer)
class HeldTransferAdmin(ShownMoney, ReadOnlyAdmin):
    """Money that arrived and matched nothing. The operator matches it to an awaiting
    transfer (which credits that transfer) or marks it returned, with a reason; both are
    kept on the row and in the admin's history."""

    list_display = ["id", "code", "shown_amount", "payer_name", "why", "status", "received_at"]
    list_filter = ["status", "why"]
    search_fields = ["=code", "payer_name"]
    change_form_template = "admin/wallet/heldtransfer/change_form.html"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/resolve/",
                self.admin_site.admin_view(self.resolve_view),
                name="wallet_heldtransfer_resolve",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        held = self.get_object(request, object_id)
        candidates = []
        if held is not None:
            rows = BankTransfer.objects.filter(
                status__in=bank_transfers.sources("credit"),
                amount=held.amount,
                currency=held.currency,
            ).select_related("company")
            if held.named_transfer_id:
                rows = rows.filter(company_id=held.named_transfer.company_id)
            candidates = list(rows.order_by("-id")[:50])
        extra_context = {**(extra_context or {}), "candidates": candidates}
        return super().change_view(request, object_id, form_url, extra_context)

    def resolve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        held = self.get_object(request, object_id)
        if held is None:
            raise Http404
        if not self.has_view_permission(request, held):
            raise PermissionDenied
        reason = request.POST.get("reason", "")
        try:
            if request.POST.get("decision") == "match":
                actions.match_held_transfer(
                    operator=request.user,
                    held_id=held.pk,
                    transfer_id=request.POST.get("transfer"),
                    reason=reason,
                )
                done = _("Matched: the transfer is credited.")
            else:
                actions.return_held_transfer(operator=request.user, held_id=held.pk, reason=reason)
                done = _("Marked returned to the payer.")
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.log_change(request, held, f"{request.POST.get('decision')}: {reason.strip()}")
            self.message_user(request, done, messages.SUCCESS)
        return redirect(reverse("admin:wallet_heldtransfer_change", args=[held.pk]))


@admin.register(DepositRequirement)
class DepositRequirementAdmin(admin.ModelAdmin):
    """The security deposit the operator requires of each merchant, and the return of a
    deposit to a merchant that has stopped selling."""

    list_display = [
        "merchant", "shown_minimum", "shown_held", "updated_by", "updated_at"
    ]  # fmt: skip
    list_select_related = ["merchant", "updated_by"]
    search_fields = ["merchant__username", "=merchant_id"]
    raw_id_fields = ["merchant"]
    fields = ["merchant", "minimum", "currency", "updated_by", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]
    actions = ["return_deposit"]

    @admin.display(description=_("minimum deposit"), ordering="minimum")
    def shown_minimum(self, requirement: DepositRequirement) -> str:
        return format_money(requirement.minimum, requirement.currency)

    @admin.display(description=_("deposit held"))
    def shown_held(self, requirement: DepositRequirement) -> str:
        held = balance_of(
            user_id=requirement.merchant_id,
            kind=AccountKind.DEPOSIT,
            currency=requirement.currency,
        )
        return format_money(held, requirement.currency)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Return the deposit (the merchant has stopped selling)"))
    def return_deposit(self, request: HttpRequest, queryset) -> None:
        for requirement in queryset.select_related("merchant"):
            try:
                txn = actions.release_deposit(
                    operator=request.user,
                    merchant_id=requirement.merchant_id,
                    currency=requirement.currency,
                )
            except DomainError as error:
                self.message_user(
                    request, f"{requirement.merchant}: {error.message}", messages.ERROR
                )
            else:
                self.log_change(request, requirement, f"deposit returned: {txn.reference}")
                self.message_user(
                    request,
                    _("%(merchant)s: %(amount)s returned to the balance.")
                    % {
                        "merchant": requirement.merchant,
                        "amount": format_money(txn.amount, txn.currency),
                    },
                    messages.SUCCESS,
                )
