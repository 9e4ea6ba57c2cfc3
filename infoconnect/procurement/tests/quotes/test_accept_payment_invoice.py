"""Accepting a quote chooses how its requisition pays (the company wallet, or on terms when
the merchant grants the company terms) and which VAT invoice its orders ask for (kind and one
of the company's titles), on the card, in the API and in the action; a bad choice is refused
whole."""

import uuid

import pytest

from infoconnect.core.errors import DomainError
from infoconnect.invoicing.models import InvoiceTitle
from infoconnect.procurement.actions import (
    approvals,
    companies,
    quote_acceptance,
    requisitions,
    terms,
)
from infoconnect.procurement.models import Company, Quote, Requisition
from infoconnect.procurement.tests.api.helpers import post
from infoconnect.procurement.tests.factories import make_company
from infoconnect.procurement.tests.organisation.conftest import OTHER_USCC
from infoconnect.procurement.tests.quotes.helpers import quoted, rows
from infoconnect.procurement.tests.terms.world import grant, plain_and_full_titles
from infoconnect.procurement.tests.webui.conftest import act_for
from infoconnect.shop.models import Order

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def accept(world, quote, user=None, **choices):
    return quote_acceptance.accept_quote(
        user=user or world.buyer, quote_id=quote.pk, department_id=world.design.pk,
        ship_to_id=world.ship_to.pk, po_number="PO-Q-1", **choices,
    )  # fmt: skip


def test_accepting_on_net_30_with_a_special_invoice_asks_for_both(world):
    grant(world, world.merchant_a, net_days=30, limit=5_000_000)
    _plain, full = plain_and_full_titles(world)
    quote = quoted(world, price=280_000)
    requisition = accept(
        world, quote, payment_method="on_terms", invoice_kind="special", invoice_title_id=full.pk
    )
    assert requisition.state == Requisition.State.PENDING
    stored = Requisition.objects.get(pk=requisition.pk)
    assert (stored.payment_method, stored.invoice_kind, stored.invoice_title_id) == (
        "on_terms",
        "special",
        full.pk,
    )
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    order = Order.objects.get(requisition_id=requisition.pk)
    assert (order.on_terms, order.invoice_kind, order.invoice_title_id, order.total) == (
        True,
        "special",
        full.pk,
        2_800_000,
    )


def test_without_a_choice_it_pays_from_the_company_wallet_with_no_invoice(world):
    grant(world, world.merchant_a)
    requisition = accept(world, quoted(world))
    stored = Requisition.objects.get(pk=requisition.pk)
    assert (stored.payment_method, stored.invoice_kind, stored.invoice_title_id) == (
        "company_wallet",
        "",
        None,
    )


def other_company_title(make_user) -> InvoiceTitle:
    outsider = make_user("li")
    other = make_company(outsider, name="Beijing Paper Works", code=OTHER_USCC)
    return InvoiceTitle.objects.create(
        company=other, name="Beijing Paper Works", taxpayer_id=OTHER_USCC,
        address_phone="Beijing 010-9999", bank_account="ICBC 0300", general_taxpayer=True,
        created_by=outsider,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("choices", "code", "status"),
    [
        ({"payment_method": "on_terms"}, "merchant_grants_no_terms", 422),
        ({"payment_method": "cheque"}, "payment_method_invalid", 422),
        ({"invoice_kind": "paper", "invoice_title_id": "full"}, "invoice_kind_invalid", 422),
        ({"invoice_kind": "normal"}, "invoice_title_required", 422),
        ({"invoice_kind": "special", "invoice_title_id": "plain"}, "special_invoice_not_allowed", 422),
        ({"invoice_kind": "normal", "invoice_title_id": "other"}, "invoice_title_not_found", 404),
    ],
)  # fmt: skip
def test_a_bad_choice_is_refused_and_nothing_is_written(world, make_user, choices, code, status):
    plain, full = plain_and_full_titles(world)
    named = {"plain": plain.pk, "full": full.pk}
    if choices.get("invoice_title_id") == "other":
        named["other"] = other_company_title(make_user).pk
    if "invoice_title_id" in choices:
        choices["invoice_title_id"] = named[choices["invoice_title_id"]]
    cart_line = requisitions.add_to_requisition(
        user=world.buyer, company_id=world.company.pk, sku_id=world.sku_b.pk, quantity=3
    )
    quote = quoted(world)
    before = rows()
    with pytest.raises(DomainError) as caught:
        accept(world, quote, **choices)
    assert (caught.value.code, caught.value.status) == (code, status)
    assert rows() == before
    cart = Requisition.objects.get(pk=cart_line.requisition_id)
    assert (cart.state, cart.requester_id) == (Requisition.State.DRAFT, world.buyer.pk)
    assert Quote.objects.get(pk=quote.pk).state == Quote.State.QUOTED


