"""The invoicing demo data: Huaxia Design's verified invoice title and one issued 专票 from
Byte Gadgets, for an order its buyer received. The order is placed, paid from the company
wallet, shipped and confirmed through the shop, so the invoice is issued the way every invoice
is. Seeding twice adds nothing (the title is found by name, the invoice by its company and
merchant)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.jobs import in_transaction
from infoconnect.invoicing.actions import titles
from infoconnect.invoicing.actions.sending import send_invoice
from infoconnect.invoicing.models import Invoice, InvoiceTitle
from infoconnect.procurement.models import Company, Membership, Requisition, RequisitionOrder
from infoconnect.shop import actions as shop
from infoconnect.shop import placing
from infoconnect.shop.models import Order, OrderLine, Sku

TITLE = titles.TitleFields(
    name="华夏设计有限公司",
    taxpayer_id="91110108551385082Q",
    address_phone="北京市海淀区中关村大街27号 010-62600000",
    bank_account="招商银行北京中关村支行 110900000010808",
    general_taxpayer=True,
)
COMPUTER_CODE = "1090511030000000000"
ADDRESS = {
    "recipient_name": "Qian Lei",
    "province": "BJ",
    "city": "Beijing",
    "district": "Haidian",
    "street": "27 Zhongguancun Street",
    "mobile": "13900001111",
}


def seed_title(*, company: Company, finance: User) -> InvoiceTitle:
    title = InvoiceTitle.objects.filter(company=company, name=TITLE.name).first()
    if title is None:
        title = titles.add_title(user=finance, company_id=company.pk, fields=TITLE)
    if title.verified_at is None:
        title = titles.verify_title(user=finance, company_id=company.pk, title_id=title.pk)
    return title


def _place(*, company: Company, buyer: User, merchant: User, title: InvoiceTitle) -> Order:
    membership = Membership.objects.get(company=company, user=buyer, ended_at__isnull=True)
    sku = Sku.objects.select_related("product").filter(product__merchant=merchant).first()
    with transaction.atomic():
        requisition = Requisition.objects.create(
            company=company,
            requester=buyer,
            membership=membership,
            po_number="PO-DEMO-INV",
            state=Requisition.State.ORDERED,
            total=sku.price,
        )
        (order,) = placing.place_orders(
            buyer_id=buyer.pk,
            address=ADDRESS,
            key=f"demo-invoice-{company.pk}",
            lines=[(sku, 1, None)],
            unpaid_minutes=30,
            pay=True,
            company=placing.CompanyPurchase(
                company_id=company.pk,
                requisition_id=requisition.pk,
                company_name=company.legal_name,
                department_name="",
                po_number="PO-DEMO-INV",
            ),
        )
        RequisitionOrder.objects.create(
            requisition=requisition, order=order, merchant=merchant, total=order.total
        )
        Order.objects.filter(pk=order.pk).update(
            invoice_kind=Order.InvoiceKind.SPECIAL, invoice_title_id=title.pk
        )
        OrderLine.objects.filter(order_id=order.pk, tax_code="").update(
            tax_code=COMPUTER_CODE, unit="个"
        )
    shop.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="SF0001")
    shop.confirm_receipt(buyer=buyer, order_id=order.pk)
    return order


def seed_invoice(*, company: Company, finance: User, buyer: User, merchant: User) -> Invoice:
    """One issued invoice for ``company`` from ``merchant`` (an order ``buyer`` received)."""
    title = seed_title(company=company, finance=finance)
    invoice = Invoice.objects.filter(company=company, merchant=merchant).order_by("pk").first()
    if invoice is None:
        _place(company=company, buyer=buyer, merchant=merchant, title=title)
        invoice = Invoice.objects.filter(company=company, merchant=merchant).order_by("pk").first()
    if invoice.state == Invoice.State.REQUESTED and not in_transaction():
        # The provider is asked outside any transaction; inside one, the sweep asks later.
        send_invoice(invoice_id=invoice.pk, now=timezone.now())
        invoice.refresh_from_db()
    return invoice
