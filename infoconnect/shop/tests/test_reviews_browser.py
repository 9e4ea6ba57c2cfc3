"""In Chromium: a buyer reviews a completed order's line with a photo from the order page, and
the product page shows the average, the count and the photo; its gallery's thumbnails switch
the main image without leaving the page."""

import pytest

from infoconnect.shop import actions
from infoconnect.shop.tests.conftest import make_product, png_bytes
from infoconnect.shop.tests.test_reviews import completed_order


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_review_with_a_photo_shows_on_the_product_page(page, login, make_user, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from playwright.sync_api import expect

    merchant = make_user("acme", kind="merchant", verified=True)
    product, sku = make_product(merchant, title="Silk scarf", price=12_900, stock=5)
    red = actions.add_product_image(
        merchant=merchant,
        product_id=product.pk,
        upload=SimpleUploadedFile("r.png", png_bytes(colour=(200, 0, 0)), "image/png"),
    )
    blue = actions.add_product_image(
        merchant=merchant,
        product_id=product.pk,
        upload=SimpleUploadedFile("b.png", png_bytes(colour=(0, 0, 200)), "image/png"),
    )
    buyer = make_user("alice")
    order = completed_order(buyer, merchant, sku)
    picture = tmp_path / "worn.png"
    picture.write_bytes(png_bytes(colour=(20, 160, 40)))

    login("alice")
    page.goto(f"/shop/orders/{order.pk}/")
    reviews = page.locator("#order-reviews")
    reviews.get_by_label("4 stars").check()
    reviews.get_by_label("Your review").fill("Soft, and the colour is true.")
    reviews.get_by_label("Photos (up to 6)").set_input_files(str(picture))
    reviews.get_by_role("button", name="Post review").click()
    expect(page.locator(".flash-success")).to_have_text("Thank you: your review is posted.")
    expect(page.locator("#order-reviews .stars")).to_have_text("★★★★☆")

    page.goto(f"/shop/p/{product.pk}/")
    expect(page.locator("#review-average")).to_have_text("4.0")
    expect(page.locator("#review-count")).to_have_text("1 review")
    review = page.get_by_test_id("review")
    expect(review).to_contain_text("Soft, and the colour is true.")
    expect(review).to_contain_text("a***e")
    photo = review.get_by_test_id("review-photo")
    expect(photo).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", photo.element_handle()), (
        "the review photo's thumbnail loads"
    )
    page.get_by_test_id("reviews-with-photos").click()
    expect(page.get_by_test_id("review")).to_have_count(1)

    # The gallery: the first picture is large; its second thumbnail switches it in place.
    main = page.locator("#gallery-main")
    expect(main).to_have_attribute("src", red.image.url)
    url_before = page.url
    page.get_by_test_id("gallery-thumb").nth(1).click()
    expect(main).to_have_attribute("src", blue.image.url)
    expect(page.get_by_test_id("gallery-thumb").nth(1)).to_have_attribute("aria-current", "true")
    assert page.url == url_before
    # Tapping the large picture opens it full size.
    expect(page.locator("#gallery-main-link")).to_have_attribute("href", blue.image.url)
