"""The company's organisation: a tree of departments and cost centres, and each one's
ship-to addresses.

Every member reads the tree (selectors); only an admin changes it: a company-wide admin
anywhere, an admin given on a department over that department's subtree. A top-level
department needs a company-wide admin. A suspended company's admins still organise: the
company's review gates buying, not this.

A department's materialized ``path`` ("/<root id>/…/<own id>/") is written in the transaction
that makes or moves it. The tree's shape changes (create, move, delete) take the company row's
lock, so they never interleave: a move rewrites its subtree's paths in one UPDATE, and a child
created in that subtree meanwhile would keep its old path.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, Max, Value, When
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext_lazy as _

from infoconnect.core.errors import CommonError, DomainError
from infoconnect.core.validation import full_clean
from infoconnect.procurement import selectors
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import (
    ApprovalRule,
    Budget,
    Company,
    Department,
    LevelApprover,
    Membership,
    Role,
    RoleAssignment,
    ShipToAddress,
)

if TYPE_CHECKING:
    from infoconnect.accounts.models import User

PATH_MAX_LENGTH = Department._meta.get_field("path").max_length
ADDRESS_FIELDS = ("label", "recipient_name", "province", "city", "district", "street", "mobile")


class Keep(Enum):
    KEEP = "keep"


# ``update_department(new_parent_id=KEEP)``: leave the department where it is.
KEEP = Keep.KEEP


# --- shared checks --------------------------------------------------------------------------


def invalid(field: str, message: str) -> DomainError:
    """A 422 naming the one input that is wrong."""
    return DomainError(
        CommonError.VALIDATION, f"{field}: {message}", fields={field: [str(message)]}
    )


def require_admin(membership: Membership, department: Department | None) -> None:
    """An admin over ``department``'s subtree, or (None) over the whole company."""
    if not selectors.holds_role(membership, Role.ADMIN, department):
        raise DomainError(ProcurementError.ROLE_REQUIRED)


def admin_department(
    *, user: User, company_id: int, department_id: int, lock: bool = False
) -> Department:
    """The company's department, when ``user`` is an admin over it."""
    membership = selectors.require_member(user=user, company_id=company_id)
    department = selectors.department_for(
        membership=membership, department_id=department_id, lock=lock
    )
    require_admin(membership, department)
    return department


def lock_tree(company_id: int) -> None:
    """Serialise the changes of one company's tree shape (see the module's docstring).

    NO KEY: rows that refer to the company (members, reviews) may still be added meanwhile."""
    list(Company.objects.select_for_update(no_key=True).filter(pk=company_id).values_list("pk"))


def _saved(department: Department, **save_kwargs) -> None:
    # The unique constraints decide a name taken among siblings, even for two at once.
    try:
        with transaction.atomic():
            department.save(**save_kwargs)
    except IntegrityError:
        raise DomainError(ProcurementError.DEPARTMENT_NAME_TAKEN) from None


def _check_parent(parent: Department | None) -> None:
    if parent is not None and parent.kind == Department.Kind.COST_CENTRE:
        raise invalid("parent_id", _("A cost centre holds nothing; choose a department."))


def _check_path_length(length: int) -> None:
    if length > PATH_MAX_LENGTH:
        raise invalid("parent_id", _("The tree is too deep there."))


# --- departments ----------------------------------------------------------------------------


@transaction.atomic
def create_department(
    *,
    user: User,
    company_id: int,
    name: str,
    parent_id: int | None = None,
    kind: str = Department.Kind.DEPARTMENT,
    code: str = "",
) -> Department:
    """A department or cost centre under ``parent_id`` (None: directly under the company)."""
    membership = selectors.require_member(user=user, company_id=company_id)
    lock_tree(membership.company_id)
    parent = None
    if parent_id is not None:
        parent = selectors.department_for(membership=membership, department_id=parent_id)
    require_admin(membership, parent)
    _check_parent(parent)
    department = Department(
        company_id=membership.company_id,
        parent=parent,
        name=(name or "").strip(),
        kind=kind,
        code=(code or "").strip(),
    )
    full_clean(department, exclude=["company", "parent", "path"])
    _saved(department)
    department.path = f"{parent.path if parent else '/'}{department.pk}/"
    _check_path_length(len(department.path))
    department.save(update_fields=["path"])
    return department


@transaction.atomic
def rename_department(
    *,
    user: User,
    company_id: int,
    department_id: int,
    name: str | None,
    code: str | None = None,
) -> Department:
    """A new name, unique among its siblings, and (unless None) a new code; a None name keeps
    the name."""
    department = admin_department(
        user=user, company_id=company_id, department_id=department_id, lock=True
    )
    if name is not None:
        department.name = name.strip()
    if code is not None:
        department.code = code.strip()
    full_clean(department, exclude=["company", "parent", "path"])
    _saved(department, update_fields=["name", "code"])
    return department


