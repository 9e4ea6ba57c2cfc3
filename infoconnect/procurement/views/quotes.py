"""Quote pages: the company's quotes and a buyer's quote page, the merchant's quotes and
quote page, the request form (from a product page or the company's quotes page), and the
moves posted from a quote's card (in the inbox or on its page). A move posted by htmx
answers with the quote's card as it now stands; otherwise it goes back where it came from
with what happened, or why not."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from infoconnect.accounts.gates import verified_merchant_page
from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.idempotency import form_once
from infoconnect.core.ids import parse_id
from infoconnect.core.money import parse_money
from infoconnect.core.views import render_domain_error
from infoconnect.procurement import quote_reads
from infoconnect.procurement.actions import quote_acceptance, quote_replies
from infoconnect.procurement.actions import quotes as actions
from infoconnect.procurement.errors import QuoteError
from infoconnect.procurement.models import Quote, Requisition
from infoconnect.procurement.quote_cards import quote_path, revision_card
from infoconnect.procurement.views.companies import acting_for
from infoconnect.shop.models import Product, Sku

FORM_ROWS = 5


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _date(value: str, error: QuoteError) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(error) from None


def _fen(value: str) -> int | None:
    try:
        return parse_money(value or "")
    except ValueError:
        raise DomainError(QuoteError.PRICE_INVALID) from None


# --- the product page ----------------------------------------------------------------------


def quote_header(request: HttpRequest) -> dict:
    """The header's way to the quote lists: a merchant's, with how many wait for its answer;
    a buyer's acting for a company, with "Ask for a quote" on product pages."""
    user = request.user
    if user.is_merchant:
        waiting = quote_reads.merchant_quote_rows(merchant=user).filter(state=Quote.State.REQUESTED)
        return {
            "header_links": [
                {
                    "url": reverse("procurement:merchant_quotes"),
                    "id": "nav-quotes",
                    "label": _("Quotes"),
                    "icon": "document-text",
                    "badge": SimpleLazyObject(waiting.count),
                }
            ]
        }
    company = acting_for(request)
    if company is None or quote_reads.quote_buyer(user=user, company_id=company.pk) is None:
        return {}
    return {
        "header_links": [
            {
                "url": reverse("procurement:quotes", args=[company.pk]),
                "id": "nav-quotes",
                "label": _("Quotes"),
                "icon": "document-text",
                "badge": 0,
            }
        ],
        "quote_company": company,
        "product_extra_templates": ["procurement/quotes/_ask.html"],
    }


# --- the buyer's pages ---------------------------------------------------------------------


def _buyer(request: HttpRequest, company_id: int):
    membership = quote_reads.quote_buyer(user=request.user, company_id=company_id)
    if membership is None:
        raise Http404(QuoteError.QUOTE_NOT_FOUND.message)
    return membership


@login_required
def company_quotes(request: HttpRequest, company_id: int) -> HttpResponse:
    membership = _buyer(request, company_id)
    return render(
        request,
        "procurement/quotes/company_list.html",
        {
            "company": membership.company,
            "quotes": quote_reads.company_quotes(membership=membership),
        },
    )


def _new_context(request: HttpRequest, membership, typed: dict | None = None) -> dict:
    source = typed or request.GET
    merchant = None
    sku = None
    sku_id = parse_id(source.get("sku", ""))
    if sku_id:
        sku = (
            Sku.objects.select_related("product", "product__merchant")
            .filter(pk=sku_id, product__status=Product.Status.ACTIVE)
            .first()
        )
        merchant = sku.product.merchant if sku else None
    if merchant is None:
        username = (source.get("merchant") or "").strip().removeprefix("@")
        merchant = User.objects.filter(
            username=username, kind=User.Kind.MERCHANT, is_active=True
        ).first()
    skus = []
    if merchant is not None:
        skus = list(
            Sku.objects.select_related("product")
            .filter(
                product__merchant=merchant, is_active=True, product__status=Product.Status.ACTIVE
            )
            .order_by("product__title", "pk")[:200]
        )
    rows = []
    for index in range(FORM_ROWS):
        rows.append(
            {
                "index": index,
                "sku": str((typed or {}).get(f"sku_{index}", sku.pk if sku and index == 0 else "")),
                "title": (typed or {}).get(f"title_{index}", ""),
                "quantity": (typed or {}).get(f"quantity_{index}", ""),
            }
        )
    return {
        "company": membership.company,
        "merchant": merchant,
        "merchant_username": merchant.username if merchant else source.get("merchant", ""),
        "skus": skus,
        "rows": rows,
        "typed": typed or {},
    }


