"""Building a requisition: the member's "for company X" cart, its lines and its details.

A draft is made by the first product a buyer adds while acting for the company, from the same
product pages and cards the shop shows. Its lines come from any number of merchants; its
department, ship-to address, PO number and note are set before submitting. Only the
requester changes a draft.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.invoicing.models import Invoice, InvoiceTitle
from infoconnect.procurement.actions.terms_orders import not_on_terms
from infoconnect.procurement.errors import PricingError, ProcurementError, TermsError
from infoconnect.procurement.lifecycle import requisitions
from infoconnect.procurement.models import (
    NOTE_MAX_LENGTH,
    Company,
    Department,
    Membership,
    Requisition,
    RequisitionLine,
    Role,
    RoleAssignment,
    ShipToAddress,
)
from infoconnect.procurement.pricing import Price, company_prices, quantity_problem
from infoconnect.procurement.requisition_reads import member_requisition
from infoconnect.procurement.selectors import ancestor_ids, holds_role, require_member
from infoconnect.procurement.terms_reads import terms_offer
from infoconnect.shop.models import Sku

MAX_QUANTITY = 9999
MAX_LINES = 200
PO_NUMBER_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9./_-]{0,29}\Z")


def buyer_membership(*, user: User, company_id: object) -> Membership:
    """A current member holding the buyer role somewhere, of a verified company."""
    membership = require_member(user=user, company_id=company_id)
    if membership.company.status != Company.Status.VERIFIED:
        raise DomainError(ProcurementError.COMPANY_NOT_VERIFIED)
    if not RoleAssignment.objects.filter(membership=membership, role=Role.BUYER).exists():
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    return membership


def clean_quantity(value: object) -> int:
    quantity = parse_id(value) if not isinstance(value, bool) else None
    if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(ProcurementError.QUANTITY_INVALID)
    return quantity


def _sku_on_sale(sku_id: object) -> Sku:
    pk = parse_id(sku_id)
    sku = Sku.objects.select_related("product", "product__merchant").filter(pk=pk).first()
    if sku is None or not (sku.is_active and sku.product.is_on_sale and sku.product.merchant_sells):
        raise DomainError(ProcurementError.PRODUCT_UNAVAILABLE)
    return sku


def _default_department(membership: Membership) -> Department | None:
    """The department of the member's one department-scoped buyer role, if just one."""
    scoped = list(
        RoleAssignment.objects.filter(
            membership=membership, role=Role.BUYER, department__isnull=False
        ).values_list("department_id", flat=True)[:2]
    )
    return Department.objects.filter(pk=scoped[0]).first() if len(scoped) == 1 else None


def draft_for(membership: Membership) -> Requisition:
    """The member's draft, made when missing (a concurrent maker's wins)."""
    found = Requisition.objects.filter(
        company_id=membership.company_id,
        requester_id=membership.user_id,
        state=Requisition.State.DRAFT,
    ).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return requisitions.create(
                company_id=membership.company_id,
                requester_id=membership.user_id,
                membership=membership,
                department=_default_department(membership),
            )
    except IntegrityError:
        return Requisition.objects.get(
            company_id=membership.company_id,
            requester_id=membership.user_id,
            state=Requisition.State.DRAFT,
        )


@transaction.atomic
def add_to_requisition(
    *, user: User, company_id: object, sku_id: object, quantity: object = 1
) -> RequisitionLine:
    """Add ``quantity`` of a SKU to the member's company cart (more of it if already there)."""
    membership = buyer_membership(user=user, company_id=company_id)
    quantity = clean_quantity(quantity)
    sku = _sku_on_sale(sku_id)
    requisition = draft_for(membership)
    Requisition.objects.select_for_update().filter(pk=requisition.pk).first()
    line = RequisitionLine.objects.filter(requisition=requisition, sku=sku).first()
    if line is not None:
        if line.quantity + quantity > MAX_QUANTITY:
            raise DomainError(ProcurementError.QUANTITY_INVALID)
        RequisitionLine.objects.filter(pk=line.pk).update(quantity=F("quantity") + quantity)
        line.refresh_from_db()
        if not line.locked:
            _reprice(line, sku, requisition.company_id)
    else:
        if requisition.lines.count() >= MAX_LINES:
            raise DomainError(ProcurementError.TOO_MANY_LINES)
        price = _priced(sku, quantity, requisition.company_id)
        line = RequisitionLine.objects.create(
            requisition=requisition,
            sku=sku,
            product=sku.product,
            merchant_id=sku.product.merchant_id,
            category_id=sku.product.category_id,
            title=sku.product.title,
            attributes=sku.attributes,
            unit_price=price.unit_price,
            list_price=price.list_price,
            price_reason=price.reason,
            quantity=quantity,
        )
    Requisition.objects.filter(pk=requisition.pk).update(updated_at=timezone.now())
    return line