def test_terms_granted_to_another_company_do_not_count(world, make_user):
    outsider = make_user("li")
    other = make_company(outsider, name="Beijing Paper Works", code=OTHER_USCC)
    companies.verify_company(operator=world.operator, company_id=other.pk)
    terms.grant_terms(merchant=world.merchant_a, company_id=other.pk, net_days=30,
                      credit_limit=1_000_000, grace_days=None)  # fmt: skip
    with pytest.raises(DomainError) as caught:
        accept(world, quoted(world), payment_method="on_terms")
    assert caught.value.code == "merchant_grants_no_terms"
    assert Requisition.objects.count() == 0


# --- the card in the inbox ------------------------------------------------------------------


def account_path(world) -> str:
    return f"/messages/@{Company.objects.get(pk=world.company.pk).account.username}/"


def test_the_card_offers_terms_only_when_the_merchant_grants_them(client, world):
    plain, full = plain_and_full_titles(world)
    quote = quoted(world)
    act_for(client, world.buyer, world.company)
    html = client.get(account_path(world)).content.decode()
    assert '<option value="on_terms">' not in html
    assert 'data-testid="accept-no-terms">shop_a grants the company no payment terms.' in html
    assert (
        f'<option value="{plain.pk}">Huaxia (91110000600037341L) · ordinary invoices only' in html
    )
    assert f'<option value="{full.pk}">Huaxia Design (91110000600037341L)</option>' in html
    assert '<option value="special">Special VAT invoice</option>' in html
    grant(world, world.merchant_a)
    html = client.get(account_path(world)).content.decode()
    assert '<option value="on_terms">On the merchant\'s payment terms</option>' in html
    assert 'data-testid="accept-no-terms"' not in html
    assert quote.state == Quote.State.QUOTED


def test_a_company_without_invoice_titles_is_told_so_on_the_card(client, world):
    quoted(world)
    act_for(client, world.buyer, world.company)
    html = client.get(account_path(world)).content.decode()
    assert (
        'data-testid="accept-no-titles">No VAT invoice can be asked for: the company has no '
        "invoice title yet." in html
    )
    assert 'name="invoice_kind"' not in html


def test_the_buyer_accepts_on_terms_with_a_special_invoice_from_the_card(client, world):
    grant(world, world.merchant_a)
    _plain, full = plain_and_full_titles(world)
    quote = quoted(world)
    act_for(client, world.buyer, world.company)
    form = {
        "ship_to": f"{world.design.pk}:{world.ship_to.pk}", "po_number": "PO-77",
        "payment_method": "on_terms", "invoice_kind": "special",
        "invoice_title_id": str(full.pk), "key": uuid.uuid4().hex,
    }  # fmt: skip
    url = f"/companies/{world.company.pk}/quotes/{quote.pk}/accept/"
    card = client.post(url, form, headers=HTMX).content.decode()
    requisition = Requisition.objects.get(quote=quote)
    assert f"Accepted: requisition R-{requisition.pk} is awaiting approval." in card
    assert (requisition.payment_method, requisition.invoice_kind, requisition.invoice_title_id) == (
        "on_terms",
        "special",
        full.pk,
    )
    # The same key with another choice is not the same acceptance.
    again = client.post(url, {**form, "invoice_kind": "normal"}, headers=HTMX).content.decode()
    assert 'data-testid="quote-done"' not in again
    assert Requisition.objects.filter(quote=quote).count() == 1