@transaction.atomic
def move_department(
    *, user: User, company_id: int, department_id: int, new_parent_id: int | None
) -> Department:
    """Put the department and its whole subtree under ``new_parent_id`` (None: the top level).

    The member must be an admin where it is and where it goes. Every path in the subtree is
    rewritten, with the department's parent, in one UPDATE."""
    membership = selectors.require_member(user=user, company_id=company_id)
    lock_tree(membership.company_id)
    department = selectors.department_for(membership=membership, department_id=department_id)
    new_parent = None
    if new_parent_id is not None:
        new_parent = selectors.department_for(membership=membership, department_id=new_parent_id)
    require_admin(membership, department)
    require_admin(membership, new_parent)
    new_parent_pk = new_parent.pk if new_parent else None
    if new_parent_pk == department.parent_id:
        return department
    if new_parent is not None and new_parent.path.startswith(department.path):
        raise invalid(
            "parent_id", _("A department cannot move under itself or into its own subtree.")
        )
    _check_parent(new_parent)
    old_prefix = department.path
    new_prefix = f"{new_parent.path if new_parent else '/'}{department.pk}/"
    subtree = Department.objects.filter(
        company_id=membership.company_id, path__startswith=old_prefix
    )
    longest = subtree.aggregate(longest=Max(Length("path")))["longest"] or len(old_prefix)
    _check_path_length(longest - len(old_prefix) + len(new_prefix))
    try:
        with transaction.atomic():
            subtree.update(
                path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1)),
                parent_id=Case(
                    When(pk=department.pk, then=Value(new_parent_pk)),
                    default=F("parent_id"),
                    output_field=models.BigIntegerField(),
                ),
            )
    except IntegrityError:
        raise DomainError(ProcurementError.DEPARTMENT_NAME_TAKEN) from None
    department.refresh_from_db()
    return department


@transaction.atomic
def update_department(
    *,
    user: User,
    company_id: int,
    department_id: int,
    name: str | None = None,
    code: str | None = None,
    new_parent_id: int | None | Keep = KEEP,
) -> Department:
    """Rename and/or move in one step: all of it, or (on any error) none of it. None keeps
    the name or the code; KEEP keeps the place."""
    department = None
    if new_parent_id is not KEEP:
        department = move_department(
            user=user,
            company_id=company_id,
            department_id=department_id,
            new_parent_id=new_parent_id,
        )
    if name is not None or code is not None:
        department = rename_department(
            user=user, company_id=company_id, department_id=department_id, name=name, code=code
        )
    if department is None:
        # Nothing to change is still a change only an admin may ask for.
        department = admin_department(user=user, company_id=company_id, department_id=department_id)
    return department


@transaction.atomic
def delete_department(*, user: User, company_id: int, department_id: int) -> None:
    """Delete an empty department: no departments under it, no ship-to addresses, no
    budget, and no role, approval rule or approver given on it (so nothing loses its
    scope)."""
    membership = selectors.require_member(user=user, company_id=company_id)
    lock_tree(membership.company_id)
    department = selectors.department_for(
        membership=membership, department_id=department_id, lock=True
    )
    require_admin(membership, department)
    if (
        Department.objects.filter(parent_id=department.pk).exists()
        or ShipToAddress.objects.filter(department_id=department.pk).exists()
        or RoleAssignment.objects.filter(department_id=department.pk).exists()
        or ApprovalRule.objects.filter(department_id=department.pk).exists()
        or LevelApprover.objects.filter(department_id=department.pk).exists()
        or Budget.objects.filter(department_id=department.pk).exists()
    ):
        raise DomainError(ProcurementError.DEPARTMENT_NOT_EMPTY)
    Department.objects.filter(pk=department.pk).delete()


# --- ship-to addresses ----------------------------------------------------------------------


def _address_value(field: str, value: str) -> str:
    value = (value or "").strip()
    return value.upper() if field == "province" else value


@transaction.atomic
def add_ship_to(
    *,
    user: User,
    company_id: int,
    department_id: int,
    label: str,
    recipient_name: str,
    province: str,
    city: str,
    district: str,
    street: str,
    mobile: str,
) -> ShipToAddress:
    """A ship-to address for the department, checked by the rules of a person's address."""
    # The department's lock: a delete running now either sees this address or refuses it.
    department = admin_department(
        user=user, company_id=company_id, department_id=department_id, lock=True
    )
    values = {
        "label": label,
        "recipient_name": recipient_name,
        "province": province,
        "city": city,
        "district": district,
        "street": street,
        "mobile": mobile,
    }
    address = ShipToAddress(
        department=department, **{f: _address_value(f, v) for f, v in values.items()}
    )
    full_clean(address, exclude=["department"])
    address.save()
    return address


@transaction.atomic
def update_ship_to(
    *,
    user: User,
    company_id: int,
    department_id: int,
    address_id: int,
    label: str | None = None,
    recipient_name: str | None = None,
    province: str | None = None,
    city: str | None = None,
    district: str | None = None,
    street: str | None = None,
    mobile: str | None = None,
) -> ShipToAddress:
    """Change the fields given (None: keep), checked as a new address is."""
    department = admin_department(user=user, company_id=company_id, department_id=department_id)
    address = selectors.ship_to_for(department=department, address_id=address_id, lock=True)
    changes = {
        "label": label,
        "recipient_name": recipient_name,
        "province": province,
        "city": city,
        "district": district,
        "street": street,
        "mobile": mobile,
    }
    changed = [field for field, value in changes.items() if value is not None]
    for field in changed:
        setattr(address, field, _address_value(field, changes[field]))
    full_clean(address, exclude=["department"])
    if changed:
        address.save(update_fields=changed)
    return address


@transaction.atomic
def delete_ship_to(*, user: User, company_id: int, department_id: int, address_id: int) -> None:
    department = admin_department(user=user, company_id=company_id, department_id=department_id)
    address = selectors.ship_to_for(department=department, address_id=address_id)
    ShipToAddress.objects.filter(pk=address.pk).delete()
