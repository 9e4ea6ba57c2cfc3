"""Companies, their members and roles under /v1/companies.

Only a company's current members see it: to anyone else it does not exist (404
``not_a_member``). Only its administrators change its licence, members and roles. None of
these requests moves money, so none takes an ``Idempotency-Key``.
"""

from datetime import datetime

from django.urls import reverse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from infoconnect.api.schemas import ErrorOut, StrictSchema
from infoconnect.procurement import selectors
from infoconnect.procurement.actions import companies as company_actions
from infoconnect.procurement.actions import members as member_actions
from infoconnect.procurement.models import Company, Membership, RoleAssignment

router = Router(tags=["companies"])


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CompanyOut(Schema):
    id: int
    name: str = Field(description="The legal name")
    uscc: str = Field(description="The unified social credit code (统一社会信用代码)")
    status: str = Field(description="pending (waiting for review), verified or suspended")
    status_display: str
    suspension_reason: str | None = Field(
        description="What the operator wrote when suspending it; null unless suspended"
    )
    uscc_check_waived: bool = Field(
        description="An operator accepted a code whose check character fails"
    )
    licence_url: str | None
    created_at: datetime
    verified_at: datetime | None
    url: str

    @staticmethod
    def resolve_name(obj: Company) -> str:
        return obj.legal_name

    @staticmethod
    def resolve_status_display(obj: Company) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_suspension_reason(obj: Company) -> str | None:
        return selectors.suspension_reason(company=obj) or None

    @staticmethod
    def resolve_licence_url(obj: Company) -> str | None:
        return obj.licence.url if obj.licence else None

    @staticmethod
    def resolve_url(obj: Company) -> str:
        return reverse("procurement:company", args=[obj.pk])


class CompanyIn(StrictSchema):
    name: str = Field(description="The legal name, 2 to 200 characters")
    uscc: str = Field(description="18 characters; spaces are ignored, letters upper-cased")


class RoleOut(Schema):
    role: str = Field(description="admin, buyer, approver, finance or viewer")
    department_id: int | None = Field(description="null: over the whole company")
    department_name: str | None
    granted_at: datetime

    @staticmethod
    def resolve_department_name(obj: RoleAssignment) -> str | None:
        return obj.department.name if obj.department_id else None


class RoleIn(StrictSchema):
    role: str
    department_id: int | None = None


class PersonRef(Schema):
    id: int
    username: str
    display_name: str


class MemberOut(Schema):
    user: PersonRef
    joined_at: datetime
    roles: list[RoleOut]

    @staticmethod
    def resolve_roles(obj: Membership) -> list:
        return list(obj.roles.all())


class MemberIn(StrictSchema):
    username: str


@router.post("/v1/companies", response={201: CompanyOut, **ERRORS})
def register_company(request, payload: CompanyIn):
    """Register a company pending review; you become its first administrator."""
    company = company_actions.register_company(
        user=request.auth, legal_name=payload.name, uscc=payload.uscc
    )
    return Status(201, company)


@router.get("/v1/companies", response=list[CompanyOut])
def list_companies(request):
    """The companies you are a current member of."""
    return selectors.companies_of(user=request.auth)


@router.get("/v1/companies/{company_id}", response={200: CompanyOut, **ERRORS})
def get_company(request, company_id: int):
    return selectors.company_for(user=request.auth, company_id=company_id)


@router.post("/v1/companies/{company_id}/licence", response={200: CompanyOut, **ERRORS})
def upload_licence(request, company_id: int, licence: File[UploadedFile]):
    """The business licence image (JPEG, PNG or WebP, at most 8 MB), as multipart
    ``licence``; it is stored re-encoded without its metadata."""
    return company_actions.set_licence(user=request.auth, company_id=company_id, upload=licence)


@router.get("/v1/companies/{company_id}/members", response={200: list[MemberOut], **ERRORS})
def list_members(request, company_id: int):
    company = selectors.company_for(user=request.auth, company_id=company_id)
    return selectors.current_members(company=company)


@router.post("/v1/companies/{company_id}/members", response={201: MemberOut, **ERRORS})
def add_member(request, company_id: int, payload: MemberIn):
    """Add an existing account by username (administrators only)."""
    membership = member_actions.add_member(
        admin_user=request.auth, company_id=company_id, username=payload.username
    )
    return Status(201, membership)


@router.delete("/v1/companies/{company_id}/members/{user_id}", response={204: None, **ERRORS})
def remove_member(request, company_id: int, user_id: int):
    """End a membership (administrators only); it stays in the company's history."""
    member_actions.remove_member(
        admin_user=request.auth, company_id=company_id, member_user_id=user_id
    )
    return Status(204, None)


@router.post("/v1/companies/{company_id}/leave", response={204: None, **ERRORS})
def leave_company(request, company_id: int):
    member_actions.leave_company(user=request.auth, company_id=company_id)
    return Status(204, None)


@router.get(
    "/v1/companies/{company_id}/members/{user_id}/roles", response={200: list[RoleOut], **ERRORS}
)
def list_roles(request, company_id: int, user_id: int):
    selectors.require_member(user=request.auth, company_id=company_id)
    return selectors.roles_of(selectors.member_of(company_id=company_id, user_id=user_id))


@router.post(
    "/v1/companies/{company_id}/members/{user_id}/roles", response={201: RoleOut, **ERRORS}
)
def grant_role(request, company_id: int, user_id: int, payload: RoleIn):
    """Give the member a role over the whole company or (``department_id``) a subtree."""
    assignment = member_actions.grant_role(
        admin_user=request.auth,
        company_id=company_id,
        member_user_id=user_id,
        role=payload.role,
        department_id=payload.department_id,
    )
    return Status(201, assignment)


@router.delete(
    "/v1/companies/{company_id}/members/{user_id}/roles/{role}", response={204: None, **ERRORS}
)
def revoke_role(
    request, company_id: int, user_id: int, role: str, department_id: int | None = None
):
    """Take back a role over the whole company, or with ``?department_id=`` over a subtree."""
    member_actions.revoke_role(
        admin_user=request.auth,
        company_id=company_id,
        member_user_id=user_id,
        role=role,
        department_id=department_id,
    )
    return Status(204, None)
