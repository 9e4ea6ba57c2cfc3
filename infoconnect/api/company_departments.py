"""A company's organisation under /v1/companies/{id}/departments: the tree of departments and
cost centres as a flat list in tree order, and each one's ship-to addresses.

Every current member reads; an admin over the department (or over the whole company, for the
top level) writes. Not a member is a 404 (``not_a_member``), a member without that admin
scope a 403 (``role_required``), bad input a 422 naming its fields.
"""

from typing import Literal

from ninja import Router, Schema, Status

from infoconnect.api.schemas import ErrorOut, StrictSchema
from infoconnect.procurement import selectors
from infoconnect.procurement.actions import departments
from infoconnect.procurement.models import Department

router = Router(tags=["companies"])


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class DepartmentOut(Schema):
    id: int
    parent_id: int | None
    name: str
    kind: str
    code: str
    path: str
    depth: int
    children_count: int
    ship_to_count: int


class DepartmentIn(StrictSchema):
    name: str
    parent_id: int | None = None
    kind: Literal["department", "cost_centre"] = "department"
    code: str = ""


class DepartmentPatch(StrictSchema):
    """Any of: a new name, a new code, a new parent (null: directly under the company)."""

    name: str | None = None
    code: str | None = None
    parent_id: int | None = None


class ShipToOut(Schema):
    id: int
    department_id: int
    label: str
    recipient_name: str
    province: str
    city: str
    district: str
    street: str
    mobile: str


class ShipToIn(StrictSchema):
    label: str = ""
    recipient_name: str
    province: str
    city: str
    district: str
    street: str
    mobile: str


class ShipToPatch(StrictSchema):
    label: str | None = None
    recipient_name: str | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    street: str | None = None
    mobile: str | None = None


def _department(user, company_id: int, department_id: int) -> Department:
    membership = selectors.require_member(user=user, company_id=company_id)
    return selectors.department_summary(membership=membership, department_id=department_id)


# --- departments ----------------------------------------------------------------------------


@router.get("/v1/companies/{company_id}/departments", response={200: list[DepartmentOut], **ERRORS})
def list_departments(request, company_id: int):
    """The whole tree, depth first (each department before its children)."""
    membership = selectors.require_member(user=request.auth, company_id=company_id)
    return selectors.department_tree(membership=membership)


@router.post("/v1/companies/{company_id}/departments", response={201: DepartmentOut, **ERRORS})
def create_department(request, company_id: int, payload: DepartmentIn):
    """A department or cost centre (a cost centre holds nothing) under ``parent_id``, or
    directly under the company."""
    department = departments.create_department(
        user=request.auth,
        company_id=company_id,
        name=payload.name,
        parent_id=payload.parent_id,
        kind=payload.kind,
        code=payload.code,
    )
    return Status(201, _department(request.auth, company_id, department.pk))


@router.patch(
    "/v1/companies/{company_id}/departments/{department_id}",
    response={200: DepartmentOut, **ERRORS},
)
def update_department(request, company_id: int, department_id: int, payload: DepartmentPatch):
    """Rename and/or move (with its subtree), all or nothing; ``"parent_id": null`` moves it
    to the top level, leaving ``parent_id`` out keeps it where it is."""
    departments.update_department(
        user=request.auth,
        company_id=company_id,
        department_id=department_id,
        name=payload.name,
        code=payload.code,
        new_parent_id=(
            payload.parent_id if "parent_id" in payload.model_fields_set else departments.KEEP
        ),
    )
    return _department(request.auth, company_id, department_id)


@router.delete(
    "/v1/companies/{company_id}/departments/{department_id}", response={204: None, **ERRORS}
)
def delete_department(request, company_id: int, department_id: int):
    """Only an empty department: nothing under it, no ship-to addresses, no roles on it."""
    departments.delete_department(
        user=request.auth, company_id=company_id, department_id=department_id
    )
    return Status(204, None)


# --- ship-to addresses ----------------------------------------------------------------------


@router.get(
    "/v1/companies/{company_id}/departments/{department_id}/ship_to",
    response={200: list[ShipToOut], **ERRORS},
)
def list_ship_to(request, company_id: int, department_id: int):
    membership = selectors.require_member(user=request.auth, company_id=company_id)
    return selectors.ship_to_addresses(membership=membership, department_id=department_id)


@router.post(
    "/v1/companies/{company_id}/departments/{department_id}/ship_to",
    response={201: ShipToOut, **ERRORS},
)
def add_ship_to(request, company_id: int, department_id: int, payload: ShipToIn):
    address = departments.add_ship_to(
        user=request.auth, company_id=company_id, department_id=department_id, **payload.dict()
    )
    return Status(201, address)


@router.patch(
    "/v1/companies/{company_id}/departments/{department_id}/ship_to/{address_id}",
    response={200: ShipToOut, **ERRORS},
)
def update_ship_to(
    request, company_id: int, department_id: int, address_id: int, payload: ShipToPatch
):
    """Change the fields sent; the others stay."""
    return departments.update_ship_to(
        user=request.auth,
        company_id=company_id,
        department_id=department_id,
        address_id=address_id,
        **payload.dict(exclude_unset=True),
    )


@router.delete(
    "/v1/companies/{company_id}/departments/{department_id}/ship_to/{address_id}",
    response={204: None, **ERRORS},
)
def delete_ship_to(request, company_id: int, department_id: int, address_id: int):
    departments.delete_ship_to(
        user=request.auth,
        company_id=company_id,
        department_id=department_id,
        address_id=address_id,
    )
    return Status(204, None)
