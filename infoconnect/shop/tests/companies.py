"""Companies buying in the shop, for its tests: a verified company, its funded wallet, and
orders placed for it as a requisition places them."""

from django.db import transaction

from infoconnect.procurement.actions import companies
from infoconnect.procurement.tests.factories import VALID, make_company
from infoconnect.shop import placing
from infoconnect.shop.models import Order, Sku
from infoconnect.wallet import actions as wallet_actions

ADDRESS = {
    "recipient_name": "Li Lei",
    "province": "SH",
    "city": "Shanghai",
    "district": "Pudong",
    "street": "88 Century Avenue",
    "mobile": "13812345678",
}


def verified_company(make_user, admin, *, name: str = "Huaxia Design", code: str = VALID):
    """A verified company registered by ``admin`` (who may then top up its wallet)."""
    operator = make_user(f"op-{admin.username}", is_staff=True)
    company = make_company(admin, name=name, code=code)
    return companies.verify_company(operator=operator, company_id=company.pk)


def fund_company(company, finance, amount: int) -> None:
    transfer = wallet_actions.open_bank_transfer(user=finance, company_id=company.pk, amount=amount)
    wallet_actions.simulate_bank_transfer(code=transfer.code, amount=amount)


def purchase(
    company, *, po: str = "PO-2026-7", requisition_id: int = 41, department: str = "Design"
) -> placing.CompanyPurchase:
    return placing.CompanyPurchase(
        company_id=company.pk,
        requisition_id=requisition_id,
        company_name=company.legal_name,
        department_name=department,
        po_number=po,
    )


def place(buyer, lines, *, key="req-41", **options) -> list[Order]:
    loaded = [
        (Sku.objects.select_related("product").get(pk=sku.pk), quantity, None)
        for sku, quantity in lines
    ]
    with transaction.atomic():
        return placing.place_orders(
            buyer_id=buyer.pk,
            address=ADDRESS,
            key=key,
            lines=loaded,
            unpaid_minutes=30,
            **options,
        )
