"""A company whose requisitions placed orders, for the company-orders tests: departments,
members with roles, and orders paid from the company wallet (requisitions and their order
links made with the ORM; placing them is the requisition actions' to test)."""

from dataclasses import dataclass, field

from django.db import transaction

from infoconnect.accounts.models import User
from infoconnect.procurement.actions import companies
from infoconnect.procurement.models import (
    Company,
    Department,
    Membership,
    Requisition,
    RequisitionOrder,
    Role,
)
from infoconnect.procurement.tests.factories import VALID, add, make_company, make_department
from infoconnect.shop import actions as shop
from infoconnect.shop import placing
from infoconnect.shop.models import Order, Sku
from infoconnect.shop.tests.conftest import make_product
from infoconnect.wallet import actions as wallet_actions

ADDRESS = {
    "recipient_name": "Wang Fang",
    "province": "SH",
    "city": "Shanghai",
    "district": "Xuhui",
    "street": "1 Caoxi Road",
    "mobile": "13900001111",
}


@dataclass
class Firm:
    company: Company
    admin: User
    design: Department
    ux: Department
    sales: Department
    people: dict[str, User] = field(default_factory=dict)
    merchant: User | None = None
    skus: list[Sku] = field(default_factory=list)


def make_firm(make_user, *, code: str = VALID, prefix: str = "") -> Firm:
    """Huaxia Design: its admin; Design with UX under it, and Sales; and members
    ``designer`` (buyer over Design), ``ux`` (buyer over UX), ``seller`` (buyer over Sales),
    ``lead`` (approver over Design), ``viewer`` (viewer over the company), ``nobody`` (a member
    without a role); a merchant with two products."""
    admin = make_user(f"{prefix}boss")
    company = make_company(admin, name=f"{prefix}Huaxia Design", code=code)
    company = companies.verify_company(
        operator=make_user(f"{prefix}op", is_staff=True), company_id=company.pk
    )
    design = make_department(company, "Design")
    ux = make_department(company, "UX", parent=design)
    sales = make_department(company, "Sales")
    firm = Firm(company, admin, design, ux, sales)
    for name, role, department in [
        ("designer", Role.BUYER, design),
        ("ux", Role.BUYER, ux),
        ("seller", Role.BUYER, sales),
        ("lead", Role.APPROVER, design),
        ("viewer", Role.VIEWER, None),
    ]:
        person = make_user(f"{prefix}{name}")
        add(company, admin, person, role, department=department)
        firm.people[name] = person
    firm.people["nobody"] = make_user(f"{prefix}nobody")
    add(company, admin, firm.people["nobody"])
    firm.merchant = make_user(f"{prefix}tea", kind="merchant", verified=True)
    for title in ("Longjing", "Tieguanyin"):
        _p, sku = make_product(firm.merchant, title=title, price=2_000, stock=50, max_per_order=9)
        firm.skus.append(sku)
    transfer = wallet_actions.open_bank_transfer(
        user=admin, company_id=company.pk, amount=1_000_000
    )
    wallet_actions.simulate_bank_transfer(code=transfer.code, amount=1_000_000)
    return firm


def place_order(
    firm: Firm,
    buyer: User,
    department: Department | None,
    *,
    quantity: int = 1,
    po: str = "PO-1",
    ship: bool = True,
) -> Order:
    """A requisition of ``buyer``'s for ``department`` (ordered), and the paid order it placed,
    shipped unless ``ship`` is False."""
    membership = Membership.objects.get(company=firm.company, user=buyer, ended_at__isnull=True)
    requisition = Requisition.objects.create(
        company=firm.company,
        requester=buyer,
        membership=membership,
        department=department,
        po_number=po,
        state=Requisition.State.ORDERED,
        total=2_000 * quantity,
    )
    sku = Sku.objects.select_related("product").get(pk=firm.skus[0].pk)
    purchase = placing.CompanyPurchase(
        company_id=firm.company.pk,
        requisition_id=requisition.pk,
        company_name=firm.company.legal_name,
        department_name=department.name if department else "",
        po_number=po,
    )
    with transaction.atomic():
        (order,) = placing.place_orders(
            buyer_id=buyer.pk,
            address=ADDRESS,
            key=f"requisition-{requisition.pk}",
            lines=[(sku, quantity, None)],
            unpaid_minutes=30,
            pay=True,
            company=purchase,
        )
    RequisitionOrder.objects.create(
        requisition=requisition, order=order, merchant=firm.merchant, total=order.total
    )
    if ship:
        shop.ship_order(
            merchant=firm.merchant, order_id=order.pk, carrier="SF", tracking_number=f"SF{order.pk}"
        )
    return Order.objects.get(pk=order.pk)
