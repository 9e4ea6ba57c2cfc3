"""A company's dashboard: what waits for the member's approval, their requisitions, the
current budgets and what the company spent, and that spend as a CSV. Every current member
opens it and sees what their roles cover; anyone else is told the company does not exist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import pgettext

from infoconnect.core import spreadsheets
from infoconnect.core.errors import DomainError
from infoconnect.core.money import DEFAULT_CURRENCY, plain_amount
from infoconnect.core.spreadsheets import safe_cell
from infoconnect.core.views import render_domain_error
from infoconnect.procurement import dashboard_reads, selectors


@login_required
def dashboard(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        membership = selectors.require_member(user=request.user, company_id=company_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    page = dashboard_reads.dashboard(membership)
    return render(
        request,
        "procurement/dashboard.html",
        {
            "company": membership.company,
            "page": page,
            "spend_charts": [
                ("department", pgettext("dashboard", "By department"), page.spend.by("department")),
                ("category", pgettext("dashboard", "By category"), page.spend.by("category")),
                ("merchant", pgettext("dashboard", "By merchant"), page.spend.by("merchant")),
                ("month", pgettext("dashboard", "By month"), page.spend.by_month()),
            ],
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def spend_csv(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        membership = selectors.require_member(user=request.user, company_id=company_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    on = dashboard_reads.today()
    spend = dashboard_reads.spend(membership, dashboard_reads.visibility(membership), on)
    writer = spreadsheets.writer(_Echo())
    # A byte-order mark: Excel reads UTF-8 (Chinese names) only with it.
    lines = [
        "\ufeff",
        writer.writerow(
            [
                pgettext("spend CSV", "Month"),
                pgettext("spend CSV", "Department"),
                pgettext("spend CSV", "Category"),
                pgettext("spend CSV", "Merchant"),
                pgettext("spend CSV", "Amount"),
                pgettext("spend CSV", "Currency"),
            ]
        ),
    ]
    for cell in spend.cells:
        lines.append(
            writer.writerow(
                [
                    cell.month.strftime("%Y-%m"),
                    safe_cell(cell.department),
                    safe_cell(cell.category),
                    safe_cell(cell.merchant),
                    plain_amount(cell.amount),
                    DEFAULT_CURRENCY,
                ]
            )
        )
    response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
    filename = f"company-{membership.company_id}-spend-{on:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