def _priced(sku: Sku, quantity: int, company_id: int) -> Price:
    """The company's price for ``quantity`` units, refused when it breaks the list's rule."""
    price = company_prices(company_id=company_id, items=[(sku, quantity)])[0]
    problem = quantity_problem(price=price, quantity=quantity)
    if problem:
        raise DomainError(PricingError.QUANTITY_RULE, problem)
    return price


def _reprice(line: RequisitionLine, sku: Sku, company_id: int) -> None:
    """The line's price for its quantity now (a tier may start or stop applying)."""
    price = _priced(sku, line.quantity, company_id)
    line.unit_price, line.list_price = price.unit_price, price.list_price
    line.price_reason = price.reason
    line.save(update_fields=["unit_price", "list_price", "price_reason"])


def own_draft(*, user: User, requisition_id: object) -> Requisition:
    """The requester's draft, locked; a submitted one cannot change (withdraw it first)."""
    requisition, _membership = member_requisition(
        user=user, requisition_id=requisition_id, lock=True
    )
    if requisition.requester_id != user.pk:
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    if requisition.state != Requisition.State.DRAFT:
        raise DomainError(ProcurementError.REQUISITION_INVALID_STATE)
    return requisition


def _line(requisition: Requisition, line_id: object) -> RequisitionLine:
    line = RequisitionLine.objects.filter(requisition=requisition, pk=parse_id(line_id)).first()
    if line is None:
        raise DomainError(ProcurementError.LINE_NOT_FOUND)
    return line


@transaction.atomic
def set_line_quantity(
    *, user: User, requisition_id: object, line_id: object, quantity: object
) -> RequisitionLine:
    requisition = own_draft(user=user, requisition_id=requisition_id)
    line = _line(requisition, line_id)
    line.quantity = clean_quantity(quantity)
    line.returned_reason = ""
    line.save(update_fields=["quantity", "returned_reason"])
    sku = _line_sku(line)
    if sku is not None and not line.locked:
        _reprice(line, sku, requisition.company_id)
    Requisition.objects.filter(pk=requisition.pk).update(updated_at=timezone.now())
    return line


def _line_sku(line: RequisitionLine) -> Sku | None:
    """The line's SKU while it is on sale (an off-sale line keeps its price until placing
    finds it gone)."""
    if line.sku_id is None:
        return None
    sku = Sku.objects.select_related("product", "product__merchant").filter(pk=line.sku_id).first()
    if sku is None or not (sku.is_active and sku.product.is_on_sale and sku.product.merchant_sells):
        return None
    return sku


@transaction.atomic
def remove_line(*, user: User, requisition_id: object, line_id: object) -> None:
    requisition = own_draft(user=user, requisition_id=requisition_id)
    _line(requisition, line_id).delete()
    Requisition.objects.filter(pk=requisition.pk).update(updated_at=timezone.now())


def clean_po_number(value: object) -> str:
    text = str(value or "").strip()
    if text and not PO_NUMBER_RE.match(text):
        raise DomainError(ProcurementError.PO_NUMBER_INVALID)
    return text


def clean_note(value: object) -> str:
    text = str(value or "").strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise DomainError(ProcurementError.NOTE_TOO_LONG)
    return text


def _department(requisition: Requisition, user: User, department_id: object) -> Department | None:
    if department_id in (None, ""):
        return None
    department = Department.objects.filter(
        company_id=requisition.company_id, pk=parse_id(department_id)
    ).first()
    if department is None:
        raise DomainError(ProcurementError.DEPARTMENT_NOT_FOUND)
    if not holds_role(requisition.membership, Role.BUYER, department):
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    return department