@login_required
def quote_new(request: HttpRequest, company_id: int) -> HttpResponse:
    """The request form: the merchant (from the product, or named), lines, wanted date."""
    membership = _buyer(request, company_id)
    if request.method != "POST":
        return render(request, "procurement/quotes/new.html", _new_context(request, membership))
    typed = request.POST.dict()
    context = _new_context(request, membership, typed)
    try:
        if context["merchant"] is None:
            raise DomainError(QuoteError.MERCHANT_NOT_FOUND)
        lines = []
        for index in range(FORM_ROWS):
            sku_id = typed.get(f"sku_{index}", "")
            title = typed.get(f"title_{index}", "").strip()
            quantity = typed.get(f"quantity_{index}", "").strip()
            if not (sku_id or title or quantity):
                continue
            lines.append(actions.LineSpec(quantity=quantity, sku_id=sku_id or None, title=title))
        quote = actions.request_quote(
            user=request.user,
            company_id=company_id,
            merchant_id=context["merchant"].pk,
            lines=lines,
            wanted_by=_date(typed.get("wanted_by", ""), QuoteError.WANTED_BY_INVALID),
            title=typed.get("title", ""),
            note=typed.get("note", ""),
        )
    except DomainError as error:
        context["errors"] = [error.message]
        return render(request, "procurement/quotes/new.html", context, status=error.status)
    messages.success(
        request,
        _("Quote %(ref)s is asked for: %(merchant)s answers in the inbox.")
        % {"ref": quote.reference, "merchant": quote.merchant.name},
    )
    return redirect(quote_path(quote, "buyer"))


def _page(request: HttpRequest, quote: Quote, side: str) -> HttpResponse:
    revisions = quote_reads.revisions_of(quote)
    cards = [revision_card(request.user, revision) for revision in revisions]
    return render(
        request,
        "procurement/quotes/quote.html",
        {
            "quote": quote,
            "side": side,
            "cards": cards,
        },
    )


@login_required
def company_quote(request: HttpRequest, company_id: int, quote_id: int) -> HttpResponse:
    try:
        quote, _membership = quote_reads.company_quote(
            user=request.user, quote_id=quote_id, company_id=company_id
        )
    except DomainError as error:
        return render_domain_error(request, error)
    return _page(request, quote, "buyer")


# --- the merchant's pages -------------------------------------------------------------------


@login_required
@verified_merchant_page
def merchant_quotes(request: HttpRequest) -> HttpResponse:
    if not request.user.is_merchant:
        raise Http404
    return render(
        request,
        "procurement/quotes/merchant_list.html",
        {"quotes": quote_reads.merchant_quotes(merchant=request.user)},
    )


@login_required
@verified_merchant_page
def merchant_quote(request: HttpRequest, quote_id: int) -> HttpResponse:
    try:
        quote = quote_reads.merchant_quote(user=request.user, quote_id=quote_id)
    except DomainError as error:
        return render_domain_error(request, error)
    return _page(request, quote, "merchant")


# --- moves from a card ---------------------------------------------------------------------


def _back(request: HttpRequest, quote: Quote, side: str) -> str:
    next_url = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return quote_path(quote, side)


def _counter_lines(request: HttpRequest, quote: Quote) -> list[actions.CounterLine]:
    last = quote_reads.latest_revision(quote)
    return [
        actions.CounterLine(
            position=line.position,
            quantity=request.POST.get(f"quantity_{line.position}", ""),
            unit_price=_fen(request.POST.get(f"price_{line.position}", "")),
        )
        for line in last.lines.order_by("position")
    ]


def _prices(request: HttpRequest, quote: Quote) -> dict[int, object]:
    last = quote_reads.latest_revision(quote)
    return {
        line.position: _fen(request.POST.get(f"price_{line.position}", ""))
        for line in last.lines.order_by("position")
    }


# What the accept form sends, all of it part of what a repeated key must match.
ACCEPTED = ("ship_to", "po_number", "payment_method", "invoice_kind", "invoice_title_id")


