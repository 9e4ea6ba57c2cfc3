"""The demo's monthly statement: last month's statement from a merchant to Huaxia Design,
issued through the statement action over the orders on terms the demo placed last month
(demo_last_month.py).

It needs the pair's payment terms (the terms demo grants Net 30); without them there is no
statement to issue and nothing is written. Found again by its month, so seeding twice adds
nothing.
"""

from __future__ import annotations

from infoconnect.accounts.models import User
from infoconnect.procurement import statement_reads
from infoconnect.procurement.actions import statements as statement_actions
from infoconnect.procurement.models import Company, Statement

MERCHANT = "bytegadgets"


def seed_statement(*, company: Company, merchant_username: str = MERCHANT) -> Statement | None:
    """Last month's statement of ``merchant_username`` to ``company`` (None without terms)."""
    merchant = User.objects.filter(username=merchant_username).first()
    if merchant is None or not statement_reads.terms_of(
        company_id=company.pk, merchant_id=merchant.pk
    ):
        return None
    month = statement_reads.last_closed_month()
    found = Statement.objects.filter(company=company, merchant=merchant, month=month).first()
    return found or statement_actions.issue_statement(
        merchant=merchant, company_id=company.pk, month=month
    )
