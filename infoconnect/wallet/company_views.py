"""A company's wallet pages, mounted under /companies/<id>/wallet/: balance, top-ups by bank
transfer (对公转账), the statement and its CSV, for finance members and company-wide admins;
and the sandbox bank's page that simulates a transfer arriving."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoconnect.core.errors import DomainError
from infoconnect.core.idempotency import form_once
from infoconnect.core.money import DEFAULT_CURRENCY, parse_money
from infoconnect.core.pagination import PageParams
from infoconnect.core.views import render_domain_error
from infoconnect.procurement.models import Membership
from infoconnect.wallet import actions, selectors, topup_limits
from infoconnect.wallet.forms import AmountForm
from infoconnect.wallet.lifecycle import bank_transfers
from infoconnect.wallet.providers import sandbox_banner, sandbox_enabled
from infoconnect.wallet.providers.sandbox import SandboxProvider
from infoconnect.wallet.views import STATEMENT_PAGE, csv_response

TRANSFERS_SHOWN = 10


def _wallet_url(company_id: int, transfer_id: int | None = None) -> str:
    url = reverse("procurement:wallet", args=[company_id])
    return f"{url}?transfer={transfer_id}#transfer-{transfer_id}" if transfer_id else url


def _topup_form(data=None) -> AmountForm:
    form = AmountForm(data, prefix="transfer")
    form.fields["amount"].label = _("Amount to transfer (¥)")
    return form


def _render(
    request: HttpRequest, membership: Membership, form: AmountForm, status: int = 200
) -> HttpResponse:
    company = membership.company
    page = PageParams.clean(
        max_id=request.GET.get("max_id"), limit=STATEMENT_PAGE, max_limit=STATEMENT_PAGE
    )
    entries = selectors.company_statement(company_id=company.pk, page=page)
    shown = selectors.bank_transfer_for(
        company_id=company.pk, transfer_id=request.GET.get("transfer")
    )
    return render(
        request,
        "wallet/company.html",
        {
            "sandbox_enabled": sandbox_enabled(),
            "company": company,
            "balance": selectors.company_balance(company_id=company.pk),
            "form": form,
            "transfers": selectors.bank_transfers_of(
                company_id=company.pk, page=PageParams(limit=TRANSFERS_SHOWN)
            ),
            "shown": shown,
            "receiving": selectors.receiving_account(),
            # What the company may still open today, as the personal wallet shows its own.
            "allowance": topup_limits.allowance(
                owner_id=company.pk, owner_kind=topup_limits.Owner.COMPANY
            ),
            "entries": entries,
            "next_max_id": entries[-1].pk if len(entries) == STATEMENT_PAGE else None,
        },
        status=status,
    )


@login_required
def wallet(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        membership = selectors.require_company_wallet(user=request.user, company_id=company_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    return _render(request, membership, _topup_form())


@login_required
@require_POST
def open_transfer(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        membership = selectors.require_company_wallet(user=request.user, company_id=company_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    form = _topup_form(request.POST)
    if not form.is_valid():
        return _render(request, membership, form, status=422)
    amount = form.cleaned_data["amount"]
    body = form_once(
        request,
        scope=actions.BANK_TRANSFER_SCOPE,
        params=actions.bank_transfer_params(
            company_id=membership.company_id, amount=amount, currency=DEFAULT_CURRENCY
        ),
        work=lambda: {
            "id": actions.open_bank_transfer(
                user=request.user, company_id=membership.company_id, amount=amount
            ).pk
        },
        key_field=form.add_prefix("idempotency_key"),
    )
    if body is None:
        # Refused (the reason is in the messages): the page again, with what was typed.
        return _render(request, membership, form, status=422)
    messages.success(
        request,
        _("Transfer the amount quoting the remittance code below; we credit it on arrival."),
    )
    return redirect(_wallet_url(membership.company_id, body["id"]))


@login_required
@require_POST
def cancel_transfer(request: HttpRequest, company_id: int, transfer_id: int) -> HttpResponse:
    try:
        actions.cancel_bank_transfer(
            user=request.user, company_id=company_id, transfer_id=transfer_id
        )
    except DomainError as error:
        if error.status in (403, 404):
            return render_domain_error(request, error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("Bank transfer cancelled."))
    return redirect(_wallet_url(company_id, transfer_id))


@login_required
def statement_csv(request: HttpRequest, company_id: int) -> HttpResponse | StreamingHttpResponse:
    try:
        membership = selectors.require_company_wallet(user=request.user, company_id=company_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    entries = selectors.company_statement_rows(company_id=membership.company_id)
    return csv_response(entries, f"company-{membership.company_id}-wallet.csv")


@login_required
def sandbox_transfer(request: HttpRequest, code: str) -> HttpResponse:
    """The sandbox bank, where a transfer under ``code`` is made to arrive: gated like the
    sandbox payment page (the sandbox's own transfers, for those who may see them)."""
    if not sandbox_enabled():
        raise Http404
    transfer = selectors.bank_transfer_by_code(code=code)
    if transfer is None or transfer.provider != SandboxProvider.name:
        raise Http404
    try:
        selectors.require_company_wallet(user=request.user, company_id=transfer.company_id)
    except DomainError:
        raise Http404 from None
    back_url = _wallet_url(transfer.company_id, transfer.pk)
    if request.method == "POST":
        try:
            amount = parse_money(request.POST.get("amount", ""))
            if amount <= 0:
                raise ValueError
        except ValueError:
            messages.error(request, _("Enter an amount greater than zero."))
            return redirect(request.path)
        payer = (request.POST.get("payer_name") or "").strip()[:200]
        actions.simulate_bank_transfer(code=transfer.code, amount=amount, payer_name=payer)
        messages.success(request, _("The sandbox bank sent the transfer."))
        return redirect(back_url)
    return render(
        request,
        "wallet/sandbox_transfer.html",
        {
            "sandbox_banner": sandbox_banner(),
            "transfer": transfer,
            "back_url": back_url,
            "awaiting": bank_transfers.allows(transfer, "credit"),
        },
    )
