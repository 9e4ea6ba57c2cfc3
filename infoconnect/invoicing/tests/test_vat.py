"""VAT split of tax-inclusive amounts, and the property that invoices add up to what was paid."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infoconnect.invoicing.lines import Draft, half_up_div, write_invoice
from infoconnect.invoicing.vat import rate_label, split

RATES = st.sampled_from([1300, 900, 600, 0])


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        (11_300, 1300, (10_000, 1_300)),
        (100, 1300, (88, 12)),  # 88.495… rounds down
        (113, 1300, (100, 13)),
        (1, 1300, (1, 0)),  # 0.88… rounds up to one fen
        (10_900, 900, (10_000, 900)),
        (106, 600, (100, 6)),
        (5_000, 0, (5_000, 0)),
        (0, 1300, (0, 0)),
        (-11_300, 1300, (-10_000, -1_300)),
        (-100, 1300, (-88, -12)),
    ],
)
def test_split_rounds_the_net_half_up_and_the_tax_is_the_rest(amount, rate, expected):
    assert split(amount, rate) == expected


def test_a_half_fen_net_rounds_up():
    # 1005 fen at a 100% rate: the exact net is 502.5 fen.
    assert split(1005, 10_000) == (503, 502)


def test_negative_rates_are_refused():
    with pytest.raises(ValueError):
        split(100, -1)


def test_rate_labels():
    assert [rate_label(r) for r in (1300, 900, 600, 0, 650)] == ["13%", "9%", "6%", "0%", "6.5%"]


@settings(max_examples=300, deadline=None)
@given(amount=st.integers(min_value=-(10**12), max_value=10**12), rate=RATES)
def test_net_plus_tax_is_always_the_amount(amount, rate):
    net, tax = split(amount, rate)
    assert net + tax == amount
    # The net is the rounded quotient: within half a fen of the exact value.
    assert abs(net * (10_000 + rate) - amount * 10_000) * 2 <= 10_000 + rate
    assert (tax >= 0) == (amount >= 0) or tax == 0


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=10_000_000),  # unit price in fen
            st.integers(min_value=1, max_value=500),  # quantity
            RATES,
        ),
        min_size=1,
        max_size=30,
    )
)
def test_invoice_totals_equal_what_was_paid(world, lines):
    drafts = [
        Draft(name="x", tax_code="", spec="", unit="", quantity=q, amount=p * q, tax_rate=r)
        for p, q, r in lines
    ]
    paid = sum(p * q for p, q, _r in lines)
    invoice = write_invoice(
        merchant_id=world.merchant.pk,
        company_id=world.company.pk,
        title=world.title,
        kind="normal",
        scope="order",
        drafts=drafts,
        order_amounts={},
    )
    invoice.refresh_from_db()
    stored = list(invoice.lines.all())
    assert invoice.total == paid
    assert invoice.net + invoice.tax == paid
    assert invoice.net == sum(line.net for line in stored)
    assert invoice.tax == sum(line.tax for line in stored)
    assert all(line.net + line.tax == line.amount for line in stored)
    assert [line.amount for line in stored] == [p * q for p, q, _r in lines]


def test_half_up_division_is_symmetric():
    assert half_up_div(5, 2) == 3
    assert half_up_div(-5, 2) == -3
    assert half_up_div(7, 3) == 2
