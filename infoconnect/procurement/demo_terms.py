"""Demo data for pay on terms: the merchant (Byte Gadgets) grants the company (Huaxia Design)
Net 30 with a ¥50,000.00 credit limit and the default seven days' grace, through the action;
seeding again leaves the terms as they are."""

from __future__ import annotations

from infoconnect.accounts.models import User
from infoconnect.procurement.actions import terms as terms_actions
from infoconnect.procurement.models import Company, PaymentTerms

DEMO_NET_DAYS = PaymentTerms.Net.NET_30
DEMO_CREDIT_LIMIT = 5_000_000  # ¥50,000.00


def seed_terms(company: Company, merchant: User) -> PaymentTerms:
    found = PaymentTerms.objects.filter(company=company, merchant=merchant).first()
    if found is not None:
        return found
    return terms_actions.grant_terms(
        merchant=merchant,
        company_id=company.pk,
        net_days=DEMO_NET_DAYS,
        credit_limit=DEMO_CREDIT_LIMIT,
    )
