"""How an invoice is drafted from what was sold: its lines' names, their VAT, the buyer's and
the seller's blocks, and the invoice row with its lines written in one go."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from infoconnect.accounts.models import MerchantProfile, User
from infoconnect.invoicing.lifecycle import invoices
from infoconnect.invoicing.models import Invoice, InvoicedOrder, InvoiceLine, InvoiceTitle
from infoconnect.invoicing.providers import default_provider_name
from infoconnect.invoicing.vat import split

# The heads of the 税收分类编码 our catalogue carries, longest first: the short name an
# invoice line's 名称 starts with (*计算机*…). Other codes print the product title alone.
CLASSIFICATIONS: tuple[tuple[str, str], ...] = (
    ("1090511", "计算机"),
    ("1090512", "计算机配套产品"),
    ("1090513", "计算机外部设备"),
    ("1090514", "打印机"),
    ("1060201", "纸制品"),
    ("1060512", "办公用品"),
    ("1080503", "文具"),
    ("1030307", "茶叶"),
    ("3040201", "信息技术服务"),
    ("3040203", "软件服务"),
)


def classification(tax_code: str) -> str:
    for prefix, short in CLASSIFICATIONS:
        if tax_code.startswith(prefix):
            return short
    return ""


def line_name(title: str, tax_code: str) -> str:
    short = classification(tax_code or "")
    return (f"*{short}*{title}" if short else title)[:200]


def half_up_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in integers."""
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    n, d = abs(numerator), abs(denominator)
    return sign * ((2 * n + d) // (2 * d))


@dataclass(frozen=True)
class Draft:
    """One line to invoice: a tax-inclusive ``amount`` (negative to reverse) at ``tax_rate``."""

    name: str
    tax_code: str
    spec: str
    unit: str
    quantity: int
    amount: int
    tax_rate: int
    order_id: int | None = None
    order_line_id: int | None = None
    sku_id: int | None = None


def buyer_block(title: InvoiceTitle) -> dict:
    return {
        "name": title.name,
        "taxpayer_id": title.taxpayer_id,
        "address_phone": title.address_phone,
        "bank_account": title.bank_account,
        "general_taxpayer": title.general_taxpayer,
        "special_allowed": title.allows_special,
    }


def seller_block(merchant_id: int) -> dict:
    merchant = User.objects.get(pk=merchant_id)
    profile = MerchantProfile.objects.filter(user_id=merchant_id).first()
    return {
        "name": profile.company_name if profile else merchant.username,
        "taxpayer_id": profile.business_license_number if profile else "",
        "address_phone": profile.contact_phone if profile else "",
        "bank_account": "",
        "issuer": merchant.display_name or merchant.username,
    }


def write_invoice(
    *,
    merchant_id: int,
    company_id: int,
    title: InvoiceTitle,
    kind: str,
    scope: str,
    drafts: Iterable[Draft],
    order_amounts: dict[int, int],
    month: date | None = None,
    original: Invoice | None = None,
) -> Invoice:
    """The invoice, requested, with its lines and the orders it covers; each line's net and
    tax split from its own amount, the totals the lines' sums. Its send job is queued."""
    lines: list[InvoiceLine] = []
    for position, draft in enumerate(drafts, start=1):
        net, tax = split(draft.amount, draft.tax_rate)
        lines.append(
            InvoiceLine(
                position=position,
                order_id=draft.order_id,
                order_line_id=draft.order_line_id,
                sku_id=draft.sku_id,
                name=draft.name,
                tax_code=draft.tax_code,
                spec=draft.spec[:120],
                unit=draft.unit,
                quantity=draft.quantity,
                unit_price=half_up_div(draft.amount, draft.quantity) if draft.quantity else 0,
                amount=draft.amount,
                net=net,
                tax=tax,
                tax_rate=draft.tax_rate,
            )
        )
    invoice = Invoice.objects.create(
        merchant_id=merchant_id,
        company_id=company_id,
        title=title,
        buyer=original.buyer if original else buyer_block(title),
        seller=original.seller if original else seller_block(merchant_id),
        kind=kind,
        scope=scope,
        month=month,
        original=original,
        provider=original.provider if original else default_provider_name(),
        total=sum(line.amount for line in lines),
        net=sum(line.net for line in lines),
        tax=sum(line.tax for line in lines),
    )
    for line in lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)
    InvoicedOrder.objects.bulk_create(
        InvoicedOrder(invoice=invoice, order_id=order_id, amount=amount)
        for order_id, amount in sorted(order_amounts.items())
    )
    invoices.created(invoice)
    return invoice


def live_blue_order_ids(order_ids: Iterable[int]) -> set[int]:
    """Those of ``order_ids`` a blue invoice (requested or issued) already covers."""
    return set(
        InvoicedOrder.objects.filter(order_id__in=list(order_ids), invoice__original__isnull=True)
        .exclude(invoice__state=Invoice.State.REFUSED)
        .values_list("order_id", flat=True)
    )
