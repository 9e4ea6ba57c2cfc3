"""Payment terms pages: the merchant's companies on terms (/companies/terms/), granted by the
company's unified social credit code, and the company's payables (/companies/<id>/payables/)
where finance pays what is owed from the company wallet."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoconnect.core.errors import DomainError
from infoconnect.core.idempotency import form_once
from infoconnect.core.ids import parse_id
from infoconnect.core.money import format_money, parse_money
from infoconnect.core.views import render_domain_error
from infoconnect.procurement import selectors, terms_reads
from infoconnect.procurement.actions import terms, terms_payments
from infoconnect.procurement.errors import ProcurementError, TermsError
from infoconnect.procurement.models import Company, PaymentTerms, Role
from infoconnect.shop.actions.rules import require_merchant

PAY_SCOPE = "procurement.terms_pay"


def _limit(text: str) -> int:
    try:
        return parse_money(text or "")
    except ValueError:
        raise DomainError(TermsError.CREDIT_LIMIT_INVALID) from None


def _render_merchant(request: HttpRequest, status: int = 200, typed: dict | None = None):
    return render(
        request,
        "procurement/terms_merchant.html",
        {
            "rows": terms_reads.merchant_terms(request.user),
            "nets": PaymentTerms.Net.choices,
            "typed": typed or {"net_days": "30", "grace_days": "7"},
        },
        status=status,
    )


@login_required
def merchant_terms(request: HttpRequest) -> HttpResponse:
    try:
        require_merchant(request.user)
    except DomainError as error:
        return render_domain_error(request, error)
    return _render_merchant(request)


def _merchant_write(request: HttpRequest, work, done: str, typed: dict | None = None):
    try:
        require_merchant(request.user)
        work()
    except DomainError as error:
        if error.status == 403:
            return render_domain_error(request, error)
        messages.error(request, error.message)
        return _render_merchant(request, status=error.status, typed=typed)
    messages.success(request, done)
    return redirect("procurement:merchant_terms")


@login_required
@require_POST
def grant(request: HttpRequest) -> HttpResponse:
    typed = {k: request.POST.get(k, "") for k in ("uscc", "net_days", "credit_limit", "grace_days")}

    def work():
        company = Company.objects.filter(uscc=typed["uscc"].strip().upper()).first()
        if company is None:
            raise DomainError(ProcurementError.COMPANY_NOT_FOUND)
        terms.grant_terms(
            merchant=request.user,
            company_id=company.pk,
            net_days=typed["net_days"],
            credit_limit=_limit(typed["credit_limit"]),
            grace_days=typed["grace_days"],
        )

    return _merchant_write(request, work, _("Payment terms granted."), typed)


@login_required
@require_POST
def update(request: HttpRequest, company_id: int) -> HttpResponse:
    def work():
        terms.update_terms(
            merchant=request.user,
            company_id=company_id,
            net_days=request.POST.get("net_days"),
            credit_limit=_limit(request.POST.get("credit_limit", "")),
            grace_days=request.POST.get("grace_days"),
        )

    return _merchant_write(request, work, _("Payment terms changed."))


@login_required
@require_POST
def withdraw(request: HttpRequest, company_id: int) -> HttpResponse:
    def work():
        terms.withdraw_terms(merchant=request.user, company_id=company_id)

    return _merchant_write(request, work, _("Payment terms withdrawn: no new orders on terms."))


@login_required
def payables(request: HttpRequest, company_id: int) -> HttpResponse:
    """What the company owes each merchant on terms: its finance members (and company-wide
    admins) see it and pay it."""
    try:
        membership = selectors.require_member(user=request.user, company_id=company_id)
        if not (
            selectors.holds_role(membership, Role.FINANCE)
            or selectors.holds_role(membership, Role.ADMIN)
        ):
            raise DomainError(ProcurementError.ROLE_REQUIRED)
    except DomainError as error:
        return render_domain_error(request, error)
    return render(
        request,
        "procurement/payables.html",
        {
            "company": membership.company,
            "payables": terms_reads.payables(membership.company_id),
            "payments": terms_reads.recent_payments(membership.company_id),
            "may_pay": selectors.holds_role(membership, Role.FINANCE),
            "key": uuid.uuid4(),
        },
    )


@login_required
@require_POST
def pay(request: HttpRequest, company_id: int) -> HttpResponse:
    """Pay chosen receivables, a statement's or an invoice's, from the company wallet (the
    statement and invoice pages post here too)."""
    merchant_id = parse_id(request.POST.get("merchant_id"))
    receivable_ids = request.POST.getlist("receivable_id")
    statement_id = request.POST.get("statement_id") or None
    invoice_id = request.POST.get("invoice_id") or None
    try:
        selectors.require_role(user=request.user, company_id=company_id, role=Role.FINANCE)
    except DomainError as error:
        return render_domain_error(request, error)
    body = form_once(
        request,
        scope=PAY_SCOPE,
        params={
            "company": company_id,
            "merchant": merchant_id,
            "receivables": sorted(receivable_ids),
            "statement": statement_id,
            "invoice": invoice_id,
        },
        work=lambda: _pay(request, company_id, merchant_id, receivable_ids, statement_id,
                          invoice_id),
    )  # fmt: skip
    if body is not None:
        messages.success(
            request,
            _("Paid %(amount)s from the company wallet (payment %(ref)s).")
            % {"amount": format_money(body["amount"]), "ref": body["reference"]},
        )
    return redirect("procurement:payables", company_id=company_id)


def _pay(request, company_id, merchant_id, receivable_ids, statement_id, invoice_id) -> dict:
    payment = terms_payments.pay_receivables(
        user=request.user,
        company_id=company_id,
        merchant_id=merchant_id,
        receivable_ids=receivable_ids or None,
        statement_id=statement_id,
        invoice_id=invoice_id,
    )
    return {"id": payment.pk, "amount": payment.amount, "reference": payment.reference}