def ship_to_choices(department: Department | None) -> list[ShipToAddress]:
    """The addresses a requisition for ``department`` may ship to: its own and its
    ancestors'."""
    if department is None:
        return []
    return list(
        ShipToAddress.objects.filter(department_id__in=ancestor_ids(department)).order_by(
            "department__path", "pk"
        )
    )


@transaction.atomic
def update_details(
    *,
    user: User,
    requisition_id: object,
    department_id: object = None,
    ship_to_id: object = None,
    po_number: object = "",
    note: object = "",
    payment_method: object = None,
    invoice_kind: object = None,
    invoice_title_id: object = None,
) -> Requisition:
    """Department, ship-to address (the department's or an ancestor's), PO number and note;
    and, when given, the payment method (on terms only if every merchant in it grants the
    company terms) and the VAT invoice its orders ask for (None leaves them as they are)."""
    requisition = own_draft(user=user, requisition_id=requisition_id)
    if payment_method is not None:
        requisition.payment_method = clean_payment_method(requisition, payment_method)
    if invoice_kind is not None:
        requisition.invoice_kind, requisition.invoice_title_id = clean_invoice(
            requisition, invoice_kind, invoice_title_id
        )
    department = _department(requisition, user, department_id)
    ship_to = None
    if ship_to_id not in (None, ""):
        ship_to = next(
            (a for a in ship_to_choices(department) if a.pk == parse_id(ship_to_id)), None
        )
        if ship_to is None:
            raise DomainError(ProcurementError.ADDRESS_NOT_FOUND)
    requisition.department = department
    requisition.ship_to = ship_to
    requisition.po_number = clean_po_number(po_number)
    requisition.note = clean_note(note)
    requisition.updated_at = timezone.now()
    requisition.save(
        update_fields=["department", "ship_to", "po_number", "note", "updated_at",
                       "payment_method", "invoice_kind", "invoice_title_id"]
    )  # fmt: skip
    return requisition


def clean_payment_method(requisition: Requisition, value: object) -> str:
    method = str(value or "")
    if method not in Requisition.Payment.values:
        raise DomainError(TermsError.PAYMENT_METHOD_INVALID)
    if method == Requisition.Payment.ON_TERMS:
        allowed, missing = terms_offer(requisition)
        if not allowed:
            raise not_on_terms([merchant.pk for merchant in missing])
    return method


def clean_invoice(
    requisition: Requisition, kind: object, title_id: object
) -> tuple[str, int | None]:
    """The invoice kind ("" for none) and the company's title, not archived, it names; a
    special invoice only for a title that allows one."""
    kind = str(kind or "")
    if kind and kind not in Invoice.Kind.values:
        raise DomainError(TermsError.INVOICE_KIND_INVALID)
    if not kind:
        return "", None
    if title_id in (None, ""):
        raise DomainError(TermsError.INVOICE_TITLE_REQUIRED)
    title = InvoiceTitle.objects.filter(
        pk=parse_id(title_id), company_id=requisition.company_id, archived_at__isnull=True
    ).first()
    if title is None:
        raise DomainError(TermsError.INVOICE_TITLE_NOT_FOUND)
    if kind == Invoice.Kind.SPECIAL and not title.allows_special:
        raise DomainError(TermsError.SPECIAL_NOT_ALLOWED)
    return kind, title.pk


def absorb_cart(requisition: Requisition) -> int:
    """A requisition coming back to draft (withdrawn, or lines sent back) becomes the
    member's cart again: the lines of a cart they started meanwhile join it (quantities
    added), and that cart goes. Returns how many lines joined."""
    cart = (
        Requisition.objects.select_for_update()
        .filter(
            company_id=requisition.company_id,
            requester_id=requisition.requester_id,
            state=Requisition.State.DRAFT,
        )
        .exclude(pk=requisition.pk)
        .first()
    )
    if cart is None:
        return 0
    mine = {line.sku_id: line for line in RequisitionLine.objects.filter(requisition=requisition)}
    joined = 0
    for line in RequisitionLine.objects.filter(requisition=cart).order_by("pk"):
        same = mine.get(line.sku_id)
        if same is not None:
            RequisitionLine.objects.filter(pk=same.pk).update(
                quantity=Least(F("quantity") + line.quantity, MAX_QUANTITY)
            )
        else:
            RequisitionLine.objects.filter(pk=line.pk).update(requisition=requisition)
        joined += 1
    cart.delete()
    return joined
