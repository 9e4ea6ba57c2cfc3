"""The company's purchasing settings: how many days a requisition awaiting approval holds its
stock, and whether a PO number is required and unique. A company-wide admin sets them; a
requisition keeps the PO rule it was submitted under."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from infoconnect.core.errors import DomainError
from infoconnect.procurement import selectors
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Company, Role

if TYPE_CHECKING:
    from infoconnect.accounts.models import User

HOLD_DAYS = range(1, 31)


@transaction.atomic
def update_purchasing_settings(
    *, user: User, company_id: int, hold_days: int, po_required: bool, po_unique: bool
) -> Company:
    membership = selectors.require_role(user=user, company_id=company_id, role=Role.ADMIN)
    if isinstance(hold_days, bool) or not isinstance(hold_days, int) or hold_days not in HOLD_DAYS:
        raise DomainError(ProcurementError.SETTINGS_INVALID)
    if not (isinstance(po_required, bool) and isinstance(po_unique, bool)):
        raise DomainError(ProcurementError.SETTINGS_INVALID)
    company = membership.company
    company.hold_days = hold_days
    company.po_required = po_required
    company.po_unique = po_unique
    company.save(update_fields=["hold_days", "po_required", "po_unique"])
    return company
