"""A buyer's requisition pages: the "for company X" cart (its lines by merchant, its details
and which rule would fire), the list (mine, awaiting my approval, all I can see) and one
requisition with its approval trail, orders and events; with the forms that add to the cart,
change it, submit, withdraw, cancel and place it again. A refused change shows the error's
message; someone who may not see a requisition is told it does not exist."""

from __future__ import annotations

import uuid
from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from infoconnect.core.errors import DomainError
from infoconnect.core.idempotency import form_once
from infoconnect.core.ids import parse_id
from infoconnect.core.views import render_domain_error
from infoconnect.invoicing.models import Invoice
from infoconnect.procurement import digest, requisition_reads, selectors, terms_reads
from infoconnect.procurement.actions import ordering, rounds, submission
from infoconnect.procurement.actions import requisitions as actions
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.lifecycle import requisitions as lifecycle
from infoconnect.procurement.models import (
    Department,
    Membership,
    Requisition,
    RequisitionOrder,
    Role,
    RoleAssignment,
    ShipToAddress,
    StepAssignee,
)
from infoconnect.procurement.preview import preview
from infoconnect.procurement.views.companies import acting_for

PAGE_SIZE = 50
TABS = (
    ("mine", gettext_lazy("Mine")),
    ("awaiting", gettext_lazy("Awaiting my approval")),
    ("all", gettext_lazy("All I can see")),
)

# The trail's event kinds in words.
EVENT_WORDS = {
    "submitted": pgettext_lazy("requisition event", "Submitted"),
    "step_approve": pgettext_lazy("requisition event", "Approved at a level"),
    "step_reject": pgettext_lazy("requisition event", "Rejected at a level"),
    "step_return": pgettext_lazy("requisition event", "Lines sent back for changes"),
    "approved": gettext_lazy("Approved"),
    "ordered": gettext_lazy("Ordered"),
    "reapproval": gettext_lazy("Sent back to approval: it changed"),
    "rejected": gettext_lazy("Rejected"),
    "returned": gettext_lazy("Returned for changes"),
    "withdrawn": gettext_lazy("Withdrawn"),
    "cancelled": gettext_lazy("Cancelled"),
    "expired": gettext_lazy("Expired: the hold ran out"),
    "escalated": gettext_lazy("Escalated past its deadline"),
}
STATE_WORDS = dict(Requisition.State.choices)


# --- the header and the product page ---------------------------------------------------------


def requisition_header(request: HttpRequest) -> dict:
    """For a buyer acting for a company: the header's link to its cart with the line count,
    and the "Add to requisition" form on product pages."""
    company = acting_for(request)
    if company is None:
        return {}
    links = []
    membership = selectors.current_membership(user=request.user, company_id=company.pk)
    waiting = requisition_reads.awaiting_me(membership=membership).count() if membership else 0
    if waiting:
        # An approver finds what waits for them from every page.
        links.append(
            {
                "url": reverse("procurement:requisitions", args=[company.pk]) + "?tab=awaiting",
                "id": "nav-approvals",
                "label": _("Approvals"),
                "icon": "check-badge",
                "badge": waiting,
            }
        )
    try:
        actions.buyer_membership(user=request.user, company_id=company.pk)
    except DomainError:
        return {"header_links": links}
    draft = requisition_reads.draft_of(user=request.user, company_id=company.pk)
    count = draft.lines.count() if draft else 0
    return {
        "header_links": [
            *links,
            {
                "url": reverse("procurement:requisition_cart", args=[company.pk]),
                "id": "nav-requisition-cart",
                "icon": "shopping-cart",
                "label": _("%(company)s cart") % {"company": company.legal_name},
                "badge": count,
            },
        ],
        "requisition_company": company,
        "product_extra_templates": ["procurement/_requisition_add.html"],
    }


def _next_or(request: HttpRequest, fallback: str) -> str:
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return fallback


