"""The merchant's invoices, /shop/manage/invoices/: what it issued, each with its PDF; per
company it buys from, how it invoices it and the merged invoice for a month."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoconnect.core.errors import DomainError
from infoconnect.core.views import render_domain_error
from infoconnect.invoicing import selectors
from infoconnect.invoicing.actions import issuing
from infoconnect.invoicing.models import InvoicingSetting
from infoconnect.invoicing.views.company import pdf_response


def months_offered() -> list[str]:
    """Last month and this one, as YYYY-MM: the months a merged invoice is usually for."""
    this = timezone.localdate().replace(day=1)
    last = (this - timedelta(days=1)).replace(day=1)
    return [f"{last:%Y-%m}", f"{this:%Y-%m}"]


@login_required
def invoices_page(request: HttpRequest) -> HttpResponse:
    try:
        invoices = selectors.merchant_invoices(merchant=request.user)
    except DomainError as refused:
        return render_domain_error(request, refused)
    return render(
        request,
        "invoicing/merchant_invoices.html",
        {
            "invoices": invoices,
            "customers": selectors.customers_of(merchant=request.user),
            "months": months_offered(),
            "modes": InvoicingSetting.Mode.choices,
        },
    )


@login_required
def invoice_page(request: HttpRequest, invoice_id: int) -> HttpResponse:
    try:
        invoice = selectors.merchant_invoice(merchant=request.user, invoice_id=invoice_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    return render(
        request,
        "invoicing/invoice.html",
        {
            "company": invoice.company,
            "invoice": invoice,
            "pdf_url": reverse("invoicing:merchant_invoice_pdf", args=[invoice.pk]),
            "back_url": reverse("invoicing:merchant_invoices"),
            "merchant_view": True,
        },
    )


@login_required
def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    try:
        invoice = selectors.merchant_invoice(merchant=request.user, invoice_id=invoice_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    return pdf_response(invoice)


@login_required
@require_POST
def issue_merged(request: HttpRequest) -> HttpResponse:
    try:
        invoice = issuing.issue_monthly(
            merchant=request.user,
            company_id=request.POST.get("company_id"),
            month=request.POST.get("month", ""),
        )
    except DomainError as error:
        if error.status in (403, 404) and error.code != "not_a_customer":
            return render_domain_error(request, error)
        messages.error(request, error.message)
        return redirect("invoicing:merchant_invoices")
    messages.success(
        request,
        _("Merged invoice for %(month)s requested from the invoice provider.")
        % {"month": f"{invoice.month:%Y-%m}"},
    )
    return redirect("invoicing:merchant_invoice", invoice_id=invoice.pk)


@login_required
@require_POST
def set_mode(request: HttpRequest) -> HttpResponse:
    try:
        setting = issuing.set_mode(
            merchant=request.user,
            company_id=request.POST.get("company_id"),
            mode=request.POST.get("mode", ""),
        )
    except DomainError as error:
        if error.code == "not_a_merchant":
            return render_domain_error(request, error)
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(company)s: %(mode)s.")
            % {"company": setting.company.legal_name, "mode": setting.get_mode_display()},
        )
    return redirect("invoicing:merchant_invoices")
