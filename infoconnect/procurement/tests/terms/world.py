"""A company buying on terms: the requisitions world without approval rules (a submit places
the orders at once), and helpers to grant terms and place a requisition on them."""

from __future__ import annotations

from infoconnect.invoicing.models import InvoiceTitle
from infoconnect.procurement.actions import requisitions, submission, terms
from infoconnect.procurement.models import PaymentTerms, Requisition
from infoconnect.procurement.tests.requisitions.world import World, draft
from infoconnect.shop import actions as shop
from infoconnect.shop.models import Order, Sku
from infoconnect.wallet.models import AccountKind, LedgerAccount


def grant(world: World, merchant, *, net_days: int = 30, limit: int = 1_000_000, grace=None):
    return terms.grant_terms(
        merchant=merchant,
        company_id=world.company.pk,
        net_days=net_days,
        credit_limit=limit,
        grace_days=grace,
    )


def plain_and_full_titles(world: World) -> tuple[InvoiceTitle, InvoiceTitle]:
    """The company's ordinary-only invoice title and one with the four fields a 专票 needs."""
    plain = InvoiceTitle.objects.create(
        company=world.company, name="Huaxia", taxpayer_id="91110000600037341L",
        created_by=world.admin,
    )  # fmt: skip
    full = InvoiceTitle.objects.create(
        company=world.company, name="Huaxia Design", taxpayer_id="91110000600037341L",
        address_phone="Beijing 010-1234", bank_account="ICBC 0200", general_taxpayer=True,
        created_by=world.admin,
    )  # fmt: skip
    return plain, full


def on_terms(world: World, *items: tuple[Sku, int], po_number: str = "PO-1") -> Requisition:
    """The buyer's requisition of ``items`` on terms, submitted (placed at once: no rule)."""
    requisition = draft(world, *items, po_number=po_number)
    requisitions.update_details(
        user=world.buyer,
        requisition_id=requisition.pk,
        department_id=world.design.pk,
        ship_to_id=world.ship_to.pk,
        po_number=po_number,
        payment_method="on_terms",
    )
    return submission.submit_requisition(user=world.buyer, requisition_id=requisition.pk)


def deliver(order: Order, world: World) -> Order:
    """The merchant ships it and the buyer confirms receipt."""
    merchant = world.merchant_a if order.merchant_id == world.merchant_a.pk else world.merchant_b
    shop.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="SF1")
    return shop.confirm_receipt(buyer=world.buyer, order_id=order.pk)


def balance(kind: str, owner_id: int) -> int:
    account = LedgerAccount.objects.filter(kind=kind, owner_id=owner_id).first()
    return account.balance if account else 0


def outstanding(world: World, merchant) -> int:
    return PaymentTerms.objects.get(company=world.company, merchant=merchant).outstanding


def company_wallet(world: World) -> int:
    return balance(AccountKind.COMPANY_WALLET, world.company.pk)