def _cart_url(company_id: int) -> str:
    return reverse("procurement:requisition_cart", args=[company_id])


def _detail_url(company_id: int, requisition_id: int) -> str:
    return reverse("procurement:requisition", args=[company_id, requisition_id])


@login_required
@require_POST
def add(request: HttpRequest, company_id: int) -> HttpResponse:
    """Add a SKU to the company cart from a product page; back there with the outcome."""
    try:
        membership = actions.buyer_membership(user=request.user, company_id=company_id)
    except DomainError as error:
        return render_domain_error(request, error)
    back = _next_or(request, _cart_url(company_id))
    try:
        line = actions.add_to_requisition(
            user=request.user,
            company_id=company_id,
            sku_id=request.POST.get("sku"),
            quantity=request.POST.get("quantity", "1"),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(
        request,
        _("Added %(title)s to the requisition for %(company)s.")
        % {"title": line.title, "company": membership.company.legal_name},
    )
    return redirect(back)


# --- the cart ----------------------------------------------------------------------------


def _buys_for(membership: Membership) -> list[Department]:
    """The departments the member may buy for, in tree order, each with its ``label`` (its
    path of names: "Design › Studio")."""
    departments = list(
        Department.objects.filter(company_id=membership.company_id).order_by("path", "pk")
    )
    names = {department.pk: department.name for department in departments}
    scopes = set(
        RoleAssignment.objects.filter(membership=membership, role=Role.BUYER).values_list(
            "department_id", flat=True
        )
    )
    found = []
    for department in departments:
        above = selectors.ancestor_ids(department)
        if None in scopes or scopes.intersection(above):
            department.label = " › ".join(names[pk] for pk in above if pk in names)
            found.append(department)
    return found


def _ship_to_groups(departments: list[Department]) -> list[dict]:
    """Every address the member's departments may ship to (their own and their ancestors'),
    by department: choosing another department needs no reload."""
    wanted = {pk for department in departments for pk in selectors.ancestor_ids(department)}
    rows = list(
        ShipToAddress.objects.filter(department_id__in=wanted)
        .select_related("department")
        .order_by("department__path", "pk")
    )
    labels = {department.pk: department.label for department in departments}
    groups: OrderedDict[int, dict] = OrderedDict()
    for address in rows:
        label = labels.get(address.department_id, address.department.name)
        groups.setdefault(address.department_id, {"label": label, "addresses": []})
        groups[address.department_id]["addresses"].append(address)
    return list(groups.values())


def _by_merchant(lines) -> list[dict]:
    groups: OrderedDict[int, dict] = OrderedDict()
    for line in lines:
        group = groups.setdefault(
            line.merchant_id, {"merchant": line.merchant, "lines": [], "subtotal": 0}
        )
        group["lines"].append(line)
        group["subtotal"] += line.line_total
    return list(groups.values())


def _render_cart(
    request: HttpRequest,
    membership: Membership,
    *,
    status: int = 200,
    typed: dict | None = None,
) -> HttpResponse:
    draft = requisition_reads.draft_of(user=request.user, company_id=membership.company_id)
    context = {"company": membership.company, "draft": draft}
    if draft is not None:
        lines = list(
            draft.lines.select_related("merchant", "merchant__merchant_profile", "sku").order_by(
                "pk"
            )
        )
        department = draft.department
        if typed and typed.get("department"):
            department = next(
                (d for d in _buys_for(membership) if str(d.pk) == typed["department"]),
                department,
            )
        departments = _buys_for(membership)
        details = typed or {
            "department": str(draft.department_id or ""),
            "ship_to": str(draft.ship_to_id or ""),
            "po_number": draft.po_number,
            "note": draft.note,
        }
        details = {**_payment_details(draft), **{k: v for k, v in details.items() if v is not None}}
        choices = actions.ship_to_choices(department)
        if not details["ship_to"] and len(choices) == 1:
            # The department's one address: chosen already.
            details = {**details, "ship_to": str(choices[0].pk)}
        context |= {
            "groups": _by_merchant(lines),
            "total": sum(line.line_total for line in lines),
            "departments": departments,
            "ship_to_choices": choices,
            "ship_to_groups": _ship_to_groups(departments),
            "details": details,
            "preview": preview(draft, timezone.now()) if lines else None,
            "submit_key": uuid.uuid4(),
            **_payment_choices(draft),
        }
    return render(request, "procurement/requisition_cart.html", context, status=status)


def _payment_details(draft: Requisition) -> dict:
    return {
        "payment_method": draft.payment_method,
        "invoice_kind": draft.invoice_kind,
        "invoice_title": str(draft.invoice_title_id or ""),
    }


def _payment_choices(draft: Requisition) -> dict:
    """On terms only when every merchant in the cart grants them (the others are named),
    and the company's invoice titles."""
    allowed, missing = terms_reads.terms_offer(draft)
    return {
        "terms_allowed": allowed,
        "terms_missing": missing,
        "invoice_titles": terms_reads.invoice_titles(draft.company_id),
        "invoice_kinds": Invoice.Kind.choices,
    }


@login_required
def cart(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        membership = actions.buyer_membership(user=request.user, company_id=company_id)
    except DomainError as error:
        return render_domain_error(request, error)
    return _render_cart(request, membership)


def _cart_write(request: HttpRequest, company_id: int, work, done: str, typed=None):
    """Run ``work(draft)`` on the member's cart; back to it, or the cart again with why not."""
    try:
        membership = actions.buyer_membership(user=request.user, company_id=company_id)
    except DomainError as error:
        return render_domain_error(request, error)
    draft = requisition_reads.draft_of(user=request.user, company_id=company_id)
    try:
        if draft is None:
            raise DomainError(ProcurementError.REQUISITION_NOT_FOUND)
        work(draft)
    except DomainError as error:
        messages.error(request, error.message)
        return _render_cart(request, membership, status=error.status, typed=typed)
    messages.success(request, done)
    return redirect(_cart_url(company_id))


@login_required
@require_POST
def line_quantity(request: HttpRequest, company_id: int, line_id: int) -> HttpResponse:
    def work(draft):
        actions.set_line_quantity(
            user=request.user,
            requisition_id=draft.pk,
            line_id=line_id,
            quantity=request.POST.get("quantity"),
        )

    return _cart_write(request, company_id, work, _("Quantity changed."))


@login_required
@require_POST
def line_remove(request: HttpRequest, company_id: int, line_id: int) -> HttpResponse:
    def work(draft):
        actions.remove_line(user=request.user, requisition_id=draft.pk, line_id=line_id)

    return _cart_write(request, company_id, work, _("Line removed."))


DETAIL_FIELDS = ("department", "ship_to", "po_number", "note")
# Saved only when the form sends them (None: left as they are).
PAYMENT_FIELDS = ("payment_method", "invoice_kind", "invoice_title")


def _save_details(request: HttpRequest, company_id: int, draft: Requisition, typed: dict) -> None:
    # A new department drops an address that is not one of its choices.
    ship_to = typed["ship_to"]
    if typed["department"] != str(draft.department_id or ""):
        department = Department.objects.filter(
            company_id=company_id, pk=parse_id(typed["department"])
        ).first()
        if ship_to not in {str(a.pk) for a in actions.ship_to_choices(department)}:
            ship_to = ""
    actions.update_details(
        user=request.user,
        requisition_id=draft.pk,
        department_id=typed["department"],
        ship_to_id=ship_to,
        po_number=typed["po_number"],
        note=typed["note"],
        payment_method=typed.get("payment_method"),
        invoice_kind=typed.get("invoice_kind"),
        invoice_title_id=typed.get("invoice_title"),
    )


@login_required
@require_POST
def details(request: HttpRequest, company_id: int) -> HttpResponse:
    typed = {key: request.POST.get(key, "") for key in DETAIL_FIELDS}
    typed |= {key: request.POST.get(key) for key in PAYMENT_FIELDS}

    def work(draft):
        _save_details(request, company_id, draft, typed)

    return _cart_write(request, company_id, work, _("Details saved."), typed=typed)


@login_required
@require_POST
def submit(request: HttpRequest, company_id: int, requisition_id: int) -> HttpResponse:
    try:
        actions.buyer_membership(user=request.user, company_id=company_id)
        _visible(request, company_id, requisition_id)
    except DomainError as error:
        return render_domain_error(request, error)

    # Submitted from the details form: what was typed there is saved first, with the submit.
    typed = (
        {key: request.POST.get(key, "") for key in DETAIL_FIELDS}
        | {key: request.POST.get(key) for key in PAYMENT_FIELDS}
        if "department" in request.POST
        else None
    )

    def work():
        if typed is not None:
            draft = Requisition.objects.filter(
                pk=requisition_id, requester=request.user, state=Requisition.State.DRAFT
            ).first()
            if draft is not None:
                _save_details(request, company_id, draft, typed)
        done = submission.submit_requisition(user=request.user, requisition_id=requisition_id)
        return {"state": done.state}

    body = form_once(
        request,
        scope="procurement.requisition_submit",
        params={"requisition": requisition_id},
        work=work,
    )
    if body is None:
        return redirect(_cart_url(company_id))
    if body.get("state") == Requisition.State.PENDING:
        messages.success(request, _("Submitted: it waits for approval."))
    else:
        messages.success(request, _("Submitted: no approval needed."))
    return redirect(_detail_url(company_id, requisition_id))


# --- the list ----------------------------------------------------------------------------


@login_required
def requisition_list(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        membership = selectors.require_member(user=request.user, company_id=company_id)
    except DomainError as error:
        return render_domain_error(request, error)
    tab = request.GET.get("tab", "mine")
    if tab == "awaiting":
        rows = requisition_reads.awaiting_me(membership=membership)
    elif tab == "all":
        rows = requisition_reads.visible_requisitions(membership=membership)
    else:
        tab = "mine"
        rows = Requisition.objects.filter(company_id=company_id, requester_id=request.user.pk)
    rows = rows.select_related("department", "requester").order_by("-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "procurement/requisitions.html",
        {
            "company": membership.company,
            "tab": tab,
            "tabs": TABS,
            "page": page,
            "awaiting_count": requisition_reads.awaiting_me(membership=membership).count(),
        },
    )


# --- one requisition ---------------------------------------------------------------------


def _visible(
    request: HttpRequest, company_id: int, requisition_id: int
) -> tuple[Requisition, Membership]:
    requisition, membership = requisition_reads.member_requisition(
        user=request.user, requisition_id=requisition_id
    )
    if requisition.company_id != company_id:
        raise DomainError(ProcurementError.REQUISITION_NOT_FOUND)
    return requisition, membership


def _rounds(requisition: Requisition) -> list[dict]:
    found: OrderedDict[int, list] = OrderedDict()
    for step in requisition.steps.all():
        found.setdefault(step.round, []).append(step)
    return [{"number": number, "steps": steps} for number, steps in found.items()]


def _may_decide(request: HttpRequest, requisition: Requisition):
    """The waiting step, when the viewer is one of its assignees who may decide it."""
    if requisition.state != Requisition.State.PENDING:
        return None
    step = rounds.current_step(requisition)
    if step is None:
        return None
    if requisition.requester_id == request.user.pk and not step.allow_self_approval:
        return None
    if not StepAssignee.objects.filter(step=step, user_id=request.user.pk).exists():
        return None
    return step


def _render_detail(
    request: HttpRequest, company_id: int, requisition_id: int, *, status: int = 200
) -> HttpResponse:
    try:
        found, membership = _visible(request, company_id, requisition_id)
    except DomainError as error:
        return render_domain_error(request, error)
    requisition = requisition_reads.with_details(found.pk)
    lines = list(requisition.lines.all())
    mine = requisition.requester_id == request.user.pk
    deciding = _may_decide(request, requisition)
    orders = list(
        RequisitionOrder.objects.filter(requisition=requisition)
        .select_related("order", "merchant", "merchant__merchant_profile")
        .order_by("pk")
    )
    context = {
        "company": membership.company,
        "requisition": requisition,
        "lines": lines,
        "total": requisition.total
        if requisition.state != Requisition.State.DRAFT
        else sum(line.line_total for line in lines),
        "rounds": _rounds(requisition),
        "orders": orders,
        "events": [
            {
                "event": event,
                "words": EVENT_WORDS.get(event.kind, event.kind),
                "from_state": STATE_WORDS.get(event.from_state, event.from_state),
                "to_state": STATE_WORDS.get(event.to_state, event.to_state),
            }
            for event in requisition.events.all()
        ],
        "may_withdraw": mine and lifecycle.allows(requisition, "withdraw"),
        "may_cancel": (mine or selectors.holds_role(membership, Role.ADMIN))
        and lifecycle.allows(requisition, "cancel"),
        "may_place": bool(requisition.placing_error)
        and (mine or selectors.holds_role(membership, Role.FINANCE, requisition.department))
        and lifecycle.allows(requisition, "place"),
        "is_draft": mine and requisition.state == Requisition.State.DRAFT,
        "deciding": deciding,
        "digest": digest.digest(ordering.current_snapshot(requisition)[0]) if deciding else "",
        "place_key": uuid.uuid4(),
        "asked_invoice": terms_reads.asked_invoice(requisition),
    }
    return render(request, "procurement/requisition.html", context, status=status)


@login_required
def detail(request: HttpRequest, company_id: int, requisition_id: int) -> HttpResponse:
    return _render_detail(request, company_id, requisition_id)


def _change(request: HttpRequest, company_id: int, requisition_id: int, work, done: str, to):
    try:
        _visible(request, company_id, requisition_id)
    except DomainError as error:
        return render_domain_error(request, error)
    try:
        work()
    except DomainError as error:
        messages.error(request, error.message)
        return _render_detail(request, company_id, requisition_id, status=error.status)
    except IntegrityError:
        # The requester already has another draft (a new cart) of this company.
        error = DomainError(ProcurementError.REQUISITION_INVALID_STATE)
        messages.error(request, error.message)
        return _render_detail(request, company_id, requisition_id, status=error.status)
    messages.success(request, done)
    return redirect(to)


@login_required
@require_POST
def withdraw(request: HttpRequest, company_id: int, requisition_id: int) -> HttpResponse:
    def work():
        submission.withdraw_requisition(user=request.user, requisition_id=requisition_id)

    return _change(
        request,
        company_id,
        requisition_id,
        work,
        _("Withdrawn: it is your cart again."),
        _cart_url(company_id),
    )


@login_required
@require_POST
def cancel(request: HttpRequest, company_id: int, requisition_id: int) -> HttpResponse:
    def work():
        submission.cancel_requisition(user=request.user, requisition_id=requisition_id)

    return _change(
        request,
        company_id,
        requisition_id,
        work,
        _("Cancelled."),
        _detail_url(company_id, requisition_id),
    )


@login_required
@require_POST
def place(request: HttpRequest, company_id: int, requisition_id: int) -> HttpResponse:
    try:
        _visible(request, company_id, requisition_id)
    except DomainError as error:
        return render_domain_error(request, error)

    def work():
        submission.place_requisition(user=request.user, requisition_id=requisition_id)

    body = form_once(
        request,
        scope="procurement.requisition_place",
        params={"requisition": requisition_id},
        work=work,
    )
    if body is not None:
        messages.success(request, _("Orders placed."))
    return redirect(_detail_url(company_id, requisition_id))
