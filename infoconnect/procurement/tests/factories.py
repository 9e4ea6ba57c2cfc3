"""Companies, members, departments and images for the procurement tests, made through the
actions (departments with the ORM: this part of the app only reads them)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from stdnum.cn import uscc

from infoconnect.procurement.actions import companies, members
from infoconnect.procurement.models import Company, Department

VALID = "91350100M000100Y43"
VALID_2 = "91110108551385082Q"
WRONG_CHECK = "91350100M000100Y44"


def valid_uscc(n: int) -> str:
    """A distinct valid code for each ``n``."""
    body = f"91110108{n:09d}"
    return body + uscc.calc_check_digit(body)


def make_company(admin, *, name: str = "Huaxia Design Co., Ltd.", code: str | None = None):
    return companies.register_company(user=admin, legal_name=name, uscc=code or VALID)


def add(company: Company, admin, person, *roles: str, department=None):
    """``person`` made a member by ``admin``, holding ``roles`` (over ``department``)."""
    membership = members.add_member(
        admin_user=admin, company_id=company.pk, username=person.username
    )
    for role in roles:
        grant(company, admin, person, role, department=department)
    return membership


def grant(company: Company, admin, person, role: str, department=None):
    return members.grant_role(
        admin_user=admin,
        company_id=company.pk,
        member_user_id=person.pk,
        role=role,
        department_id=department.pk if department else None,
    )


def make_department(company: Company, name: str, parent: Department | None = None):
    department = Department.objects.create(company=company, name=name, parent=parent)
    department.path = f"{parent.path if parent else '/'}{department.pk}/"
    department.save(update_fields=["path"])
    return department


def image_bytes(width=400, height=300, fmt="PNG", **save) -> bytes:
    buffer = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, (width, height), (30, 90, 160)).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def image_upload(width=400, height=300, fmt="PNG", name="licence.png", **save):
    return SimpleUploadedFile(
        name, image_bytes(width, height, fmt, **save), content_type=f"image/{fmt.lower()}"
    )
