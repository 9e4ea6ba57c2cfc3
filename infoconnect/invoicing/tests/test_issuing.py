"""Issuing invoices: per order on completion, merged monthly, through the sandbox provider,
and red-letter invoices for refunds after invoicing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.core import sweeps
from infoconnect.core.errors import DomainError
from infoconnect.invoicing.actions import issuing, titles
from infoconnect.invoicing.actions.sending import send_invoice
from infoconnect.invoicing.models import Invoice, InvoicedOrder, InvoicingSetting
from infoconnect.invoicing.selectors import invoice_numbers_for_orders
from infoconnect.invoicing.tests.world import complete, make_world, ordered
from infoconnect.procurement.models import PriceList
from infoconnect.procurement.tests.factories import valid_uscc
from infoconnect.shop import actions as shop
from infoconnect.shop.models import Order, OrderLine

pytestmark = pytest.mark.django_db
State = Invoice.State


def merged(world, month=None):
    return issuing.issue_monthly(
        merchant=world.merchant,
        company_id=world.company.pk,
        month=month or timezone.localdate().strftime("%Y-%m"),
    )


def monthly(world):
    """The merchant invoices the company monthly (it has the company's price list)."""
    PriceList.objects.get_or_create(
        merchant=world.merchant, company=world.company, defaults={"name": "2026 framework"}
    )
    issuing.set_mode(merchant=world.merchant, company_id=world.company.pk, mode="monthly")


# --- per order -----------------------------------------------------------------------------


def test_completing_an_order_that_asked_for_a_special_invoice_issues_it(
    world, django_capture_on_commit_callbacks
):
    order = complete(world, ordered(world, quantity=3), django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get()
    assert invoice.state == State.ISSUED
    assert invoice.kind == "special" and invoice.scope == "order"
    assert len(invoice.number) == 20 and invoice.number.isdigit()
    assert invoice.number.startswith(timezone.localdate().strftime("%Y%m%d"))
    assert invoice.buyer["name"] == "华夏设计有限公司"
    assert invoice.seller["name"] == "tea Trading Co., Ltd."
    (line,) = invoice.lines.all()
    assert line.name == "*计算机*Longjing"
    assert (line.quantity, line.unit, line.unit_price, line.amount) == (3, "台", 2_000, 6_000)
    assert (line.net, line.tax, line.tax_rate) == (5_310, 690, 1300)
    assert (
        (invoice.total, invoice.net, invoice.tax)
        == (6_000, 5_310, 690)
        == (
            order.total,
            line.net,
            line.tax,
        )
    )
    assert invoice_numbers_for_orders([order.pk]) == {order.pk: invoice.number}


def test_an_order_without_an_invoice_kind_gets_none(world, django_capture_on_commit_callbacks):
    order = ordered(world, kind="")
    complete(world, order, django_capture_on_commit_callbacks)
    assert not Invoice.objects.exists()
    assert invoice_numbers_for_orders([order.pk]) == {}


def test_the_provider_refuses_a_title_it_will_not_invoice(
    make_user, django_capture_on_commit_callbacks
):
    world = make_world(make_user, title_name="REFUSE Holdings")
    complete(world, ordered(world), django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get()
    assert invoice.state == State.REFUSED
    assert invoice.number == ""
    assert "REFUSE Holdings" in invoice.refusal_reason


def test_a_special_invoice_for_a_title_that_is_not_a_general_taxpayer_is_refused(
    world, django_capture_on_commit_callbacks
):
    small = titles.add_title(
        user=world.finance,
        company_id=world.company.pk,
        fields=titles.TitleFields(name="华夏小规模", taxpayer_id=valid_uscc(7)),
    )
    complete(world, ordered(world, title=small), django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get()
    assert invoice.state == State.REFUSED
    assert "一般纳税人" in invoice.refusal_reason


def test_a_lost_send_job_is_made_by_the_sweep_and_a_second_send_changes_nothing(world):
    # Without the commit callbacks the send job never runs: as if its worker died.
    order = ordered(world)
    shop.confirm_receipt(buyer=world.firm.people["designer"], order_id=order.pk)
    invoice = Invoice.objects.get()
    assert invoice.state == State.REQUESTED
    assert sweeps.run(app_label="invoicing") == {"invoice.issue": 0}  # not due yet
    later = timezone.now() + timedelta(minutes=3)
    assert sweeps.run(now=later, app_label="invoicing") == {"invoice.issue": 1}
    invoice.refresh_from_db()
    assert invoice.state == State.ISSUED
    number = invoice.number
    assert send_invoice(invoice_id=invoice.pk) is False
    invoice.refresh_from_db()
    assert invoice.number == number


def test_a_merchant_who_invoices_monthly_issues_nothing_on_completion(
    world, django_capture_on_commit_callbacks
):
    monthly(world)
    complete(world, ordered(world), django_capture_on_commit_callbacks)
    assert not Invoice.objects.exists()
    assert InvoicingSetting.objects.get().mode == "monthly"


def test_only_the_merchant_of_the_company_sets_its_mode(world, make_user):
    other = make_user("rival", kind="merchant", verified=True)
    with pytest.raises(DomainError) as error:
        issuing.set_mode(merchant=other, company_id=world.company.pk, mode="monthly")
    assert error.value.code == "not_a_customer"
    with pytest.raises(DomainError) as error:
        issuing.set_mode(merchant=world.finance, company_id=world.company.pk, mode="monthly")
    assert error.value.code == "not_a_merchant"
    ordered(world)
    with pytest.raises(DomainError) as error:
        issuing.set_mode(merchant=world.merchant, company_id=world.company.pk, mode="weekly")
    assert error.value.code == "invalid_invoicing_mode"
    assert not InvoicingSetting.objects.exists()


# --- merged monthly ------------------------------------------------------------------------


def test_the_months_orders_merge_on_one_invoice_grouped_by_sku_and_rate(
    world, django_capture_on_commit_callbacks
):
    monthly(world)
    first = complete(world, ordered(world, quantity=2), django_capture_on_commit_callbacks)
    second = complete(world, ordered(world, quantity=5), django_capture_on_commit_callbacks)
    third = complete(
        world, ordered(world, quantity=1, tax_rate=900), django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        invoice = merged(world)
    invoice.refresh_from_db()
    assert invoice.state == State.ISSUED and invoice.scope == "monthly"
    assert invoice.month == timezone.localdate().replace(day=1)
    lines = list(invoice.lines.values_list("name", "quantity", "amount", "net", "tax", "tax_rate"))
    assert lines == [
        ("*计算机*Longjing", 7, 14_000, 12_389, 1_611, 1300),
        ("*计算机*Longjing", 1, 2_000, 1_835, 165, 900),
    ]
    assert invoice.total == first.total + second.total + third.total == 16_000
    assert invoice.net + invoice.tax == invoice.total
    assert sorted(InvoicedOrder.objects.values_list("order_id", "amount")) == [
        (first.pk, 4_000),
        (second.pk, 10_000),
        (third.pk, 2_000),
    ]
    assert invoice_numbers_for_orders([first.pk, third.pk]) == {
        first.pk: invoice.number,
        third.pk: invoice.number,
    }
    with pytest.raises(DomainError) as error:
        merged(world)
    assert error.value.code == "month_invoiced"


def test_a_merged_invoice_needs_completed_orders_of_that_month(
    world, django_capture_on_commit_callbacks
):
    monthly(world)
    order = complete(world, ordered(world), django_capture_on_commit_callbacks)
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    with pytest.raises(DomainError) as error:
        merged(world, month=last_month)
    assert error.value.code == "nothing_to_invoice"
    for bad in ("2026-13", "next month", "2999-01"):
        with pytest.raises(DomainError) as error:
            merged(world, month=bad)
        assert error.value.code == "invalid_month"
    assert not Invoice.objects.exists()
    assert Order.objects.get(pk=order.pk).state == Order.State.COMPLETED


def test_orders_asking_for_different_titles_are_not_merged(
    world, django_capture_on_commit_callbacks
):
    monthly(world)
    complete(world, ordered(world), django_capture_on_commit_callbacks)
    complete(world, ordered(world, kind="normal"), django_capture_on_commit_callbacks)
    with pytest.raises(DomainError) as error:
        merged(world)
    assert error.value.code == "mixed_invoice_titles"
    assert not Invoice.objects.exists()


def test_another_merchant_cannot_issue_the_companys_invoice(
    world, make_user, django_capture_on_commit_callbacks
):
    monthly(world)
    complete(world, ordered(world), django_capture_on_commit_callbacks)
    rival = make_user("rival", kind="merchant", verified=True)
    with pytest.raises(DomainError) as error:
        issuing.issue_monthly(
            merchant=rival, company_id=world.company.pk, month=timezone.localdate()
        )
    assert error.value.code == "not_a_customer"
    with pytest.raises(DomainError) as error:
        issuing.issue_monthly(
            merchant=world.finance, company_id=world.company.pk, month=timezone.localdate()
        )
    assert error.value.code == "not_a_merchant"
    assert not Invoice.objects.exists()


# --- red letter ----------------------------------------------------------------------------


def refund(world, order, capture):
    with capture(execute=True):
        shop.request_refund(
            buyer=world.firm.people["designer"], order_id=order.pk, reason="Wrong tea"
        )
        shop.answer_refund(merchant=world.merchant, order_id=order.pk, accept=True)


def test_a_refund_after_invoicing_issues_a_red_letter_invoice(
    world, django_capture_on_commit_callbacks
):
    order = complete(world, ordered(world, quantity=3), django_capture_on_commit_callbacks)
    blue = Invoice.objects.get()
    refund(world, order, django_capture_on_commit_callbacks)
    red = Invoice.objects.exclude(pk=blue.pk).get()
    assert red.original_id == blue.pk and red.is_red
    assert red.state == State.ISSUED and red.number != blue.number
    assert (red.total, red.net, red.tax) == (-6_000, -5_310, -690)
    (line,) = red.lines.all()
    assert (line.quantity, line.amount, line.net, line.tax) == (-3, -6_000, -5_310, -690)
    # The order's latest blue invoice is still the one it had.
    assert invoice_numbers_for_orders([order.pk]) == {order.pk: blue.number}


def test_a_refund_of_one_merged_order_reverses_only_its_lines(
    world, django_capture_on_commit_callbacks
):
    monthly(world)
    kept = complete(world, ordered(world, quantity=2), django_capture_on_commit_callbacks)
    gone = complete(world, ordered(world, quantity=4), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        blue = merged(world)
    refund(world, gone, django_capture_on_commit_callbacks)
    red = Invoice.objects.get(original=blue)
    assert red.state == State.ISSUED
    assert red.total == -gone.total == -8_000
    assert list(red.orders.values_list("order_id", "amount")) == [(gone.pk, -8_000)]
    assert kept.total == 4_000


def test_a_red_letter_waits_for_its_blue_invoice(world, django_capture_on_commit_callbacks):
    order = ordered(world)
    shop.confirm_receipt(buyer=world.firm.people["designer"], order_id=order.pk)
    blue = Invoice.objects.get()  # requested: its send job was lost
    refund(world, order, django_capture_on_commit_callbacks)
    red = Invoice.objects.get(original=blue)
    assert red.state == State.REQUESTED
    with django_capture_on_commit_callbacks(execute=True):
        assert send_invoice(invoice_id=blue.pk) is True
    red.refresh_from_db()
    assert red.state == State.ISSUED


def test_a_refund_of_an_order_never_invoiced_issues_nothing(
    world, django_capture_on_commit_callbacks
):
    order = complete(world, ordered(world, kind=""), django_capture_on_commit_callbacks)
    refund(world, order, django_capture_on_commit_callbacks)
    assert not Invoice.objects.exists()
    assert OrderLine.objects.filter(order_id=order.pk).count() == 1
