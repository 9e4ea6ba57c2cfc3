from collections.abc import Iterable

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from infoconnect.accounts.gates import verified_merchant_page
from infoconnect.core import ratelimits, spreadsheets
from infoconnect.core.errors import DomainError
from infoconnect.core.idempotency import form_once
from infoconnect.core.money import DEFAULT_CURRENCY, format_money, plain_amount
from infoconnect.core.pagination import PageParams
from infoconnect.wallet import actions, selectors, topup_limits
from infoconnect.wallet.forms import AmountForm, PayoutAccountForm
from infoconnect.wallet.lifecycle import payments
from infoconnect.wallet.models import AccountKind, LedgerEntry, PayoutProvider
from infoconnect.wallet.providers import (
    get_provider,
    payout_account_providers,
    sandbox_banner,
    sandbox_enabled,
    topups_available,
)
from infoconnect.wallet.providers.sandbox import RETURN_PARAM, qr_modules

# The scan page's QR code: modules of 6 px with the standard 4-module quiet zone.
QR_SCALE = 6

STATEMENT_PAGE = 25


def wallet_header(request: HttpRequest) -> dict:
    return {
        "header_links": [
            {
                "url": reverse("wallet:home"),
                "id": "nav-wallet",
                "label": gettext_lazy("Wallet"),
                "icon": "wallet",
            }
        ]
    }


def _statement_page(request: HttpRequest, *, kind: str) -> tuple[list[LedgerEntry], int | None]:
    page = PageParams.clean(
        max_id=request.GET.get("max_id"), limit=STATEMENT_PAGE, max_limit=STATEMENT_PAGE
    )
    entries = selectors.statement(user_id=request.user.pk, kind=kind, page=page)
    next_max_id = entries[-1].pk if len(entries) == STATEMENT_PAGE else None
    return entries, next_max_id


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return _render_home(request, AmountForm())


def _render_home(request: HttpRequest, form: AmountForm, status: int = 200) -> HttpResponse:
    entries, next_max_id = _statement_page(request, kind=AccountKind.WALLET)
    topup = None
    if request.GET.get("topup", "").isdigit():
        topup = selectors.payment_for(user_id=request.user.pk, payment_id=int(request.GET["topup"]))
    return render(
        request,
        "wallet/home.html",
        {
            "balance": selectors.balance_of(user_id=request.user.pk, kind=AccountKind.WALLET),
            "entries": entries,
            "next_max_id": next_max_id,
            "form": form,
            "topup": topup,
            "allowance": topup_limits.allowance(owner_id=request.user.pk),
            "topups_available": topups_available(),
        },
        status=status,
    )


@login_required
@require_POST
@ratelimits.limit("topup")
def topup(request: HttpRequest) -> HttpResponse:
    form = AmountForm(request.POST)
    if not form.is_valid():
        return _render_home(request, form, status=400)
    body = _topup_once(request, form, destination=AccountKind.WALLET)
    if body is None:
        return redirect("wallet:home")
    return redirect(body["redirect_url"])


def _topup_once(request: HttpRequest, form: AmountForm, *, destination: str) -> dict | None:
    """Start the form's top-up once per its hidden key; its page to pay on, or None (said why)."""
    amount = form.cleaned_data["amount"]

    def work() -> dict:
        payment = actions.start_topup(
            user_id=request.user.pk, amount=amount, destination=destination
        )
        return {"id": payment.pk, "redirect_url": payment.redirect_url}

    return form_once(
        request,
        scope=actions.TOPUP_SCOPE,
        params=actions.topup_request_params(
            amount=amount, currency=DEFAULT_CURRENCY, destination=destination
        ),
        work=work,
        key_field=form.add_prefix("idempotency_key"),
    )


def _merchant_only(request: HttpRequest) -> None:
    # A person has no merchant balance: the page does not exist for them.
    if not request.user.is_merchant:
        raise Http404


