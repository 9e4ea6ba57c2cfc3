"""A company's invoice titles (抬头): added, edited and archived by its finance members and
company-wide admins, and confirmed (verified) by finance once their checks pass.

The taxpayer id is the buyer's unified social credit code, checked with its check character;
the address-and-phone and bank-and-account fields each fit the tax system's 100 GBK bytes; a
general taxpayer's title (the only kind a 专票 is made out to) has all four fields. Editing a
title takes its confirmation away: finance confirms what an invoice will print.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError

from infoconnect.core.errors import CommonError, DomainError
from infoconnect.invoicing.errors import InvoicingError
from infoconnect.invoicing.models import InvoiceTitle
from infoconnect.invoicing.selectors import (
    TITLE_ROLES,
    require_any_role,
    title_of,
)
from infoconnect.procurement.models import Role

if TYPE_CHECKING:
    from infoconnect.accounts.models import User

GBK_LIMIT = 100
NAME_LIMIT = 100


@dataclass(frozen=True)
class TitleFields:
    name: str
    taxpayer_id: str
    address_phone: str = ""
    bank_account: str = ""
    general_taxpayer: bool = False


def field_labels() -> dict[str, str]:
    return {
        "name": _("Name"),
        "taxpayer_id": _("Taxpayer id"),
        "address_phone": _("Registered address and phone"),
        "bank_account": _("Bank and account number"),
    }


def _gbk_bytes(field: str, value: str, limit: int = GBK_LIMIT) -> None:
    label = field_labels()[field]
    try:
        size = len(value.encode("gbk"))
    except UnicodeEncodeError:
        message = _("%(field)s has characters an invoice cannot print.") % {"field": label}
        raise DomainError(InvoicingError.NOT_GBK, message, fields={field: [message]}) from None
    if size > limit:
        message = _(
            "%(field)s takes at most %(limit)d bytes in GBK (a Chinese character takes 2); "
            "this takes %(size)d."
        ) % {"field": label, "limit": limit, "size": size}
        raise DomainError(InvoicingError.FIELD_TOO_LONG_GBK, message, fields={field: [message]})


def clean_fields(fields: TitleFields) -> TitleFields:
    """The fields, trimmed, or the first problem as a DomainError naming its field."""
    name = " ".join((fields.name or "").split())
    if not name:
        message = _("Name is required.")
        raise DomainError(CommonError.VALIDATION, message, fields={"name": [message]})
    if len(name) > NAME_LIMIT:
        message = _("Name may be at most %(n)d characters.") % {"n": NAME_LIMIT}
        raise DomainError(CommonError.VALIDATION, message, fields={"name": [message]})
    _gbk_bytes("name", name, limit=2 * NAME_LIMIT)
    code = (fields.taxpayer_id or "").strip().upper()
    try:
        code = uscc.validate(code)
    except ValidationError:
        message = str(InvoicingError.INVALID_TAXPAYER_ID.message)
        raise DomainError(
            InvoicingError.INVALID_TAXPAYER_ID, fields={"taxpayer_id": [message]}
        ) from None
    address_phone = " ".join((fields.address_phone or "").split())
    bank_account = " ".join((fields.bank_account or "").split())
    _gbk_bytes("address_phone", address_phone)
    _gbk_bytes("bank_account", bank_account)
    general = bool(fields.general_taxpayer)
    if general and not (address_phone and bank_account):
        missing = "address_phone" if not address_phone else "bank_account"
        message = str(InvoicingError.SPECIAL_NEEDS_FIELDS.message)
        raise DomainError(InvoicingError.SPECIAL_NEEDS_FIELDS, fields={missing: [message]})
    return TitleFields(name, code, address_phone, bank_account, general)


@transaction.atomic
def add_title(*, user: User, company_id: int, fields: TitleFields) -> InvoiceTitle:
    membership = require_any_role(user=user, company_id=company_id, roles=TITLE_ROLES)
    clean = clean_fields(fields)
    return InvoiceTitle.objects.create(
        company_id=membership.company_id,
        name=clean.name,
        taxpayer_id=clean.taxpayer_id,
        address_phone=clean.address_phone,
        bank_account=clean.bank_account,
        general_taxpayer=clean.general_taxpayer,
        created_by=user,
    )


def _locked_title(company_id: int, title_id: int) -> InvoiceTitle:
    title = title_of(company_id=company_id, title_id=title_id)
    return InvoiceTitle.objects.select_for_update().get(pk=title.pk)


@transaction.atomic
def edit_title(*, user: User, company_id: int, title_id: int, fields: TitleFields) -> InvoiceTitle:
    """New fields for a title; it needs finance's confirmation again before orders use it."""
    require_any_role(user=user, company_id=company_id, roles=TITLE_ROLES)
    title = _locked_title(company_id, title_id)
    if title.archived_at is not None:
        raise DomainError(InvoicingError.TITLE_ARCHIVED)
    clean = clean_fields(fields)
    title.name = clean.name
    title.taxpayer_id = clean.taxpayer_id
    title.address_phone = clean.address_phone
    title.bank_account = clean.bank_account
    title.general_taxpayer = clean.general_taxpayer
    title.verified_at = None
    title.save(
        update_fields=[
            "name",
            "taxpayer_id",
            "address_phone",
            "bank_account",
            "general_taxpayer",
            "verified_at",
        ]
    )
    return title


@transaction.atomic
def archive_title(*, user: User, company_id: int, title_id: int) -> InvoiceTitle:
    """No new order asks for it; the invoices made out to it keep their copy of it."""
    require_any_role(user=user, company_id=company_id, roles=TITLE_ROLES)
    title = _locked_title(company_id, title_id)
    if title.archived_at is not None:
        raise DomainError(InvoicingError.TITLE_ARCHIVED)
    title.archived_at = timezone.now()
    title.save(update_fields=["archived_at"])
    return title


@transaction.atomic
def verify_title(*, user: User, company_id: int, title_id: int) -> InvoiceTitle:
    """Finance confirms the title's fields are the company's registration; its checks are
    run again, so a title that no longer passes them is never confirmed."""
    require_any_role(user=user, company_id=company_id, roles=(Role.FINANCE,))
    title = _locked_title(company_id, title_id)
    if title.archived_at is not None:
        raise DomainError(InvoicingError.TITLE_ARCHIVED)
    if title.verified_at is not None:
        raise DomainError(InvoicingError.TITLE_INVALID_STATE)
    clean_fields(
        TitleFields(
            title.name,
            title.taxpayer_id,
            title.address_phone,
            title.bank_account,
            title.general_taxpayer,
        )
    )
    title.verified_at = timezone.now()
    title.save(update_fields=["verified_at"])
    return title
