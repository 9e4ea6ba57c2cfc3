"""A purchasing company to test requisitions with: verified, with Design (and its Studio cost
centre) and Operations, each with a ship-to address; an admin, a buyer in Design, a
company-wide approver and finance member; a rule "Over ¥5,000.00" approved by any approver;
a funded company wallet; and two verified merchants with a product each."""

from __future__ import annotations

from dataclasses import dataclass

from infoconnect.accounts.models import User
from infoconnect.procurement.actions import companies, requisitions, rules, submission
from infoconnect.procurement.actions.rules import ApproverSpec, LevelSpec
from infoconnect.procurement.models import Company, Department, Requisition, ShipToAddress
from infoconnect.procurement.tests.factories import add, make_company, make_department
from infoconnect.shop.models import Sku
from infoconnect.shop.tests.conftest import make_product
from infoconnect.wallet.demo_company import seed_company_wallet

FUNDING = 5_000_000  # ¥50,000.00


@dataclass
class World:
    company: Company
    admin: User
    buyer: User
    approver: User
    finance: User
    operator: User
    design: Department
    studio: Department
    operations: Department
    ship_to: ShipToAddress
    merchant_a: User
    merchant_b: User
    sku_a: Sku  # ¥3,100.00, from merchant A
    sku_b: Sku  # ¥1,550.00, from merchant B


def ship_to(department: Department) -> ShipToAddress:
    return ShipToAddress.objects.create(
        department=department,
        label=department.name,
        recipient_name="Wang Fang",
        province="BJ",
        city="Beijing",
        district="Haidian",
        street="1 Zhongguancun Street",
        mobile="13912345678",
    )


def make_world(make_user, *, threshold: int | None = 500_000) -> World:
    admin = make_user("boss", display_name="Boss")
    operator = make_user("op", is_staff=True, is_superuser=True)
    company = make_company(admin)
    companies.verify_company(operator=operator, company_id=company.pk)
    company.refresh_from_db()
    design = make_department(company, "Design")
    studio = make_department(company, "Studio", parent=design)
    operations = make_department(company, "Operations")
    address = ship_to(design)
    ship_to(operations)
    buyer = make_user("buyer", display_name="Buyer")
    approver = make_user("approver", display_name="Approver")
    finance = make_user("finance", display_name="Finance")
    add(company, admin, buyer, "buyer", department=design)
    add(company, admin, approver, "approver")
    add(company, admin, finance, "finance")
    seed_company_wallet(company=company, user=admin)
    if threshold is not None:
        rules.create_rule(
            user=admin,
            company_id=company.pk,
            name="Over ¥5,000.00",
            min_total=threshold,
            levels=[LevelSpec(mode="any", approvers=[ApproverSpec(role="approver")])],
        )
    merchant_a = make_user("shop_a", kind="merchant", verified=True)
    merchant_b = make_user("shop_b", kind="merchant", verified=True)
    _p, sku_a = make_product(merchant_a, title="Laser printer", price=310_000, stock=20)
    _p, sku_b = make_product(merchant_b, title="Office chair", price=155_000, stock=20)
    return World(
        company, admin, buyer, approver, finance, operator, design, studio, operations, address,
        merchant_a, merchant_b, sku_a, sku_b,
    )  # fmt: skip


def draft(world: World, *items: tuple[Sku, int], po_number: str = "PO-2026-001") -> Requisition:
    """The buyer's draft with ``items`` for Design, shipping to Design's address."""
    line = None
    for sku, quantity in items:
        line = requisitions.add_to_requisition(
            user=world.buyer, company_id=world.company.pk, sku_id=sku.pk, quantity=quantity
        )
    requisition = Requisition.objects.get(pk=line.requisition_id)
    return requisitions.update_details(
        user=world.buyer,
        requisition_id=requisition.pk,
        department_id=world.design.pk,
        ship_to_id=world.ship_to.pk,
        po_number=po_number,
        note="For the new studio",
    )


def submitted(world: World, *items: tuple[Sku, int], po_number: str = "PO-2026-001") -> Requisition:
    requisition = draft(world, *items, po_number=po_number)
    return submission.submit_requisition(user=world.buyer, requisition_id=requisition.pk)
