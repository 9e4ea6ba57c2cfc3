"""A buyer goes from a campaign's product link to a completed order in Chromium; the merchant
ships it from the orders page and is paid from escrow less commission."""

import re

import pytest

from infoconnect.shop.models import Order
from infoconnect.shop.tests.conftest import fund, make_address, make_product, merchant_balance


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_buy_pay_ship_confirm_in_the_browser(
    credited_campaigns, browser, live_server, page, login, make_user
):
    from playwright.sync_api import expect

    merchant = make_user("acme", kind="merchant", verified=True)
    product, _sku = make_product(merchant, title="Silk scarf", price=12_900, stock=5)
    buyer = make_user("alice")
    fund(buyer, 20_000)
    make_address(buyer)

    login("alice")
    page.goto(f"/shop/p/{product.pk}/?campaign=42")
    expect(page.locator(".sku-price")).to_have_text("¥129.00")
    page.get_by_role("button", name="Buy now").click()
    expect(page.locator("#checkout-total")).to_have_text("¥129.00")
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#order-state")).to_have_text("Awaiting payment")
    page.get_by_role("button", name="Pay from wallet").click()
    expect(page.locator(".flash-success")).to_have_text(
        "Paid. The money is held safely until you confirm receipt."
    )
    expect(page.locator("#order-state")).to_have_text("Paid")
    order = Order.objects.get()
    assert (order.campaign_id, order.total) == (42, 12_900)

    shop_context = browser.new_context(base_url=live_server.url, locale="en-US")
    shop_page = shop_context.new_page()
    login("acme", target=shop_page)
    shop_page.goto("/shop/manage/orders/")
    shop_page.get_by_label("Carrier").fill("SF Express")
    shop_page.get_by_label("Tracking number").fill("SF1234567")
    shop_page.get_by_role("button", name="Mark as shipped").click()
    expect(shop_page.locator(".flash-success")).to_have_text("Marked as shipped.")
    shop_context.close()

    page.reload()
    expect(page.locator("#tracking")).to_have_text("SF1234567")
    page.get_by_role("button", name="Confirm receipt").click()
    page.get_by_role("button", name="Yes, I have the goods").click()
    expect(page.locator("#order-state")).to_have_text("Completed")
    expect(page.locator("#order-history")).to_contain_text(re.compile("Receipt confirmed"))
    assert merchant_balance(merchant) == 12_900 - 258


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_merchant_changes_a_price_and_the_shop_shows_it(page, login, make_user):
    from playwright.sync_api import expect

    merchant = make_user("acme", kind="merchant", verified=True)
    product, sku = make_product(merchant, title="Silk scarf", price=12_900, stock=5)

    login("acme")
    page.goto(f"/shop/manage/products/{product.pk}/")
    row = page.locator(f"#sku-{sku.pk}")
    expect(row.get_by_test_id("sku-price")).to_have_text("¥129.00")
    row.get_by_text("Edit variant, price or sale").click()
    price = row.get_by_label("Price (¥)")
    expect(price).to_have_value("129.00")
    # A mistyped price is refused on the page and changes nothing.
    price.fill("-3")
    row.get_by_role("button", name="Save SKU").click()
    row = page.locator(f"#sku-{sku.pk}")
    expect(row.locator(".errorlist")).to_have_text("Enter an amount like 12.34.")
    expect(row.get_by_test_id("sku-price")).to_have_text("¥129.00")
    row.get_by_label("Price (¥)").fill("99.5")
    row.get_by_label("Variant").fill("colour: navy")
    row.get_by_role("button", name="Save SKU").click()
    expect(page.locator(".flash-success")).to_have_text("SKU saved.")
    expect(page.locator(f"#sku-{sku.pk}").get_by_test_id("sku-price")).to_have_text("¥99.50")

    page.goto(f"/shop/p/{product.pk}/")
    expect(page.locator(".sku-price")).to_have_text("¥99.50")
    expect(page.get_by_text("colour: navy")).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_sold_out_product_is_shown_sold_out(page, login, make_user):
    from playwright.sync_api import expect

    from infoconnect.shop import actions

    merchant = make_user("acme", kind="merchant", verified=True)
    product, sku = make_product(merchant, title="Silk scarf", price=12_900, stock=1)
    gone, gone_sku = make_product(merchant, title="Tea set", price=8_800, stock=4)
    actions.adjust_stock(merchant=merchant, sku_id=sku.pk, delta=-1)
    actions.update_sku(
        merchant=merchant, sku_id=gone_sku.pk, attributes={}, price=8_800, is_active=False
    )
    make_user("alice")

    login("alice")
    page.goto("/shop/")
    cards = page.get_by_test_id("product-card")
    expect(cards).to_have_count(1)  # the tea set has nothing on sale: not listed
    card = cards.first
    expect(card.locator(".product-title")).to_have_text("Silk scarf")
    expect(card.get_by_test_id("product-unavailable")).to_have_text("Sold out")
    expect(card.get_by_test_id("product-buy")).to_have_count(0)
    card.locator(".product-title").click()
    expect(page.locator("#product-availability")).to_have_text("Sold out")
    expect(page.get_by_role("radio")).to_be_disabled()
    expect(page.get_by_role("button", name="Buy now")).to_have_count(0)
    expect(page.get_by_role("button", name="Add to cart")).to_have_count(0)

    page.goto(f"/shop/p/{gone.pk}/")
    expect(page.locator("#product-availability")).to_have_text("Not available right now.")
    expect(page.get_by_role("button", name="Buy now")).to_have_count(0)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_buy_now_takes_the_first_sku_in_stock(page, login, make_user):
    from playwright.sync_api import expect

    from infoconnect.shop import actions

    merchant = make_user("acme", kind="merchant", verified=True)
    product, red = make_product(merchant, title="Silk scarf", price=12_900, stock=1)
    actions.add_sku(
        merchant=merchant, product_id=product.pk, attributes={"colour": "blue"}, price=13_900,
        stock=2,
    )  # fmt: skip
    actions.adjust_stock(merchant=merchant, sku_id=red.pk, delta=-1)
    make_user("alice")

    login("alice")
    page.goto(f"/shop/p/{product.pk}/")
    expect(page.get_by_role("radio", name="colour: red")).to_be_disabled()
    expect(page.get_by_role("radio", name="colour: red")).not_to_be_checked()
    expect(page.get_by_role("radio", name="colour: blue")).to_be_checked()
    page.get_by_role("button", name="Buy now").click()
    expect(page.locator("#checkout-total")).to_have_text("¥139.00")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_limit_no_payment_covers_is_refused_on_the_product_page(page, login, make_user):
    from playwright.sync_api import expect

    from infoconnect.shop.models import Product

    merchant = make_user("acme", kind="merchant", verified=True)
    product, _sku = make_product(merchant, title="Gold bar", price=1_000_000_000, max_per_order=10)

    login("acme")
    page.goto(f"/shop/manage/products/{product.pk}/")
    page.get_by_label("Most of one item per order").fill("1001")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errorlist")).to_have_text(
        "With a SKU at ¥10,000,000.00, at most 1000 fit in one order: one payment moves at "
        "most ¥10,000,000,000.00."
    )
    assert Product.objects.get(pk=product.pk).max_per_order == 10
    page.get_by_label("Most of one item per order").fill("1000")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flash-success")).to_have_text("Product saved.")
    assert Product.objects.get(pk=product.pk).max_per_order == 1000


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_variant_value_with_commas_is_entered_on_the_product_page(page, login, make_user):
    from playwright.sync_api import expect

    merchant = make_user("acme", kind="merchant", verified=True)
    product, sku = make_product(merchant, title="Silk scarf", price=12_900, stock=5)

    login("acme")
    page.goto(f"/shop/manage/products/{product.pk}/")
    row = page.locator(f"#sku-{sku.pk}")
    row.get_by_text("Edit variant, price or sale").click()
    variant = row.get_by_label("Variant")
    expect(variant).to_have_value("colour: red")
    variant.fill("colour: red, white and blue\nsize: 90 × 90 cm, hemmed")
    row.get_by_role("button", name="Save SKU").click()
    expect(page.locator(".flash-success")).to_have_text("SKU saved.")
    expect(page.locator(f"#sku-{sku.pk} td").first).to_have_text(
        "colour: red, white and blue, size: 90 × 90 cm, hemmed"
    )
    page.goto(f"/shop/p/{product.pk}/")
    expect(page.get_by_role("radio", name="colour: red, white and blue")).to_be_checked()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_images_keep_their_order_after_a_delete_and_an_upload(page, login, make_user, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from playwright.sync_api import expect

    from infoconnect.shop import actions
    from infoconnect.shop.models import ProductImage
    from infoconnect.shop.tests.conftest import png_bytes

    merchant = make_user("acme", kind="merchant", verified=True)
    product, _sku = make_product(merchant, title="Silk scarf", price=12_900, stock=5)
    first, second, third = (
        actions.add_product_image(
            merchant=merchant,
            product_id=product.pk,
            upload=SimpleUploadedFile("p.png", png_bytes(), content_type="image/png"),
        )
        for _ in range(3)
    )
    upload = tmp_path / "new.png"
    upload.write_bytes(png_bytes(colour=(0, 90, 200)))

    login("acme")
    page.goto(f"/shop/manage/products/{product.pk}/")
    page.locator(f"#image-{first.pk}").get_by_role("button", name="Delete image").click()
    expect(page.locator(".flash-success")).to_have_text("Image deleted.")
    page.locator("#id_image").set_input_files(str(upload))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".flash-success")).to_have_text("Image added.")
    added = ProductImage.objects.order_by("-pk").first()
    shown = page.locator("figure[id^=image-]")
    expect(shown).to_have_count(3)
    assert [shown.nth(i).get_attribute("id") for i in range(3)] == [
        f"image-{second.pk}",
        f"image-{third.pk}",
        f"image-{added.pk}",
    ]
    assert list(product.images.values_list("position", flat=True)) == [0, 1, 2]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_cards_buy_button_sits_below_the_shop_name(page, make_user):
    merchant = make_user("acme", kind="merchant", verified=True, display_name="Acme Tea House")
    make_product(merchant, title="Silk scarf")
    page.goto("/shop/acme/")
    card = page.get_by_test_id("product-card")
    name = card.locator(".muted").bounding_box()
    buy = card.get_by_test_id("product-buy").bounding_box()
    # The button used to ride up over the shop's name above it.
    assert buy["y"] >= name["y"] + name["height"]
