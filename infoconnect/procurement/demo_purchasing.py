"""The demo company's purchasing: this month's budgets for Design (¥20,000.00) and Operations
(¥10,000.00), and huaxia_buyer's requisition for Design from two demo merchants (¥5,270.00,
PO HX-2026-0001) waiting in huaxia_approver's inbox.

The budgets are this Shanghai month's rows, found again by department, period and first day;
the requisition is built and submitted through the requisition actions, so its approval step,
stock holds and the approver's inbox message are the ones a real submission makes. It is found
again by its PO number, so seeding twice adds nothing.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from infoconnect.accounts.models import User
from infoconnect.procurement.actions import requisitions, submission
from infoconnect.procurement.dashboard_reads import today
from infoconnect.procurement.models import Budget, Company, Department, Requisition
from infoconnect.shop.models import Sku

BUYER = "huaxia_buyer"
PO_NUMBER = "HX-2026-0001"
NOTE = "Keyboards for the new design studio, and tea for the client room."
# department name, monthly amount in fen
BUDGETS = [("Design", 2_000_000), ("Operations", 1_000_000)]
# merchant, product title, the SKU's attributes, quantity: ¥3,290.00 + ¥1,980.00
LINES = [
    ("bytegadgets", "87-key mechanical keyboard", {"switches": "brown"}, 10),
    ("greentea_shop", "Biluochun green tea", {"weight": "250 g"}, 10),
]


def month_bounds(on: date) -> tuple[date, date]:
    """The first day of ``on``'s month and of the month after."""
    first = on.replace(day=1)
    return first, date(first.year + first.month // 12, first.month % 12 + 1, 1)


def seed_budgets(company: Company) -> None:
    starts_on, ends_on = month_bounds(today())
    for name, amount in BUDGETS:
        department = Department.objects.get(company=company, parent=None, name=name)
        Budget.objects.get_or_create(
            department=department,
            period=Budget.Period.MONTH,
            starts_on=starts_on,
            defaults={"company": company, "ends_on": ends_on, "amount": amount},
        )


def _sku(merchant: str, title: str, attributes: dict) -> Sku:
    return Sku.objects.get(
        product__merchant__username=merchant, product__title=title, attributes=attributes
    )


def submit_for_design(
    company: Company,
    buyer: User,
    lines: list[tuple[Sku, int]],
    *,
    po_number: str,
    note: str,
    payment_method: str | None = None,
) -> Requisition:
    """The buyer's cart of ``lines`` for Design, shipping to Design's address, submitted."""
    line = None
    for sku, quantity in lines:
        line = requisitions.add_to_requisition(
            user=buyer, company_id=company.pk, sku_id=sku.pk, quantity=quantity
        )
    design = Department.objects.get(company=company, parent=None, name="Design")
    requisitions.update_details(
        user=buyer,
        requisition_id=line.requisition_id,
        department_id=design.pk,
        ship_to_id=design.ship_to_addresses.order_by("pk").values_list("pk", flat=True).first(),
        po_number=po_number,
        note=note,
        payment_method=payment_method,
    )
    return submission.submit_requisition(user=buyer, requisition_id=line.requisition_id)


@transaction.atomic
def seed_requisition(company: Company) -> Requisition:
    found = Requisition.objects.filter(company=company, po_number=PO_NUMBER).first()
    if found is not None:
        return found
    return submit_for_design(
        company,
        User.objects.get(username=BUYER),
        [(_sku(*line[:3]), line[3]) for line in LINES],
        po_number=PO_NUMBER,
        note=NOTE,
    )


def seed_purchasing(company: Company) -> None:
    seed_budgets(company)
    seed_requisition(company)
