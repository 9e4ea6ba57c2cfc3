"""A merchant's payment terms (账期) for a company: granted, changed and withdrawn.

Only a verified merchant grants terms, and only to a verified company. The credit limit can
never be set below what the company owes now: the UPDATE itself checks it, so a placement
raising the outstanding amount at the same moment cannot slip under a lowered limit.
Withdrawn terms keep what is owed (the receivables are still paid) but take no new orders.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.procurement.errors import ProcurementError, TermsError
from infoconnect.procurement.models import Company, PaymentTerms
from infoconnect.shop.actions.rules import require_merchant
from infoconnect.shop.errors import ShopError

# At most ¥100,000,000 of credit: far inside every sum the ledger makes.
MAX_CREDIT_LIMIT = 10_000_000_000
MAX_GRACE_DAYS = 90


def clean_net_days(value: object) -> int:
    days = parse_id(value) if value not in (0, "0") else 0
    if days not in PaymentTerms.Net.values:
        raise DomainError(TermsError.NET_DAYS_INVALID)
    return days


def clean_credit_limit(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_CREDIT_LIMIT:
        raise DomainError(TermsError.CREDIT_LIMIT_INVALID)
    return value


def clean_grace_days(value: object) -> int:
    if value in (None, ""):
        return PaymentTerms._meta.get_field("grace_days").default
    days = 0 if value in (0, "0") else parse_id(value)
    if days is None or not 0 <= days <= MAX_GRACE_DAYS:
        raise DomainError(TermsError.GRACE_DAYS_INVALID)
    return days


def _merchant(user: User) -> None:
    try:
        require_merchant(user)
    except DomainError as error:
        if error.error is ShopError.NOT_A_MERCHANT:
            raise DomainError(TermsError.NOT_A_MERCHANT) from None
        raise


def _verified_company(company_id: object) -> Company:
    company = Company.objects.filter(pk=parse_id(company_id)).first()
    if company is None:
        raise DomainError(ProcurementError.COMPANY_NOT_FOUND)
    if company.status != Company.Status.VERIFIED:
        raise DomainError(TermsError.COMPANY_NOT_VERIFIED)
    return company


def own_terms(*, merchant: User, company_id: object) -> PaymentTerms:
    """The merchant's terms for the company (another merchant's are not found)."""
    _merchant(merchant)
    terms = PaymentTerms.objects.filter(merchant_id=merchant.pk, company_id=parse_id(company_id))
    found = terms.select_related("company").first()
    if found is None:
        raise DomainError(TermsError.TERMS_NOT_FOUND)
    return found


@transaction.atomic
def grant_terms(
    *,
    merchant: User,
    company_id: object,
    net_days: object,
    credit_limit: object,
    grace_days: object = None,
) -> PaymentTerms:
    """New terms for a company the merchant has none with (withdrawn ones are granted anew
    through ``update_terms``)."""
    _merchant(merchant)
    company = _verified_company(company_id)
    net, limit, grace = (
        clean_net_days(net_days),
        clean_credit_limit(credit_limit),
        clean_grace_days(grace_days),
    )
    now = timezone.now()
    terms, created = PaymentTerms.objects.get_or_create(
        merchant_id=merchant.pk,
        company=company,
        defaults={
            "net_days": net,
            "credit_limit": limit,
            "grace_days": grace,
            "created_at": now,
            "updated_at": now,
        },
    )
    if not created:
        raise DomainError(TermsError.TERMS_EXIST)
    return terms


@transaction.atomic
def update_terms(
    *,
    merchant: User,
    company_id: object,
    net_days: object,
    credit_limit: object,
    grace_days: object = None,
) -> PaymentTerms:
    """New net days, credit limit and grace period; active again if withdrawn. The net days
    apply to deliveries from now on (a receivable already due keeps its date)."""
    terms = own_terms(merchant=merchant, company_id=company_id)
    if terms.company.status != Company.Status.VERIFIED:
        raise DomainError(TermsError.COMPANY_NOT_VERIFIED)
    net, limit, grace = (
        clean_net_days(net_days),
        clean_credit_limit(credit_limit),
        clean_grace_days(grace_days),
    )
    updated = PaymentTerms.objects.filter(pk=terms.pk, outstanding__lte=limit).update(
        net_days=net, credit_limit=limit, grace_days=grace, active=True, updated_at=timezone.now()
    )
    if not updated:
        raise DomainError(TermsError.LIMIT_BELOW_OUTSTANDING)
    terms.refresh_from_db()
    return terms


@transaction.atomic
def withdraw_terms(*, merchant: User, company_id: object) -> PaymentTerms:
    """No new orders on terms; what is owed stays owed and is paid as before."""
    terms = own_terms(merchant=merchant, company_id=company_id)
    PaymentTerms.objects.filter(pk=terms.pk).update(active=False, updated_at=timezone.now())
    terms.refresh_from_db()
    return terms
