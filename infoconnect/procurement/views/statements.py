"""Monthly statements on the web: the company's side (/companies/<id>/statements/, read by
finance, admins and viewers; confirmed and disputed by finance) and the merchant's
(/companies/merchant/statements/: issue, read, answer disputes); each as a page with keyset
pages of lines, a CSV that Excel opens with its Chinese intact, and a PDF. And the proformas of
a requisition and of a quote."""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.core.views import render_domain_error
from infoconnect.procurement import (
    proforma,
    selectors,
    statement_csv,
    statement_pdf,
    statement_reads,
)
from infoconnect.procurement.actions import statements as actions
from infoconnect.procurement.errors import StatementError
from infoconnect.procurement.lifecycle import statements as lifecycle
from infoconnect.procurement.models import PaymentTerms, Role, Statement
from infoconnect.procurement.terms_reads import pay_url


def _after(request: HttpRequest) -> int:
    return parse_id(request.GET.get("after")) or 0


def _page_context(statement: Statement, request: HttpRequest) -> dict:
    after = _after(request)
    lines = statement_reads.statement_lines(statement, after=after)
    return {
        "statement": statement,
        "lines": lines,
        "after": after,
        "next_after": lines[-1].id if len(lines) == statement_reads.LINES_PAGE else None,
        "payments": statement_reads.statement_payments(statement),
        "credits": statement_reads.statement_credits(statement),
        "disputes": statement_reads.statement_disputes(statement),
        "disputed_ids": statement_reads.open_disputed_line_ids(statement),
        "seller": statement_reads.seller_name(statement.merchant),
    }


# --- the company's side ---------------------------------------------------------------------


