"""The company's organisation page: its tree of departments and cost centres, and each one's
ship-to addresses. Every member reads it; an admin sees the controls for the part of the tree
they may change. A refused change shows the page again with the error and what was typed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoconnect.accounts.models import REGIONS
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.core.views import render_domain_error
from infoconnect.procurement import selectors
from infoconnect.procurement.actions import departments
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Department, Membership

# The move form's choice of "directly under the company" (a blank choice is no choice).
TOP_LEVEL = "top"


def _page_url(company_id: int, department_id: int | None = None) -> str:
    url = reverse("procurement:departments", args=[company_id])
    return f"{url}#department-{department_id}" if department_id else url


def _render(
    request: HttpRequest,
    membership: Membership,
    *,
    status: int = 200,
    failed: dict | None = None,
) -> HttpResponse:
    """The page; ``failed`` = {"form", "department_id", "values", "fields"} of a refused
    change, shown again open where it was, with what was typed and why it was refused."""
    organisation = selectors.organisation(membership=membership)
    top_failed = None
    if failed is not None:
        state = {"values": failed["values"], "fields": failed["fields"]}
        if failed["department_id"] is None:
            top_failed = state
        for department in organisation.departments:
            if department.pk == failed["department_id"]:
                department.failed = {failed["form"]: state}
    return render(
        request,
        "procurement/departments.html",
        {
            "company": membership.company,
            "organisation": organisation,
            "kinds": Department.Kind.choices,
            "regions": REGIONS,
            "top_failed": top_failed,
            "top_level": TOP_LEVEL,
        },
        status=status,
    )


def _refused(
    request: HttpRequest,
    company_id: int,
    error: DomainError,
    *,
    form: str,
    department_id: int | None,
) -> HttpResponse:
    try:
        membership = selectors.require_member(user=request.user, company_id=company_id)
    except DomainError as not_member:
        return render_domain_error(request, not_member)
    # The page shows each field's error at the field: the flash says it without the name.
    messages.error(request, _person_message(error))
    failed = {
        "form": form,
        "department_id": department_id,
        "values": request.POST,
        "fields": error.fields,
    }
    return _render(request, membership, status=error.status, failed=failed)


def _person_message(error: DomainError) -> str:
    return next(iter(error.fields.values()))[0] if error.fields else error.message


def _parent_choice(value: str | None) -> str | None:
    """A form's parent department: its id, or None for the company's top level."""
    value = (value or "").strip()
    return None if value in ("", TOP_LEVEL) else value


def _address_values(request: HttpRequest) -> dict[str, str | None]:
    return {field: request.POST.get(field) for field in departments.ADDRESS_FIELDS}


# --- the page -------------------------------------------------------------------------------


@login_required
def organisation(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        membership = selectors.require_member(user=request.user, company_id=company_id)
    except DomainError as error:
        return render_domain_error(request, error)
    return _render(request, membership)


# --- departments ----------------------------------------------------------------------------


@login_required
@require_POST
def department_create(request: HttpRequest, company_id: int) -> HttpResponse:
    parent_id = _parent_choice(request.POST.get("parent"))
    try:
        department = departments.create_department(
            user=request.user,
            company_id=company_id,
            name=request.POST.get("name", ""),
            parent_id=parent_id,
            kind=request.POST.get("kind") or Department.Kind.DEPARTMENT,
            code=request.POST.get("code", ""),
        )
    except DomainError as error:
        return _refused(
            request,
            company_id,
            error,
            form="create",
            department_id=parse_id(parent_id),
        )
    if department.kind == Department.Kind.COST_CENTRE:
        messages.success(request, _("Cost centre “%(name)s” added.") % {"name": department.name})
    else:
        messages.success(request, _("Department “%(name)s” added.") % {"name": department.name})
    return redirect(_page_url(company_id, department.pk))


@login_required
@require_POST
def department_rename(request: HttpRequest, company_id: int, department_id: int) -> HttpResponse:
    try:
        department = departments.rename_department(
            user=request.user,
            company_id=company_id,
            department_id=department_id,
            name=request.POST.get("name", ""),
            code=request.POST.get("code"),
        )
    except DomainError as error:
        return _refused(request, company_id, error, form="rename", department_id=department_id)
    messages.success(request, _("Saved “%(name)s”.") % {"name": department.name})
    return redirect(_page_url(company_id, department.pk))


@login_required
@require_POST
def department_move(request: HttpRequest, company_id: int, department_id: int) -> HttpResponse:
    choice = request.POST.get("parent", "").strip()
    try:
        if not choice:
            raise departments.invalid("parent_id", _("Choose where it goes."))
        department = departments.move_department(
            user=request.user,
            company_id=company_id,
            department_id=department_id,
            new_parent_id=_parent_choice(choice),
        )
    except DomainError as error:
        return _refused(request, company_id, error, form="move", department_id=department_id)
    messages.success(request, _("Moved “%(name)s”.") % {"name": department.name})
    return redirect(_page_url(company_id, department.pk))


def _admin_department(
    request: HttpRequest, company_id: int, department_id: int
) -> tuple[Membership, Department]:
    """For a confirmation or edit page: the department, if this member may change it."""
    membership = selectors.require_member(user=request.user, company_id=company_id)
    department = selectors.department_for(membership=membership, department_id=department_id)
    if not selectors.admin_scope(membership).covers(department):
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    return membership, department


@login_required
def department_delete(request: HttpRequest, company_id: int, department_id: int) -> HttpResponse:
    """GET asks to confirm; POST deletes."""
    if request.method == "POST":
        try:
            departments.delete_department(
                user=request.user, company_id=company_id, department_id=department_id
            )
        except DomainError as error:
            return _refused(request, company_id, error, form="delete", department_id=department_id)
        messages.success(request, _("Department deleted."))
        return redirect(_page_url(company_id))
    try:
        membership, department = _admin_department(request, company_id, department_id)
    except DomainError as error:
        return render_domain_error(request, error)
    return render(
        request,
        "procurement/confirm_delete.html",
        {
            "company": membership.company,
            "title": _("Delete “%(name)s”?") % {"name": department.name},
            "explanation": _(
                "Only an empty department can be deleted: nothing under it, no ship-to "
                "addresses and no roles given on it."
            ),
            "action": reverse("procurement:department_delete", args=[company_id, department.pk]),
            "button": _("Delete department"),
            "back": _page_url(company_id, department.pk),
        },
    )


# --- ship-to addresses ----------------------------------------------------------------------


@login_required
@require_POST
def ship_to_add(request: HttpRequest, company_id: int, department_id: int) -> HttpResponse:
    try:
        departments.add_ship_to(
            user=request.user,
            company_id=company_id,
            department_id=department_id,
            **{field: value or "" for field, value in _address_values(request).items()},
        )
    except DomainError as error:
        return _refused(request, company_id, error, form="ship_to", department_id=department_id)
    messages.success(request, _("Ship-to address added."))
    return redirect(_page_url(company_id, department_id))


@login_required
def ship_to_edit(
    request: HttpRequest, company_id: int, department_id: int, address_id: int
) -> HttpResponse:
    try:
        membership, department = _admin_department(request, company_id, department_id)
        address = selectors.ship_to_for(department=department, address_id=address_id)
    except DomainError as error:
        return render_domain_error(request, error)
    values = {field: getattr(address, field) for field in departments.ADDRESS_FIELDS}
    fields: dict = {}
    status = 200
    if request.method == "POST":
        try:
            departments.update_ship_to(
                user=request.user,
                company_id=company_id,
                department_id=department_id,
                address_id=address_id,
                **_address_values(request),
            )
        except DomainError as error:
            messages.error(request, _person_message(error))
            values, fields, status = request.POST, error.fields, error.status
        else:
            messages.success(request, _("Ship-to address saved."))
            return redirect(_page_url(company_id, department_id))
    return render(
        request,
        "procurement/ship_to_edit.html",
        {
            "company": membership.company,
            "department": department,
            "address": address,
            "values": values,
            "fields": fields,
            "regions": REGIONS,
            "back": _page_url(company_id, department_id),
        },
        status=status,
    )


@login_required
def ship_to_delete(
    request: HttpRequest, company_id: int, department_id: int, address_id: int
) -> HttpResponse:
    """GET asks to confirm; POST deletes."""
    if request.method == "POST":
        try:
            departments.delete_ship_to(
                user=request.user,
                company_id=company_id,
                department_id=department_id,
                address_id=address_id,
            )
        except DomainError as error:
            return _refused(
                request, company_id, error, form="ship_to_delete", department_id=department_id
            )
        messages.success(request, _("Ship-to address deleted."))
        return redirect(_page_url(company_id, department_id))
    try:
        membership, department = _admin_department(request, company_id, department_id)
        address = selectors.ship_to_for(department=department, address_id=address_id)
    except DomainError as error:
        return render_domain_error(request, error)
    return render(
        request,
        "procurement/confirm_delete.html",
        {
            "company": membership.company,
            "title": _("Delete this ship-to address of “%(name)s”?") % {"name": department.name},
            "explanation": f"{address.recipient_name}, {address.mobile}, {address.one_line}",
            "action": reverse(
                "procurement:ship_to_delete", args=[company_id, department.pk, address.pk]
            ),
            "button": _("Delete address"),
            "back": _page_url(company_id, department.pk),
        },
    )