@login_required
@verified_merchant_page
def merchant(request: HttpRequest) -> HttpResponse:
    _merchant_only(request)
    return _render_merchant(request)


def _topup_form(data=None, *, prefix: str = "topup", label=None) -> AmountForm:
    # Its own prefix and label: the payout form on the same page has the same fields.
    form = AmountForm(data, prefix=prefix)
    form.fields["amount"].label = label or gettext_lazy("Top-up (¥)")
    return form


def _deposit_form(data=None) -> AmountForm:
    return _topup_form(data, prefix="deposit", label=gettext_lazy("Deposit (¥)"))


def _debt_form(standing: selectors.MerchantStanding, data=None) -> AmountForm:
    form = _topup_form(data, prefix="debt", label=gettext_lazy("Amount to settle (¥)"))
    form.fields["amount"].initial = plain_amount(min(standing.balance, standing.debt))
    return form


def _render_merchant(
    request: HttpRequest,
    form: AmountForm | None = None,
    status: int = 200,
    topup_form: AmountForm | None = None,
    deposit_form: AmountForm | None = None,
    debt_form: AmountForm | None = None,
    account_form: PayoutAccountForm | None = None,
) -> HttpResponse:
    entries, next_max_id = _statement_page(request, kind=AccountKind.MERCHANT)
    user_id = request.user.pk
    standing = selectors.merchant_standing(merchant_id=user_id)
    topup = None
    if request.GET.get("topup", "").isdigit():
        topup = selectors.payment_for(user_id=user_id, payment_id=int(request.GET["topup"]))
    form = form or AmountForm()
    # The most a payout may take now, as the form's own limit.
    form.fields["amount"].widget.attrs["data-max"] = plain_amount(standing.available)
    return render(
        request,
        "wallet/merchant.html",
        {
            "balance": standing.balance,
            "standing": standing,
            "pending": selectors.balance_of(user_id=user_id, kind=AccountKind.PAYOUT_PENDING),
            "held": selectors.balance_of(user_id=user_id, kind=AccountKind.CAMPAIGN_HOLD),
            "entries": entries,
            "next_max_id": next_max_id,
            "payouts": selectors.payouts_of(merchant_id=user_id),
            "form": form,
            "topup_form": topup_form or _topup_form(),
            "deposit_form": deposit_form or _deposit_form(),
            "debt_form": debt_form or _debt_form(standing),
            "topup": topup,
            "allowance": topup_limits.allowance(owner_id=request.user.pk),
            "topups_available": topups_available(),
            "payout_accounts": _payout_accounts(user_id, account_form),
        },
        status=status,
    )


def _payout_accounts(merchant_id: int, bound: PayoutAccountForm | None) -> list[dict]:
    """Each enabled provider that pays the merchant's own account: what is kept, and its form
    (the one just submitted, with its errors, in place of a fresh one)."""
    kept = selectors.payout_accounts_of(merchant_id=merchant_id)
    cards = []
    for provider in payout_account_providers():
        account = kept.get(provider)
        form = bound if bound is not None and bound.provider == provider else None
        if form is None:
            initial = (
                {"identity": account.identity, "real_name": account.real_name} if account else {}
            )
            form = PayoutAccountForm(provider=provider, initial=initial)
        cards.append(
            {
                "provider": provider,
                "label": PayoutProvider(provider).label,
                "account": account,
                "form": form,
            }
        )
    return cards


