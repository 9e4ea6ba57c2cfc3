"""What a statement shows: its lines with net and tax and their invoice numbers, pages of
lines, payments and credit notes; and the VAT split."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infoconnect.core.errors import DomainError
from infoconnect.invoicing.models import Invoice, InvoicedOrder, InvoiceLine, InvoiceTitle
from infoconnect.invoicing.vat import split
from infoconnect.procurement import statement_reads
from infoconnect.procurement.actions import statements as actions
from infoconnect.procurement.tests.statements.world import at, credit, order_on_terms, payment


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from([1300, 900, 600, 0]))
def test_net_and_tax_always_add_up_and_net_rounds_half_up(amount, rate):
    net, tax = split(amount, rate)
    assert net + tax == amount
    # net = round-half-up(amount * 10000 / (10000 + rate)), in integers.
    assert net == (2 * amount * 10000 + (10000 + rate)) // (2 * (10000 + rate))


def test_split_of_known_amounts():
    assert split(11_300, 1300) == (10_000, 1_300)
    assert split(100, 1300) == (88, 12)
    assert split(4_550, 600) == (4_292, 258)
    assert split(999, 0) == (999, 0)


pytestmark = pytest.mark.django_db


def invoice(w, order, number, *, scope="order", month=None, state="issued"):
    title = InvoiceTitle.objects.create(
        company=w.company, name="华夏设计有限公司", taxpayer_id="91350100M000100Y43",
        created_by=w.finance,
    )  # fmt: skip
    issued = Invoice.objects.create(
        merchant=w.merchant_a, company=w.company, title=title, kind="normal", scope=scope,
        month=month, state=state, provider="sandbox", number=number, total=order.total,
        net=order.total, tax=0,
    )  # fmt: skip
    # The orders it covers, as invoicing records them (a merged line names no order).
    InvoicedOrder.objects.create(invoice=issued, order_id=order.pk, amount=order.total)
    if scope == "order":
        InvoiceLine.objects.create(
            invoice=issued, position=1, order_id=order.pk, name="*计算机*打印机", quantity=1,
            unit_price=order.total, amount=order.total, net=order.total, tax=0, tax_rate=0,
        )  # fmt: skip
    return issued


def test_lines_show_who_what_net_tax_and_invoice(w, toner):
    first = order_on_terms(
        w, [(w.sku_a, 2, 1300), (toner, 3, 600)], placed_at=at(w.month, 2), po_number="PO-7"
    )
    second = order_on_terms(w, [(w.sku_a, 1, 1300)], placed_at=at(w.month, 9))
    monthly = order_on_terms(w, [(toner, 1, 600)], placed_at=at(w.month, 11))
    monthly.completed_at = at(w.month, 20)
    monthly.save(update_fields=["completed_at"])
    invoice(w, first, "26110000000000000001")
    invoice(w, second, "26110000000000000002", state="refused")
    invoice(w, monthly, "26110000000000000003", scope="monthly", month=w.month)
    statement = actions.issue_statement(
        merchant=w.merchant_a, company_id=w.company.pk, month=w.month
    )

    lines = statement_reads.statement_lines(statement)

    assert [
        (x.order_id, x.po_number, x.requester, x.department, x.item, x.quantity, x.unit_price,
         x.amount, x.net, x.rate_percent, x.tax, x.invoice_label)
        for x in lines
    ] == [
        (first.pk, "PO-7", "Buyer", "设计部", "Laser printer (colour: red)", 2, 310_000, 620_000,
         548_673, "13%", 71_327, "26110000000000000001"),
        (first.pk, "PO-7", "Buyer", "设计部", "硒鼓 Toner (colour: red)", 3, 4_550, 13_650,
         12_877, "6%", 773, "26110000000000000001"),
        (second.pk, "PO-2026-001", "Buyer", "设计部", "Laser printer (colour: red)", 1, 310_000,
         310_000, 274_336, "13%", 35_664, "not invoiced"),
        (monthly.pk, "PO-2026-001", "Buyer", "设计部", "硒鼓 Toner (colour: red)", 1, 4_550,
         4_550, 4_292, "6%", 258, "26110000000000000003"),
    ]  # fmt: skip
    assert sum(x.amount for x in lines) == statement.orders_total
    assert all(x.net + x.tax == x.amount for x in lines)


def test_lines_come_in_keyset_pages(w, monkeypatch):
    orders = [
        order_on_terms(w, [(w.sku_a, 1, 1300)], placed_at=at(w.month, day)) for day in (1, 2, 3)
    ]
    statement = actions.issue_statement(
        merchant=w.merchant_a, company_id=w.company.pk, month=w.month
    )
    page = statement_reads.statement_lines(statement, limit=2)
    assert [x.order_id for x in page] == [orders[0].pk, orders[1].pk]
    rest = statement_reads.statement_lines(statement, after=page[-1].id, limit=2)
    assert [x.order_id for x in rest] == [orders[2].pk]
    assert [x.order_id for x in statement_reads.all_statement_lines(statement, chunk=1)] == [
        o.pk for o in orders
    ]


def test_payments_and_credit_notes_of_the_month(w):
    order = order_on_terms(w, [(w.sku_a, 1, 1300)], placed_at=at(w.month, 1))
    paid = payment(w, 150_000, paid_at=at(w.month, 3))
    payment(w, 1_000, paid_at=at(statement_reads.next_month(w.month), 1))
    credit(order, 20_000, closed_at=at(w.month, 4))
    statement = actions.issue_statement(
        merchant=w.merchant_a, company_id=w.company.pk, month=w.month
    )
    assert [(p.reference, p.amount) for p in statement_reads.statement_payments(statement)] == [
        (f"TP-{paid.pk}", 150_000)
    ]
    assert [(c.reference, c.amount) for c in statement_reads.statement_credits(statement)] == [
        (f"CN-{order.pk}", 20_000)
    ]
    assert statement_reads.open_to_pay(statement) == 310_000 - 20_000


def test_who_reads_a_statement(w, make_user):
    order_on_terms(w, [(w.sku_a, 1, 1300)], placed_at=at(w.month, 1))
    statement = actions.issue_statement(
        merchant=w.merchant_a, company_id=w.company.pk, month=w.month
    )
    for user in (w.finance, w.admin, w.viewer):
        membership = statement_reads.reader_membership(user=user, company_id=w.company.pk)
        assert (
            statement_reads.company_statement(membership=membership, statement_id=statement.pk)
            == statement
        )
    with pytest.raises(DomainError) as refused:
        statement_reads.reader_membership(user=w.buyer, company_id=w.company.pk)
    assert refused.value.code == "role_required"
    with pytest.raises(DomainError) as refused:
        statement_reads.merchant_statement(merchant=w.merchant_b, statement_id=statement.pk)
    assert refused.value.code == "statement_not_found"
    assert statement_reads.merchant_statements(merchant=w.merchant_b) == []
    assert statement_reads.merchant_statements(merchant=w.merchant_a) == [statement]
