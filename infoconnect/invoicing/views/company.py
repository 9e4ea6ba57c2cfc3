"""A company's invoice titles (/companies/<id>/invoice-titles/) and invoices
(/companies/<id>/invoices/): titles for finance members and company-wide admins, invoices for
them and viewers, each invoice with its PDF and, when its orders on terms are unpaid, the
form that pays them from the company wallet."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoconnect.core.errors import DomainError
from infoconnect.core.views import render_domain_error
from infoconnect.invoicing import pdf, selectors
from infoconnect.invoicing.actions import titles
from infoconnect.invoicing.forms import TitleForm
from infoconnect.invoicing.models import Invoice
from infoconnect.procurement.models import Membership, Receivable
from infoconnect.procurement.terms_reads import pay_url


def _titles_page(
    request: HttpRequest, membership: Membership, form: TitleForm, status: int = 200
) -> HttpResponse:
    company = membership.company
    return render(
        request,
        "invoicing/titles.html",
        {
            "company": company,
            "titles": selectors.titles_of(company_id=company.pk, include_archived=True),
            "form": form,
            "is_finance": selectors.is_finance(membership),
        },
        status=status,
    )


@login_required
def titles_page(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        membership = selectors.require_any_role(
            user=request.user, company_id=company_id, roles=selectors.TITLE_ROLES
        )
    except DomainError as refused:
        return render_domain_error(request, refused)
    if request.method != "POST":
        return _titles_page(request, membership, TitleForm())
    form = TitleForm(request.POST)
    if form.is_valid():
        try:
            title = titles.add_title(
                user=request.user, company_id=company_id, fields=form.fields_value()
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("Invoice title %(name)s added; finance confirms it before orders use it.")
                % {"name": title.name},
            )
            return redirect("invoicing:titles", company_id=company_id)
    return _titles_page(request, membership, form, status=422)


@login_required
def title_edit(request: HttpRequest, company_id: int, title_id: int) -> HttpResponse:
    try:
        membership = selectors.require_any_role(
            user=request.user, company_id=company_id, roles=selectors.TITLE_ROLES
        )
        title = selectors.title_of(company_id=company_id, title_id=title_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    status = 200
    if request.method == "POST":
        form = TitleForm(request.POST)
        if form.is_valid():
            try:
                titles.edit_title(
                    user=request.user,
                    company_id=company_id,
                    title_id=title.pk,
                    fields=form.fields_value(),
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(request, _("Invoice title saved; finance confirms it again."))
                return redirect("invoicing:titles", company_id=company_id)
        status = 422
    else:
        form = TitleForm(
            initial={
                "name": title.name,
                "taxpayer_id": title.taxpayer_id,
                "address_phone": title.address_phone,
                "bank_account": title.bank_account,
                "general_taxpayer": title.general_taxpayer,
            }
        )
    return render(
        request,
        "invoicing/title_edit.html",
        {"company": membership.company, "title": title, "form": form},
        status=status,
    )


def _title_post(request: HttpRequest, company_id: int, title_id: int, work, done: str):
    try:
        work(user=request.user, company_id=company_id, title_id=title_id)
    except DomainError as error:
        if error.status in (403, 404):
            return render_domain_error(request, error)
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("invoicing:titles", company_id=company_id)


@login_required
@require_POST
def title_archive(request: HttpRequest, company_id: int, title_id: int) -> HttpResponse:
    return _title_post(request, company_id, title_id, titles.archive_title, _("Title archived."))


@login_required
@require_POST
def title_confirm(request: HttpRequest, company_id: int, title_id: int) -> HttpResponse:
    return _title_post(
        request, company_id, title_id, titles.verify_title, _("Title confirmed: orders may use it.")
    )


# --- invoices --------------------------------------------------------------------------------


def _reader(request: HttpRequest, company_id: int) -> Membership:
    return selectors.require_any_role(
        user=request.user, company_id=company_id, roles=selectors.INVOICE_ROLES
    )


@login_required
def invoices_page(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        membership = _reader(request, company_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    return render(
        request,
        "invoicing/company_invoices.html",
        {
            "company": membership.company,
            "invoices": selectors.company_invoices(company_id=membership.company_id),
        },
    )


def open_on_terms(invoice: Invoice) -> int:
    """What the invoice's orders bought on terms still owe (a blue invoice only)."""
    if invoice.is_red:
        return 0
    order_ids = [row.order_id for row in invoice.orders.all()]
    owed = (
        Receivable.objects.filter(order_id__in=order_ids, company_id=invoice.company_id)
        .exclude(state=Receivable.State.SETTLED)
        .aggregate(owed=Sum(F("amount") - F("credited") - F("paid")))["owed"]
    )
    return max(owed or 0, 0)


@login_required
def invoice_page(request: HttpRequest, company_id: int, invoice_id: int) -> HttpResponse:
    try:
        membership = _reader(request, company_id)
        invoice = selectors.company_invoice(company_id=membership.company_id, invoice_id=invoice_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    owed = open_on_terms(invoice) if selectors.is_finance(membership) else 0
    url = pay_url(membership.company_id) if owed else None
    return render(
        request,
        "invoicing/invoice.html",
        {
            "company": membership.company,
            "invoice": invoice,
            "pdf_url": reverse("invoicing:invoice_pdf", args=[membership.company_id, invoice.pk]),
            "back_url": reverse("invoicing:invoices", args=[membership.company_id]),
            "pay_url": url,
            "owed": owed,
            "key": uuid.uuid4(),
        },
    )


def pdf_response(invoice: Invoice) -> HttpResponse:
    response = HttpResponse(pdf.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename(invoice)}"'
    return response


@login_required
def invoice_pdf(request: HttpRequest, company_id: int, invoice_id: int) -> HttpResponse:
    try:
        membership = _reader(request, company_id)
        invoice = selectors.company_invoice(company_id=membership.company_id, invoice_id=invoice_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    return pdf_response(invoice)
