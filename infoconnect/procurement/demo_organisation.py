"""The demo company's organisation: Design (设计部) with its Studio cost centre, Operations
(运营部), and a ship-to address for each department.

Made through the departments actions by one of the company's company-wide admins, so the demo
runs the same checks as the page; rows are found again by their natural keys (a name under
its parent, an address's mobile and street), so seeding twice adds nothing.
"""

from __future__ import annotations

from infoconnect.procurement.actions import departments
from infoconnect.procurement.models import Company, Department, Role, RoleAssignment

# name, code, its ship-to address, the cost centres (name, code) under it
ORGANISATION = [
    (
        "Design",
        "DES",
        {
            "label": "Design studio",
            "recipient_name": "Chen Jing",
            "province": "SH",
            "city": "Shanghai",
            "district": "Xuhui",
            "street": "1200 Caoxi North Road, Floor 6",
            "mobile": "13916880001",
        },
        [("Studio", "DES-STU")],
    ),
    (
        "Operations",
        "OPS",
        {
            "label": "Front desk",
            "recipient_name": "Zhao Lei",
            "province": "SH",
            "city": "Shanghai",
            "district": "Xuhui",
            "street": "1200 Caoxi North Road, Floor 1",
            "mobile": "13916880002",
        },
        [],
    ),
]


def _admin_of(company: Company):
    role = (
        RoleAssignment.objects.filter(
            membership__company=company,
            membership__ended_at__isnull=True,
            role=Role.ADMIN,
            department__isnull=True,
        )
        .select_related("membership__user")
        .order_by("pk")
        .first()
    )
    if role is None:
        raise ValueError(f"{company} needs a company-wide admin before its organisation is seeded.")
    return role.membership.user


def _department(company, admin, name, code, *, parent=None, kind=Department.Kind.DEPARTMENT):
    found = Department.objects.filter(company=company, parent=parent, name=name).first()
    if found is not None:
        return found
    return departments.create_department(
        user=admin,
        company_id=company.pk,
        name=name,
        parent_id=parent.pk if parent else None,
        kind=kind,
        code=code,
    )


def seed_organisation(company: Company) -> None:
    admin = _admin_of(company)
    for name, code, address, cost_centres in ORGANISATION:
        department = _department(company, admin, name, code)
        for centre_name, centre_code in cost_centres:
            _department(
                company,
                admin,
                centre_name,
                centre_code,
                parent=department,
                kind=Department.Kind.COST_CENTRE,
            )
        if not department.ship_to_addresses.filter(
            mobile=address["mobile"], street=address["street"]
        ).exists():
            departments.add_ship_to(
                user=admin, company_id=company.pk, department_id=department.pk, **address
            )