@login_required
def statements_page(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        membership = statement_reads.reader_membership(user=request.user, company_id=company_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    return render(
        request,
        "procurement/statements/list.html",
        {
            "company": membership.company,
            "statements": statement_reads.company_statements(membership=membership),
        },
    )


@login_required
def statement_page(request: HttpRequest, company_id: int, statement_id: int) -> HttpResponse:
    try:
        membership = statement_reads.reader_membership(user=request.user, company_id=company_id)
        statement = statement_reads.company_statement(
            membership=membership, statement_id=statement_id
        )
    except DomainError as refused:
        return render_domain_error(request, refused)
    finance = selectors.holds_role(membership, Role.FINANCE)
    to_pay = statement_reads.open_to_pay(statement)
    context = _page_context(statement, request)
    context.update(
        company=membership.company,
        finance=finance,
        may_confirm=finance and lifecycle.allows(statement, "confirm"),
        may_dispute=finance and lifecycle.allows(statement, "dispute"),
        to_pay=to_pay,
        pay_url=pay_url(company_id) if finance and to_pay > 0 else "",
        key=uuid.uuid4(),
        csv_url=reverse("procurement:statement_csv", args=[company_id, statement.pk]),
        pdf_url=reverse("procurement:statement_pdf", args=[company_id, statement.pk]),
    )
    return render(request, "procurement/statements/statement.html", context)


def _csv(statement: Statement) -> HttpResponse:
    response = HttpResponse(statement_csv.statement_csv(statement), content_type=statement_csv.TYPE)
    response["Content-Disposition"] = f'attachment; filename="{statement_csv.filename(statement)}"'
    return response


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _company_statement(request: HttpRequest, company_id: int, statement_id: int) -> Statement:
    membership = statement_reads.reader_membership(user=request.user, company_id=company_id)
    return statement_reads.company_statement(membership=membership, statement_id=statement_id)


@login_required
def statement_csv_view(request: HttpRequest, company_id: int, statement_id: int) -> HttpResponse:
    try:
        statement = _company_statement(request, company_id, statement_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    return _csv(statement)


@login_required
def statement_pdf_view(request: HttpRequest, company_id: int, statement_id: int) -> HttpResponse:
    try:
        statement = _company_statement(request, company_id, statement_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    return _pdf(statement_pdf.statement_pdf(statement), f"statement-{statement.pk}.pdf")


@login_required
@require_POST
def statement_confirm(request: HttpRequest, company_id: int, statement_id: int) -> HttpResponse:
    try:
        _company_statement(request, company_id, statement_id)
        actions.confirm_statement(
            user=request.user, company_id=company_id, statement_id=statement_id
        )
    except DomainError as refused:
        if refused.status in (403, 404):
            return render_domain_error(request, refused)
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Statement confirmed."))
    return redirect("procurement:statement", company_id=company_id, statement_id=statement_id)


@login_required
@require_POST
def statement_dispute(request: HttpRequest, company_id: int, statement_id: int) -> HttpResponse:
    """One or more lines: repeated ``order_line_id``, each with its ``reason_<id>``."""
    ids = request.POST.getlist("order_line_id")
    lines = [
        actions.DisputedLine(parse_id(raw) or 0, request.POST.get(f"reason_{raw}", ""))
        for raw in ids
    ]
    try:
        _company_statement(request, company_id, statement_id)
        actions.dispute_lines(
            user=request.user, company_id=company_id, statement_id=statement_id, lines=lines
        )
    except DomainError as refused:
        if refused.status in (403, 404):
            return render_domain_error(request, refused)
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Dispute sent to the merchant."))
    return redirect("procurement:statement", company_id=company_id, statement_id=statement_id)


# --- the merchant's side --------------------------------------------------------------------


def _merchant_only(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_merchant:
        return render_domain_error(request, DomainError(StatementError.NOT_MERCHANT))
    return None


@login_required
def merchant_statements(request: HttpRequest) -> HttpResponse:
    if (denied := _merchant_only(request)) is not None:
        return denied
    terms = PaymentTerms.objects.filter(merchant=request.user).select_related("company")
    return render(
        request,
        "procurement/statements/merchant_list.html",
        {
            "statements": statement_reads.merchant_statements(merchant=request.user),
            "terms": terms.order_by("company__legal_name"),
            "last_month": statement_reads.last_closed_month(),
        },
    )


@login_required
@require_POST
def merchant_issue(request: HttpRequest) -> HttpResponse:
    if (denied := _merchant_only(request)) is not None:
        return denied
    try:
        month = datetime.datetime.strptime(request.POST.get("month", ""), "%Y-%m").date()
    except ValueError:
        month = None
    try:
        statement = actions.issue_statement(
            merchant=request.user,
            company_id=parse_id(request.POST.get("company_id")) or 0,
            month=month,
        )
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("procurement:merchant_statements")
    messages.success(request, _("Statement %(ref)s issued.") % {"ref": statement.reference})
    return redirect("procurement:merchant_statement", statement_id=statement.pk)


def _own(request: HttpRequest, statement_id: int) -> Statement:
    return statement_reads.merchant_statement(merchant=request.user, statement_id=statement_id)


@login_required
def merchant_statement(request: HttpRequest, statement_id: int) -> HttpResponse:
    if (denied := _merchant_only(request)) is not None:
        return denied
    try:
        statement = _own(request, statement_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    context = _page_context(statement, request)
    context.update(
        merchant_side=True,
        company=statement.company,
        csv_url=reverse("procurement:merchant_statement_csv", args=[statement.pk]),
        pdf_url=reverse("procurement:merchant_statement_pdf", args=[statement.pk]),
    )
    return render(request, "procurement/statements/statement.html", context)


@login_required
def merchant_statement_csv(request: HttpRequest, statement_id: int) -> HttpResponse:
    if (denied := _merchant_only(request)) is not None:
        return denied
    try:
        return _csv(_own(request, statement_id))
    except DomainError as refused:
        return render_domain_error(request, refused)


@login_required
def merchant_statement_pdf(request: HttpRequest, statement_id: int) -> HttpResponse:
    if (denied := _merchant_only(request)) is not None:
        return denied
    try:
        statement = _own(request, statement_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    return _pdf(statement_pdf.statement_pdf(statement), f"statement-{statement.pk}.pdf")


@login_required
@require_POST
def dispute_answer(request: HttpRequest, statement_id: int, dispute_id: int) -> HttpResponse:
    if (denied := _merchant_only(request)) is not None:
        return denied
    try:
        _own(request, statement_id)
        actions.answer_dispute(
            merchant=request.user, dispute_id=dispute_id, answer=request.POST.get("answer", "")
        )
    except DomainError as refused:
        if refused.status == 404:
            return render_domain_error(request, refused)
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Answer sent."))
    return redirect("procurement:merchant_statement", statement_id=statement_id)


# --- proformas ------------------------------------------------------------------------------


@login_required
def requisition_proforma(request: HttpRequest, company_id: int, requisition_id: int):
    try:
        document = proforma.requisition_proforma(
            user=request.user, company_id=company_id, requisition_id=requisition_id
        )
    except DomainError as refused:
        return render_domain_error(request, refused)
    return _pdf(proforma.proforma_pdf(document), f"proforma-{document.reference}.pdf")


@login_required
def quote_proforma(request: HttpRequest, company_id: int, quote_id: int) -> HttpResponse:
    try:
        document = proforma.quote_proforma(
            user=request.user, company_id=company_id, quote_id=quote_id
        )
    except DomainError as refused:
        return render_domain_error(request, refused)
    return _pdf(proforma.proforma_pdf(document), f"proforma-{document.reference}.pdf")


@login_required
def merchant_quote_proforma(request: HttpRequest, quote_id: int) -> HttpResponse:
    if (denied := _merchant_only(request)) is not None:
        return denied
    try:
        document = proforma.quote_proforma(user=request.user, quote_id=quote_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    return _pdf(proforma.proforma_pdf(document), f"proforma-{document.reference}.pdf")
