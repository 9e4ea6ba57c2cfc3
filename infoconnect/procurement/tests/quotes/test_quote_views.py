"""The quote's cards in both inboxes, its pages, the request form and the moves posted from a
card (in place with htmx, or back to the page without)."""

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.procurement.models import Company, Quote, Requisition
from infoconnect.procurement.tests.factories import add, make_company
from infoconnect.procurement.tests.organisation.conftest import OTHER_USCC
from infoconnect.procurement.tests.quotes.helpers import asked, quoted
from infoconnect.procurement.tests.webui.conftest import act_for

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def account_name(world) -> str:
    return Company.objects.get(pk=world.company.pk).account.username


def test_the_merchant_answers_from_the_card_in_place(client, world):
    quote = asked(world)
    client.force_login(world.merchant_a)
    page = client.get(f"/messages/@{account_name(world)}/")
    html = page.content.decode()
    assert 'data-testid="quote-card"' in html
    assert "Send quote" in html and "Ask the buyer" in html and "Decline the quote" in html
    assert "Accept and submit for approval" not in html
    assert re.search(
        r'href="/companies/quotes/" id="nav-quotes"><svg[\s\S]*?</svg>'
        r'<span class="nav-label">Quotes</span> <span class="badge">1</span></a>',
        html,
    )
    valid = (timezone.localdate() + timedelta(days=5)).isoformat()
    answer = client.post(
        f"/companies/quotes/{quote.pk}/quote/",
        {"price_1": "2,750.00", "valid_until": valid, "note": "Ex works"},
        headers=HTMX,
    )
    assert answer.status_code == 200
    card = answer.content.decode()
    assert 'data-testid="quote-done">Your quote is sent.' in card
    assert '<strong data-testid="quote-state">Quoted</strong>' in card
    assert 'data-testid="quote-total">¥27,500.00<' in card
    assert "Send quote" not in card  # the buyer's turn now
    assert Quote.objects.get(pk=quote.pk).state == Quote.State.QUOTED


def test_a_refused_move_says_why_on_the_card(client, world):
    quote = asked(world)
    client.force_login(world.merchant_a)
    answer = client.post(
        f"/companies/quotes/{quote.pk}/quote/",
        {"price_1": "12.345", "valid_until": timezone.localdate().isoformat()},
        headers=HTMX,
    )
    assert 'data-testid="quote-error">Give every line a unit price' in answer.content.decode()
    assert Quote.objects.get(pk=quote.pk).revision == 1


def test_the_buyer_accepts_from_the_card_in_their_inbox(client, world):
    quote = quoted(world)
    act_for(client, world.buyer, world.company)
    page = client.get(f"/messages/@{account_name(world)}/")
    html = page.content.decode()
    assert "Accept and submit for approval" in html and "Send counter-offer" in html
    assert "Send quote" not in html
    assert f'value="{world.design.pk}:{world.ship_to.pk}"' in html
    key = uuid.uuid4().hex
    form = {"ship_to": f"{world.design.pk}:{world.ship_to.pk}", "po_number": "PO-77", "key": key}
    back = f"/messages/@{account_name(world)}/"
    done = client.post(
        f"/companies/{world.company.pk}/quotes/{quote.pk}/accept/", {**form, "next": back}
    )
    assert done.status_code == 302 and done["Location"] == back
    requisition = Requisition.objects.get(quote=quote)
    assert (requisition.state, requisition.po_number) == (Requisition.State.PENDING, "PO-77")
    # The same form again (a double click) is the same acceptance.
    client.post(f"/companies/{world.company.pk}/quotes/{quote.pk}/accept/", form)
    assert Requisition.objects.filter(quote=quote).count() == 1
    followed = client.get(back).content.decode()
    assert f"Accepted: requisition R-{requisition.pk} is awaiting approval." in followed
    assert '<strong data-testid="quote-state">Accepted</strong>' in followed


def test_the_product_page_offers_a_quote_to_a_buyer_acting_for_the_company(client, world):
    act_for(client, world.buyer, world.company)
    html = client.get(f"/shop/p/{world.sku_a.product_id}/").content.decode()
    assert 'data-testid="quote-ask"' in html and 'data-testid="requisition-add"' in html
    form = client.get(f"/companies/{world.company.pk}/quotes/new/?sku={world.sku_a.pk}")
    assert f'<option value="{world.sku_a.pk}" selected>' in form.content.decode()
    act_for(client, world.approver, world.company)
    html = client.get(f"/shop/p/{world.sku_a.product_id}/").content.decode()
    assert 'data-testid="quote-ask"' not in html


def test_the_request_form_asks_and_says_what_is_wrong(client, world):
    act_for(client, world.buyer, world.company)
    url = f"/companies/{world.company.pk}/quotes/new/"
    bad = client.post(url, {"merchant": "shop_a", "sku_0": str(world.sku_a.pk), "quantity_0": "0"})
    assert bad.status_code == 422
    assert "Quantities are 1 to 9,999." in bad.content.decode()
    assert Quote.objects.count() == 0
    made = client.post(
        url,
        {
            "merchant": "shop_a", "sku_0": str(world.sku_a.pk), "quantity_0": "20",
            "title_1": "Installation", "quantity_1": "1", "note": "Before March",
        },
    )  # fmt: skip
    quote = Quote.objects.get()
    assert made["Location"] == f"/companies/{world.company.pk}/quotes/{quote.pk}/"
    page = client.get(made["Location"]).content.decode()
    assert f"Quote Q-{quote.pk} is asked for: shop_a answers in the inbox." in page
    assert "Installation" in page and "Before March" in page
    listing = client.get(f"/companies/{world.company.pk}/quotes/").content.decode()
    assert f"Q-{quote.pk}" in listing


def test_nobody_else_sees_a_quote(client, world, make_user):
    quote = quoted(world)
    outsider = make_user("li")
    other = make_company(outsider, name="Beijing Paper Works", code=OTHER_USCC)
    stranger = make_user("li_buyer")
    add(other, outsider, stranger, "buyer")
    for user, url in (
        (world.approver, f"/companies/{world.company.pk}/quotes/{quote.pk}/"),
        (stranger, f"/companies/{world.company.pk}/quotes/{quote.pk}/"),
        (stranger, f"/companies/{other.pk}/quotes/{quote.pk}/"),
        (world.merchant_b, f"/companies/quotes/{quote.pk}/"),
    ):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(world.merchant_b)
    moved = client.post(f"/companies/quotes/{quote.pk}/decline/", {})
    assert moved.status_code == 404
    client.force_login(stranger)
    moved = client.post(f"/companies/{other.pk}/quotes/{quote.pk}/cancel/", {})
    assert moved.status_code == 404
    assert Quote.objects.get(pk=quote.pk).state == Quote.State.QUOTED
    client.force_login(world.merchant_a)
    listing = client.get("/companies/quotes/").content.decode()
    assert f"Q-{quote.pk}" in listing
    client.force_login(world.merchant_b)
    assert f"Q-{quote.pk}" not in client.get("/companies/quotes/").content.decode()


def test_the_operator_reads_a_quote_with_its_revisions(client, world):
    quote = quoted(world)
    client.force_login(world.operator)
    page = client.get(f"/admin/procurement/quote/{quote.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Counter-offer" not in html and "Request for quote" in html
    assert client.get("/admin/procurement/quote/add/").status_code == 403
