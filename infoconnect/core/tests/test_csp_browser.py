"""The main pages in Chromium under the content security policy: none is refused a script,
a style or an image, and their scripts still work."""

import pytest

from infoconnect.procurement.tests.factories import make_company
from infoconnect.shop import actions as shop_actions
from infoconnect.shop.tests.conftest import fund, make_address, make_product
from infoconnect.social import actions as social_actions
from infoconnect.wallet import actions as wallet_actions

# Every refusal the page sees is kept for the test to read, from the first script on.
COLLECT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_main_pages_break_no_rule_of_the_policy(page, login, make_user):
    from playwright.sync_api import expect

    merchant = make_user("acme", kind="merchant", verified=True)
    product, sku = make_product(merchant, title="Silk scarf", price=12_900, stock=5)
    buyer = make_user("alice")
    fund(buyer, 50_000)
    make_address(buyer)
    shop_actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=1)
    post = social_actions.create_post(author=buyer, text="New scarves are in")
    social_actions.create_post(author=merchant, text="Thank you!", in_reply_to_id=post.pk)
    company = make_company(buyer)

    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(COLLECT)

    def visit(path: str) -> None:
        response = page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        assert page.evaluate("window.__cspViolations") == [], path

    login("alice")
    for path in [
        "/",
        f"/posts/{post.pk}/",
        f"/shop/p/{product.pk}/",
        "/shop/cart/",
        "/shop/checkout/",
        "/wallet/",
        "/messages/",
        f"/companies/{company.pk}/",
        f"/companies/{company.pk}/dashboard/",
    ]:
        visit(path)

    # The product page's own script: the stepper adds one.
    visit(f"/shop/p/{product.pk}/")
    page.get_by_role("button", name="One more").click()
    expect(page.locator("#quantity")).to_have_value("2")

    # The shared script: choosing a language sends the form.
    page.locator("select[name=language]").select_option("zh-hans")
    page.wait_for_url(f"**/shop/p/{product.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    assert page.evaluate("window.__cspViolations") == []
    page.locator("select[name=language]").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    topup = wallet_actions.start_topup(user_id=buyer.pk, amount=10_000)
    visit(topup.redirect_url)

    page.context.clear_cookies()
    login("acme")
    visit("/messages/campaigns/new/")
    visit("/shop/manage/products/")
    assert not [text for text in console if "Content Security Policy" in text], console