@login_required
@require_POST
@verified_merchant_page
def payout_account(request: HttpRequest, provider: str) -> HttpResponse:
    """Keep where payouts through ``provider`` go (the form shows what to fix, field by field)."""
    _merchant_only(request)
    if provider not in payout_account_providers():
        raise Http404
    form = PayoutAccountForm(request.POST, provider=provider)
    if not form.is_valid():
        return _render_merchant(request, status=400, account_form=form)
    try:
        actions.set_payout_account(
            merchant_id=request.user.pk,
            provider=provider,
            identity=form.cleaned_data["identity"],
            real_name=form.cleaned_data["real_name"],
            changed_by_id=request.user.pk,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("wallet:merchant")
    messages.success(
        request,
        _("Payouts through %(provider)s now go to %(account)s.")
        % {"provider": PayoutProvider(provider).label, "account": form.cleaned_data["identity"]},
    )
    return redirect("wallet:merchant")


@login_required
@require_POST
@verified_merchant_page
def payout(request: HttpRequest) -> HttpResponse:
    _merchant_only(request)
    form = AmountForm(request.POST)
    if not form.is_valid():
        return _render_merchant(request, form, status=400)
    amount = form.cleaned_data["amount"]
    body = form_once(
        request,
        scope=actions.PAYOUT_SCOPE,
        params=actions.payout_request_params(amount=amount, currency=DEFAULT_CURRENCY),
        work=lambda: {"id": actions.request_payout(merchant_id=request.user.pk, amount=amount).pk},
        key_field=form.add_prefix("idempotency_key"),
    )
    if body is not None:
        messages.success(request, _("Payout #%(id)s requested.") % {"id": body["id"]})
    return redirect("wallet:merchant")


def _merchant_move(request: HttpRequest, form: AmountForm, *, scope: str, move, done: str):
    """A movement between the merchant's own accounts, once per the form's hidden key."""
    amount = form.cleaned_data["amount"]
    body = form_once(
        request,
        scope=scope,
        params=actions.merchant_move_params(amount=amount, currency=DEFAULT_CURRENCY),
        work=lambda: {"id": move(merchant_id=request.user.pk, amount=amount).pk},
        key_field=form.add_prefix("idempotency_key"),
    )
    if body is not None:
        messages.success(request, done % {"amount": format_money(amount)})
    return redirect("wallet:merchant")


@login_required
@require_POST
@verified_merchant_page
def deposit(request: HttpRequest) -> HttpResponse:
    """Pay into the security deposit: from the balance, or (``via=provider``) by a top-up."""
    _merchant_only(request)
    form = _deposit_form(request.POST)
    if not form.is_valid():
        return _render_merchant(request, status=400, deposit_form=form)
    if request.POST.get("via") == "provider":
        body = _topup_once(request, form, destination=AccountKind.DEPOSIT)
        if body is None:
            return redirect("wallet:merchant")
        return redirect(body["redirect_url"])
    return _merchant_move(
        request,
        form,
        scope=actions.DEPOSIT_SCOPE,
        move=actions.pay_deposit,
        done=_("%(amount)s moved from your balance into your security deposit."),
    )


@login_required
@require_POST
@verified_merchant_page
def settle_debt(request: HttpRequest) -> HttpResponse:
    _merchant_only(request)
    standing = selectors.merchant_standing(merchant_id=request.user.pk)
    form = _debt_form(standing, request.POST)
    if not form.is_valid():
        return _render_merchant(request, status=400, debt_form=form)
    return _merchant_move(
        request,
        form,
        scope=actions.DEBT_SCOPE,
        move=actions.settle_debt,
        done=_("%(amount)s of your debt settled from your balance."),
    )


@login_required
@require_POST
@verified_merchant_page
@ratelimits.limit("topup")
def merchant_topup(request: HttpRequest) -> HttpResponse:
    """Top up the merchant balance (to pay for campaigns) through the payment provider."""
    _merchant_only(request)
    form = _topup_form(request.POST)
    if not form.is_valid():
        return _render_merchant(request, AmountForm(), status=400, topup_form=form)
    body = _topup_once(request, form, destination=AccountKind.MERCHANT)
    if body is None:
        return redirect("wallet:merchant")
    return redirect(body["redirect_url"])


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(entries: Iterable[LedgerEntry], filename: str) -> StreamingHttpResponse:
    writer = spreadsheets.writer(_Echo())

    def rows():
        # A byte-order mark: Excel, as most people open a CSV, reads UTF-8 (and so Chinese
        # descriptions) only with it; every CSV reader that knows UTF-8 skips it.
        yield "\ufeff"
        yield writer.writerow(
            [_("Entry"), _("Time"), _("Description"), _("Amount"), _("Balance"), _("Currency")]
        )
        for entry in entries:
            yield writer.writerow(
                [
                    entry.pk,
                    timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                    entry.transaction.description,
                    plain_amount(entry.amount),
                    plain_amount(entry.balance_after),
                    entry.transaction.currency,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def statement_csv(request: HttpRequest) -> StreamingHttpResponse:
    entries = selectors.statement_rows(user_id=request.user.pk, kind=AccountKind.WALLET)
    return csv_response(entries, "wallet-statement.csv")


@login_required
@verified_merchant_page
def merchant_statement_csv(request: HttpRequest) -> StreamingHttpResponse:
    _merchant_only(request)
    entries = selectors.statement_rows(user_id=request.user.pk, kind=AccountKind.MERCHANT)
    return csv_response(entries, "merchant-statement.csv")


@login_required
def sandbox_pay(request: HttpRequest, reference: str) -> HttpResponse:
    """The sandbox provider's own payment page, where the payer pays or cancels: WeChat Pay-like
    or Alipay-like for the channel the payer chose, else a plain one."""
    if not sandbox_enabled():
        raise Http404
    payment = selectors.payment_by_reference(reference=reference)
    if payment is None or payment.user_id != request.user.pk or payment.provider != "sandbox":
        raise Http404
    back_url = _return_page(request, payment)
    if request.method == "POST":
        # The payer may still pay or cancel only what is still waiting for payment. Nothing is
        # said here of the outcome: the page the payer returns to shows it once we know it.
        if payments.allows(payment, "cancel"):
            provider = get_provider(payment.provider)
            if request.POST.get("decision") == "confirm":
                provider.confirm_payment(reference=reference)
            else:
                provider.cancel_payment(reference=reference)
        return redirect(back_url)
    return render(
        request,
        "wallet/sandbox_pay.html",
        {
            "sandbox_banner": sandbox_banner(),
            "payment": payment,
            "back_url": back_url,
            "to_merchant": payment.destination in MERCHANT_DESTINATIONS,
            "for_order": payment.order_id is not None,
            "qr_modules": qr_modules(reference) if payment.channel == "wechat" else [],
        },
    )


# Top-ups a merchant makes (its balance, its deposit) return to the merchant's wallet page.
MERCHANT_DESTINATIONS = (AccountKind.MERCHANT, AccountKind.DEPOSIT)


def _return_page(request: HttpRequest, payment) -> str:
    """Where the payer goes back to: the page named when the payment was opened (on this site
    only), else where the top-up was started, the wallet or the merchant balance."""
    named = request.GET.get(RETURN_PARAM, "")
    if named and url_has_allowed_host_and_scheme(
        named, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return named
    to_merchant = payment.destination in MERCHANT_DESTINATIONS
    return f"{reverse('wallet:merchant' if to_merchant else 'wallet:home')}?topup={payment.pk}"


@login_required
def scan(request: HttpRequest, reference: str) -> HttpResponse:
    """The page a top-up paid by QR code waits on: the provider's code (WeChat Pay's weixin://
    code_url, which no browser opens) drawn here, and the top-up's status, which the page
    reloads until WeChat Pay's notification settles it."""
    payment = selectors.payment_by_reference(reference=reference)
    if payment is None or payment.user_id != request.user.pk or not payment.qr_code:
        raise Http404
    qr = segno.make(payment.qr_code, error="m")
    width, _height = qr.symbol_size(scale=QR_SCALE)
    return render(
        request,
        "wallet/scan.html",
        {
            "payment": payment,
            "qr": qr.svg_data_uri(scale=QR_SCALE),
            "qr_size": width,
            "back_url": _return_page(request, payment),
        },
    )