def _accept(request: HttpRequest, quote: Quote) -> str | None:
    department_id, _sep, ship_to_id = (request.POST.get("ship_to") or "").partition(":")

    def work() -> dict:
        requisition = quote_acceptance.accept_quote(
            user=request.user,
            quote_id=quote.pk,
            company_id=quote.company_id,
            department_id=department_id or None,
            ship_to_id=ship_to_id or None,
            po_number=request.POST.get("po_number", ""),
            payment_method=request.POST.get("payment_method") or Requisition.Payment.COMPANY_WALLET,
            invoice_kind=request.POST.get("invoice_kind", ""),
            invoice_title_id=request.POST.get("invoice_title_id") or None,
        )
        return {"reference": requisition.reference, "state": requisition.get_state_display()}

    # Accepting commits the company's money (stock held, budgets, orders): once per key.
    done = form_once(
        request,
        scope="procurement.quote.accept",
        params={"quote_id": quote.pk, **{name: request.POST.get(name, "") for name in ACCEPTED}},
        work=work,
    )  # fmt: skip
    if done is None:
        return None  # form_once has put the error in front of the person
    return _("Accepted: requisition %(ref)s is %(state)s.") % {
        "ref": done["reference"],
        "state": str(done["state"]).lower(),
    }


BUYER_DONE = {
    "counter": gettext_lazy("Your counter-offer is sent."),
    "answer": gettext_lazy("Your answer is sent."),
    "cancel": gettext_lazy("The request is cancelled."),
    "requote": gettext_lazy("A new quote is asked for."),
}
MERCHANT_DONE = {
    "quote": gettext_lazy("Your quote is sent."),
    "ask_info": gettext_lazy("Your question is sent."),
    "decline": gettext_lazy("The quote is declined."),
}


def _buyer_move(request: HttpRequest, quote: Quote, verb: str) -> str | None:
    user, note = request.user, request.POST.get("note", "")
    kwargs = {"user": user, "quote_id": quote.pk, "company_id": quote.company_id}
    if verb == "accept":
        return _accept(request, quote)
    if verb == "counter":
        actions.counter_quote(**kwargs, lines=_counter_lines(request, quote), note=note)
    elif verb == "answer":
        actions.answer_info(**kwargs, note=note)
    elif verb == "cancel":
        actions.cancel_quote(**kwargs, note=note)
    else:
        actions.requote(**kwargs)
    return str(BUYER_DONE[verb])


def _merchant_move(request: HttpRequest, quote: Quote, verb: str) -> str:
    user, note = request.user, request.POST.get("note", "")
    if verb == "quote":
        quote_replies.send_quote(
            user=user,
            quote_id=quote.pk,
            prices=_prices(request, quote),
            valid_until=_date(request.POST.get("valid_until", ""), QuoteError.VALID_UNTIL_INVALID),
            note=note,
        )
    elif verb == "ask_info":
        quote_replies.ask_info(user=user, quote_id=quote.pk, note=note)
    else:
        quote_replies.decline_quote(user=user, quote_id=quote.pk, note=note)
    return str(MERCHANT_DONE[verb])


def _moved(request: HttpRequest, quote: Quote, side: str, run) -> HttpResponse:
    """Run the move; answer with the card (htmx) or go back with a flash."""
    back = _back(request, quote, side)
    error = done = None
    try:
        done = run()
    except DomainError as caught:
        error = caught.message
        messages.error(request, error)
    if done:
        messages.success(request, done)
    if not _is_htmx(request):
        return redirect(back)
    # In place: the card says what happened itself, so the flashes are taken here.
    said = list(messages.get_messages(request))
    if done is None and error is None:
        error = next((str(m) for m in said), "")
    quote.refresh_from_db()
    card = revision_card(request.user, quote_reads.latest_revision(quote))
    return render(
        request,
        card.template,
        {"card": card, "next": back, "done": done, "error": error},
    )


@login_required
@require_POST
def buyer_move(request: HttpRequest, company_id: int, quote_id: int, verb: str) -> HttpResponse:
    if verb not in ("accept", *BUYER_DONE):
        raise Http404
    try:
        quote, _membership = quote_reads.company_quote(
            user=request.user, quote_id=quote_id, company_id=company_id
        )
    except DomainError as error:
        return render_domain_error(request, error)
    return _moved(request, quote, "buyer", lambda: _buyer_move(request, quote, verb))


@login_required
@require_POST
def merchant_move(request: HttpRequest, quote_id: int, verb: str) -> HttpResponse:
    if verb not in MERCHANT_DONE:
        raise Http404
    try:
        quote = quote_reads.merchant_quote(user=request.user, quote_id=quote_id)
    except DomainError as error:
        return render_domain_error(request, error)
    return _moved(request, quote, "merchant", lambda: _merchant_move(request, quote, verb))