def test_a_refused_choice_says_why_on_the_card(client, world):
    quote = quoted(world)
    act_for(client, world.buyer, world.company)
    card = client.post(
        f"/companies/{world.company.pk}/quotes/{quote.pk}/accept/",
        {"ship_to": f"{world.design.pk}:{world.ship_to.pk}", "payment_method": "on_terms",
         "key": uuid.uuid4().hex},
        headers=HTMX,
    ).content.decode()  # fmt: skip
    assert (
        'data-testid="quote-error">Not every merchant in this requisition grants the company '
        "payment terms: shop_a shop." in card
    )
    assert '<strong data-testid="quote-state">Quoted</strong>' in card
    assert Requisition.objects.count() == 0


# --- the API --------------------------------------------------------------------------------


def body(world, **choices) -> dict:
    return {"department_id": world.design.pk, "ship_to_id": world.ship_to.pk,
            "po_number": "PO-API-Q", **choices}  # fmt: skip


def test_the_api_accepts_on_terms_with_a_special_invoice(api_client, world):
    grant(world, world.merchant_a)
    _plain, full = plain_and_full_titles(world)
    quote = quoted(world)
    choices = {"payment_method": "on_terms", "invoice_kind": "special",
               "invoice_title_id": full.pk}  # fmt: skip
    done = post(api_client(world.buyer), f"/api/v1/quotes/{quote.pk}/accept",
                body(world, **choices), key="accept-terms")  # fmt: skip
    assert done.status_code == 200, done.content
    requisition = Requisition.objects.get(pk=done.json()["requisition_id"])
    assert (requisition.payment_method, requisition.invoice_kind, requisition.invoice_title_id) == (
        "on_terms",
        "special",
        full.pk,
    )


@pytest.mark.parametrize(
    ("choices", "status", "code"),
    [
        ({"payment_method": "on_terms"}, 422, "merchant_grants_no_terms"),
        ({"invoice_kind": "paper", "invoice_title_id": 1}, 422, "invoice_kind_invalid"),
        ({"invoice_kind": "normal", "invoice_title_id": "other"}, 404, "invoice_title_not_found"),
    ],
)
def test_the_api_refuses_a_bad_choice_with_its_code(api_client, world, make_user, choices,
                                                    status, code):  # fmt: skip
    if choices.get("invoice_title_id") == "other":
        choices["invoice_title_id"] = other_company_title(make_user).pk
    quote = quoted(world)
    before = rows()
    refused = post(api_client(world.buyer), f"/api/v1/quotes/{quote.pk}/accept",
                   body(world, **choices), key="accept-bad")  # fmt: skip
    assert (refused.status_code, refused.json()["code"]) == (status, code)
    assert rows() == before


def test_who_may_not_accept_on_terms(api_client, world, make_user):
    grant(world, world.merchant_a)
    _plain, full = plain_and_full_titles(world)
    quote = quoted(world)
    choices = {"payment_method": "on_terms", "invoice_kind": "special",
               "invoice_title_id": full.pk}  # fmt: skip
    for user in (world.approver, world.finance, world.merchant_a):
        refused = post(api_client(user), f"/api/v1/quotes/{quote.pk}/accept",
                       body(world, **choices), key=f"accept-{user.pk}")  # fmt: skip
        assert (refused.status_code, refused.json()["code"]) == (404, "quote_not_found")
    assert Requisition.objects.count() == 0
