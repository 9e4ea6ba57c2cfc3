"""Company pages: "My companies" with the registration form, a company's page, its licence,
and whom the person is acting for (the header's switcher, kept in the session)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.core.views import render_domain_error
from infoconnect.procurement import selectors
from infoconnect.procurement.actions import companies as actions
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Company, Role

# The company the person acts for; absent: themselves.
ACTING_FOR = "procurement_acting_for"


class RegisterForm(forms.Form):
    legal_name = forms.CharField(label=gettext_lazy("Legal name"), max_length=200)
    uscc = forms.CharField(
        label=gettext_lazy("Unified social credit code"),
        max_length=30,
        help_text=gettext_lazy("18 characters, as printed on the business licence."),
    )


class LicenceForm(forms.Form):
    licence = forms.FileField(label=gettext_lazy("Business licence image"))


def add_domain_errors(form: forms.Form, error: DomainError) -> None:
    """The action's field errors on the form's fields; the rest above the form."""
    placed = False
    for field, errors in error.fields.items():
        if field in form.fields:
            for text in errors:
                form.add_error(field, text)
            placed = True
    if not placed:
        form.add_error(None, error.message)


# --- acting for a company ------------------------------------------------------------------


def acting_for(request: HttpRequest) -> Company | None:
    """The company the signed-in person acts for; someone no longer a member of it acts for
    themselves again."""
    company_id = request.session.get(ACTING_FOR)
    if company_id is None:
        return None
    company = selectors.acting_company(user=request.user, company_id=company_id)
    if company is None:
        del request.session[ACTING_FOR]
    return company


def companies_header(request: HttpRequest) -> dict:
    links = [
        {
            "url": reverse("procurement:companies"),
            "id": "nav-companies",
            "label": gettext_lazy("Companies"),
            "icon": "building-office-2",
        }
    ]
    mine = selectors.companies_of(user=request.user)
    if not mine:
        request.session.pop(ACTING_FOR, None)
        return {"header_links": links}
    return {
        "header_links": links,
        "header_templates": ["procurement/_acting_for.html"],
        "acting_for": acting_for(request),
        "acting_choices": mine,
    }


@login_required
@require_POST
def switch_acting_for(request: HttpRequest) -> HttpResponse:
    """Act for one of your companies, or (an empty choice) for yourself."""
    choice = request.POST.get("company", "")
    if choice:
        company = selectors.acting_company(user=request.user, company_id=parse_id(choice))
        if company is None:
            return render_domain_error(request, DomainError(ProcurementError.NOT_A_MEMBER))
        request.session[ACTING_FOR] = company.pk
    else:
        request.session.pop(ACTING_FOR, None)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("procurement:companies")
    return redirect(next_url)


# --- my companies and registering one ----------------------------------------------------------


@login_required
def companies(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                company = actions.register_company(user=request.user, **form.cleaned_data)
            except DomainError as error:
                add_domain_errors(form, error)
                status = error.status
            else:
                messages.success(
                    request, _("Company registered. An operator will review it shortly.")
                )
                return redirect("procurement:company", company.pk)
        else:
            status = 422
    return render(
        request,
        "procurement/companies.html",
        {"companies": selectors.companies_of(user=request.user), "form": form},
        status=status,
    )


# --- a company's page ----------------------------------------------------------------------


def render_company(
    request: HttpRequest,
    company_id: int,
    *,
    error: DomainError | None = None,
) -> HttpResponse:
    """The company's page for one of its members; with ``error``, what went wrong above it and
    the error's status."""
    try:
        membership = selectors.require_member(user=request.user, company_id=company_id)
    except DomainError as refused:
        return render_domain_error(request, refused)
    company = membership.company
    is_admin = selectors.is_company_admin(membership)
    acting = acting_for(request)
    return render(
        request,
        "procurement/company.html",
        {
            "company": company,
            "membership": membership,
            "is_admin": is_admin,
            "members": selectors.current_members(company=company),
            "suspension_reason": selectors.suspension_reason(company=company),
            "roles": Role.choices,
            "departments": selectors.departments_of(company=company) if is_admin else [],
            "licence_form": LicenceForm(),
            "acting_here": acting is not None and acting.pk == company.pk,
            "error": error,
        },
        status=error.status if error else 200,
    )


@login_required
def company(request: HttpRequest, company_id: int) -> HttpResponse:
    return render_company(request, company_id)


@login_required
@require_POST
def licence(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        actions.set_licence(
            user=request.user, company_id=company_id, upload=request.FILES.get("licence")
        )
    except DomainError as error:
        return render_company(request, company_id, error=error)
    messages.success(request, _("Business licence uploaded."))
    return redirect("procurement:company", company_id)
