"""The demo company's wallet: ¥50,000.00 brought in by a bank transfer that the sandbox bank
sent under its remittance code, as a real one would arrive. Seeding twice adds nothing."""

from infoconnect.accounts.models import User
from infoconnect.procurement.models import Company
from infoconnect.wallet import actions
from infoconnect.wallet.models import BankTransfer

DEMO_FUNDING = 5_000_000  # ¥50,000.00


def seed_company_wallet(*, company: Company, user: User) -> BankTransfer:
    """Fund ``company``'s wallet once; ``user`` is a finance member or company admin."""
    funded = BankTransfer.objects.filter(
        company=company, amount=DEMO_FUNDING, status=BankTransfer.Status.CREDITED
    ).first()
    if funded is not None:
        return funded
    transfer = actions.open_bank_transfer(user=user, company_id=company.pk, amount=DEMO_FUNDING)
    actions.simulate_bank_transfer(
        code=transfer.code,
        amount=transfer.amount,
        payer_name=company.legal_name,
        notification_id=f"evt_demo_company_topup_{company.pk}",
    )
    transfer.refresh_from_db()
    return transfer
