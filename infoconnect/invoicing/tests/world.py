"""A company that buys from a merchant and asks for VAT invoices: Huaxia Design with a
finance member, a verified invoice title, and orders placed, shipped and (when asked)
completed. The order's invoice kind and title are set on it directly, as placing will."""

from dataclasses import dataclass

from django.utils import timezone

from infoconnect.invoicing.actions import titles
from infoconnect.invoicing.models import InvoiceTitle
from infoconnect.procurement.models import Role
from infoconnect.procurement.tests.company_orders import Firm, make_firm, place_order
from infoconnect.procurement.tests.factories import VALID, VALID_2, add
from infoconnect.shop import actions as shop
from infoconnect.shop.models import Order, OrderLine

LAPTOP_CODE = "1090511030000000000"


@dataclass
class World:
    firm: Firm
    finance: object
    title: InvoiceTitle

    @property
    def company(self):
        return self.firm.company

    @property
    def merchant(self):
        return self.firm.merchant


def make_world(
    make_user, *, prefix: str = "", title_name: str = "华夏设计有限公司", code: str = VALID
) -> World:
    firm = make_firm(make_user, prefix=prefix, code=code)
    finance = make_user(f"{prefix}finance")
    add(firm.company, firm.admin, finance, Role.FINANCE)
    title = titles.add_title(
        user=finance,
        company_id=firm.company.pk,
        fields=titles.TitleFields(
            name=title_name,
            taxpayer_id=VALID_2,
            address_phone="上海市徐汇区漕溪路1号 021-64000000",
            bank_account="招商银行上海徐汇支行 121900000010101",
            general_taxpayer=True,
        ),
    )
    title = titles.verify_title(user=finance, company_id=firm.company.pk, title_id=title.pk)
    return World(firm, finance, title)


def ordered(
    world: World,
    *,
    quantity: int = 3,
    kind: str = Order.InvoiceKind.SPECIAL,
    title: InvoiceTitle | None = None,
    tax_rate: int = 1300,
    tax_code: str = LAPTOP_CODE,
    po: str = "PO-1",
) -> Order:
    """A shipped order of the company that asked for an invoice of ``kind``."""
    buyer = world.firm.people["designer"]
    order = place_order(world.firm, buyer, world.firm.design, quantity=quantity, po=po)
    Order.objects.filter(pk=order.pk).update(
        invoice_kind=kind, invoice_title_id=(title or world.title).pk
    )
    OrderLine.objects.filter(order_id=order.pk).update(
        tax_rate=tax_rate, tax_code=tax_code, unit="台"
    )
    return Order.objects.get(pk=order.pk)


def complete(world: World, order: Order, capture) -> Order:
    """The buyer confirms receipt; what the completion queued runs once it commits."""
    with capture(execute=True):
        shop.confirm_receipt(buyer=world.firm.people["designer"], order_id=order.pk)
    return Order.objects.get(pk=order.pk)


def now():
    return timezone.now()
