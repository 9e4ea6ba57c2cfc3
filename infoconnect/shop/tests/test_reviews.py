"""Reviews (评价): only the buyer of a completed, unrefunded line reviews it, once, with up to 6
photos; edits for 30 days; the merchant replies once; an operator hides abusive ones; the
product page shows the average, the count, the reviews and their photos."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from infoconnect.core.errors import DomainError
from infoconnect.core.pagination import PageParams
from infoconnect.shop import actions, selectors
from infoconnect.shop.actions import reviews
from infoconnect.shop.models import Order, RefundRequest, Review, ReviewPhoto
from infoconnect.shop.tests.conftest import fund, make_address, make_product, png_bytes

pytestmark = pytest.mark.django_db


def photo(name="p.png", colour=(200, 30, 30)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(colour=colour), content_type="image/png")


class raises:  # noqa: N801  (used as a context manager, like pytest.raises)
    def __init__(self, code: str) -> None:
        self.code = code

    def __enter__(self):
        return self

    def __exit__(self, kind, error, _tb):
        assert kind is DomainError, f"expected {self.code}, got {kind}"
        assert error.code == self.code
        return True


def completed_order(buyer, merchant, sku, *, quantity=1, key="k") -> Order:
    address = make_address(buyer)
    fund(buyer, sku.price * quantity)
    order = actions.buy_now(
        buyer=buyer, sku_id=sku.pk, quantity=quantity, address_id=address.pk, key=key
    )
    actions.pay_order(buyer=buyer, order_id=order.pk)
    actions.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="SF1")
    return actions.confirm_receipt(buyer=buyer, order_id=order.pk)


@pytest.fixture
def order(buyer, merchant, scarf):
    return completed_order(buyer, merchant, scarf[1])


@pytest.fixture
def line(order):
    return order.lines.get()


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def flash(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- writing a review ------------------------------------------------------------------------


def test_buyer_reviews_a_completed_line_with_photos(buyer, line, scarf):
    review = reviews.review_line(
        buyer=buyer, line_id=line.pk, rating=4, text=" Soft and bright. ", photos=[photo()]
    )
    assert (review.rating, review.text, review.product_id) == (4, "Soft and bright.", scarf[0].pk)
    stored = review.photos.get()
    assert stored.position == 0
    with Image.open(stored.thumbnail) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == 400
    with Image.open(stored.image) as full:
        assert full.size == (600, 400)


def test_only_the_buyer_of_the_line_may_review_it(make_user, merchant, line):
    stranger = make_user("mallory")
    with raises("order_line_not_found"):
        reviews.review_line(buyer=stranger, line_id=line.pk, rating=5)
    # The merchant sold it; it did not buy it.
    with raises("order_line_not_found"):
        reviews.review_line(buyer=merchant, line_id=line.pk, rating=5)
    with raises("order_line_not_found"):
        reviews.review_line(buyer=stranger, line_id=999_999, rating=5)
    assert not Review.objects.exists()


def test_not_before_completion(buyer, scarf):
    address = make_address(buyer)
    order = actions.buy_now(
        buyer=buyer, sku_id=scarf[1].pk, quantity=1, address_id=address.pk, key="x"
    )
    with raises("order_not_completed"):
        reviews.review_line(buyer=buyer, line_id=order.lines.get().pk, rating=5)
    assert not Review.objects.exists()


def test_once_per_line(buyer, line):
    reviews.review_line(buyer=buyer, line_id=line.pk, rating=5)
    with raises("review_exists"):
        reviews.review_line(buyer=buyer, line_id=line.pk, rating=1, photos=[photo()])
    assert Review.objects.get().rating == 5
    assert not ReviewPhoto.objects.exists()


def test_not_for_a_refunded_order(buyer, order, line):
    Order.objects.filter(pk=order.pk).update(state=Order.State.REFUNDED)
    with raises("line_refunded"):
        reviews.review_line(buyer=buyer, line_id=line.pk, rating=5)


def test_not_for_a_line_a_granted_partial_refund_gave_back(buyer, merchant, scarf):
    product, sku = scarf
    other = actions.add_sku(
        merchant=merchant, product_id=product.pk, attributes={"colour": "blue"}, price=9_900,
        stock=5,
    )  # fmt: skip
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=2)
    actions.add_to_cart(person=buyer, sku_id=other.pk, quantity=1)
    fund(buyer, 40_000)
    (order,) = actions.checkout(buyer=buyer, address_id=make_address(buyer).pk, key="c")
    actions.pay_order(buyer=buyer, order_id=order.pk)
    actions.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="SF2")
    actions.confirm_receipt(buyer=buyer, order_id=order.pk)
    red, blue = order.lines.order_by("pk")
    RefundRequest.objects.create(
        order=order,
        reason="Torn",
        amount=9_900,
        lines=[{"line": blue.pk, "quantity": 1}, {"line": red.pk, "quantity": 1}],
        state=RefundRequest.State.ACCEPTED,
    )
    with raises("line_refunded"):
        reviews.review_line(buyer=buyer, line_id=blue.pk, rating=2)
    # One of the two red scarves went back: the other is the buyer's to review.
    assert reviews.review_line(buyer=buyer, line_id=red.pk, rating=4).rating == 4


def test_a_declined_refund_leaves_the_line_reviewable(buyer, order, line):
    RefundRequest.objects.create(
        order=order, reason="Late", amount=order.total, state=RefundRequest.State.DECLINED
    )
    assert reviews.review_line(buyer=buyer, line_id=line.pk, rating=3).rating == 3


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"rating": 0}, "invalid_rating"),
        ({"rating": 6}, "invalid_rating"),
        ({"rating": True}, "invalid_rating"),
        ({"rating": "5"}, "invalid_rating"),
        ({"rating": 5, "text": "x" * 2001}, "review_too_long"),
    ],
)
def test_bad_input_writes_nothing(buyer, line, fields, code):
    with raises(code):
        reviews.review_line(buyer=buyer, line_id=line.pk, **fields)
    assert not Review.objects.exists()


def test_photos_are_checked_all_or_none(buyer, line):
    with raises("too_many_photos"):
        reviews.review_line(
            buyer=buyer, line_id=line.pk, rating=5, photos=[photo() for _ in range(7)]
        )
    not_an_image = SimpleUploadedFile("x.png", b"not a picture", content_type="image/png")
    with raises("invalid_photo"):
        reviews.review_line(buyer=buyer, line_id=line.pk, rating=5, photos=[photo(), not_an_image])
    huge = SimpleUploadedFile("big.png", b"0" * (10 * 1024 * 1024 + 1), content_type="image/png")
    with raises("photo_too_large"):
        reviews.review_line(buyer=buyer, line_id=line.pk, rating=5, photos=[huge])
    assert not Review.objects.exists() and not ReviewPhoto.objects.exists()


def test_photo_metadata_is_dropped(buyer, line):
    image = Image.new("RGB", (300, 200), (1, 2, 3))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # camera maker
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    upload = SimpleUploadedFile("a.jpg", out.getvalue(), content_type="image/jpeg")
    review = reviews.review_line(buyer=buyer, line_id=line.pk, rating=5, photos=[upload])
    with Image.open(review.photos.get().image) as stored:
        assert 0x010F not in stored.getexif()


# --- editing ---------------------------------------------------------------------------------


def test_buyer_edits_within_30_days(buyer, line):
    review = reviews.review_line(buyer=buyer, line_id=line.pk, rating=2, photos=[photo()])
    first = review.photos.get()
    changed = reviews.edit_review(
        buyer=buyer,
        review_id=review.pk,
        rating=5,
        text="Better after a wash.",
        add_photos=[photo(colour=(0, 0, 255)), photo(colour=(0, 255, 0))],
        remove_photo_ids=[first.pk],
    )
    assert (changed.rating, changed.text) == (5, "Better after a wash.")
    assert changed.edited_at is not None
    assert list(review.photos.values_list("position", flat=True)) == [0, 1]
    assert not ReviewPhoto.objects.filter(pk=first.pk).exists()


def test_removed_photos_leave_storage_after_commit(buyer, line, django_capture_on_commit_callbacks):
    review = reviews.review_line(buyer=buyer, line_id=line.pk, rating=2, photos=[photo()])
    stored = review.photos.get()
    storage, name = stored.image.storage, stored.image.name
    with django_capture_on_commit_callbacks(execute=True):
        reviews.edit_review(buyer=buyer, review_id=review.pk, remove_photo_ids=[stored.pk])
    assert not storage.exists(name) and not storage.exists(stored.thumbnail.name)


def test_edit_refused_after_30_days_or_by_others(make_user, buyer, line):
    review = reviews.review_line(buyer=buyer, line_id=line.pk, rating=2, text="Meh")
    with raises("review_not_found"):
        reviews.edit_review(buyer=make_user("mallory"), review_id=review.pk, rating=1)
    with raises("invalid_rating"):
        reviews.edit_review(buyer=buyer, review_id=review.pk, rating=9)
    with raises("too_many_photos"):
        reviews.edit_review(buyer=buyer, review_id=review.pk, add_photos=[photo()] * 7)
    Review.objects.filter(pk=review.pk).update(
        created_at=timezone.now() - timedelta(days=30, minutes=1)
    )
    with raises("review_edit_closed"):
        reviews.edit_review(buyer=buyer, review_id=review.pk, rating=5)
    review.refresh_from_db()
    assert (review.rating, review.text, review.edited_at) == (2, "Meh", None)


def test_a_hidden_review_cannot_be_edited(admin_user, buyer, line):
    review = reviews.review_line(buyer=buyer, line_id=line.pk, rating=1, text="Rude words")
    reviews.set_reviews_hidden(operator=admin_user, review_ids=[review.pk], hidden=True)
    with raises("review_hidden"):
        reviews.edit_review(buyer=buyer, review_id=review.pk, text="Other words")
    assert Review.objects.get().text == "Rude words"


# --- replies and moderation --------------------------------------------------------------------


def test_merchant_replies_once(make_user, buyer, merchant, line):
    review = reviews.review_line(buyer=buyer, line_id=line.pk, rating=3)
    with raises("reply_empty"):
        reviews.reply_to_review(merchant=merchant, review_id=review.pk, text="   ")
    with raises("reply_too_long"):
        reviews.reply_to_review(merchant=merchant, review_id=review.pk, text="x" * 1001)
    other = make_user("rival", kind="merchant", verified=True)
    with raises("review_not_found"):
        reviews.reply_to_review(merchant=other, review_id=review.pk, text="Buy mine")
    with raises("review_not_found"):
        reviews.reply_to_review(merchant=buyer, review_id=review.pk, text="Me again")
    reviews.reply_to_review(merchant=merchant, review_id=review.pk, text="Thank you!")
    with raises("already_replied"):
        reviews.reply_to_review(merchant=merchant, review_id=review.pk, text="Again")
    review.refresh_from_db()
    assert review.reply == "Thank you!" and review.replied_at is not None


def test_only_operators_hide(admin_user, buyer, merchant, line):
    review = reviews.review_line(buyer=buyer, line_id=line.pk, rating=1)
    with raises("forbidden"):
        reviews.set_reviews_hidden(operator=merchant, review_ids=[review.pk], hidden=True)
    assert not Review.objects.get().hidden
    assert reviews.set_reviews_hidden(operator=admin_user, review_ids=[review.pk], hidden=True) == 1
    assert reviews.set_reviews_hidden(operator=admin_user, review_ids=[review.pk], hidden=True) == 0
    review.refresh_from_db()
    assert (review.hidden, review.hidden_by_id) == (True, admin_user.pk)


def test_admin_hides_and_shows_a_review(admin_client, buyer, line):
    review = reviews.review_line(buyer=buyer, line_id=line.pk, rating=1, text="Abuse")
    page = admin_client.get(f"/admin/shop/review/{review.pk}/change/")
    assert page.status_code == 200 and "Abuse" in page.content.decode()
    response = admin_client.post(
        "/admin/shop/review/",
        {"action": "hide_reviews", "_selected_action": [review.pk]},
        follow=True,
    )
    assert "1 review hidden." in text(response)
    assert Review.objects.get().hidden
    admin_client.post(
        "/admin/shop/review/", {"action": "show_reviews", "_selected_action": [review.pk]}
    )
    assert not Review.objects.get().hidden


# --- reads -------------------------------------------------------------------------------------


def test_summary_and_list_leave_hidden_reviews_out(admin_user, make_user, merchant, scarf):
    product, sku = scarf
    written = []
    for n, rating in enumerate([5, 4, 1]):
        buyer = make_user(f"buyer{n}")
        line = completed_order(buyer, merchant, sku, key=f"k{n}").lines.get()
        written.append(
            reviews.review_line(
                buyer=buyer, line_id=line.pk, rating=rating, photos=[photo()] if n == 1 else []
            )
        )
    reviews.set_reviews_hidden(operator=admin_user, review_ids=[written[2].pk], hidden=True)
    summary = selectors.review_summary(product_id=product.pk)
    assert summary == {"count": 2, "average": 4.5, "with_photos": 1}
    page = selectors.product_reviews(product_id=product.pk, params=PageParams())
    assert [r.pk for r in page] == [written[1].pk, written[0].pk]
    photos_only = selectors.product_reviews(
        product_id=product.pk, params=PageParams(), with_photos=True
    )
    assert [r.pk for r in photos_only] == [written[1].pk]
    assert selectors.units_sold(product_id=product.pk) == 3


def test_units_sold_counts_bought_orders_only(buyer, merchant, scarf):
    product, sku = scarf
    completed_order(buyer, merchant, sku, quantity=2)
    unpaid = actions.buy_now(
        buyer=buyer, sku_id=sku.pk, quantity=1, address_id=make_address(buyer).pk, key="u"
    )
    assert selectors.units_sold(product_id=product.pk) == 2
    Order.objects.filter(pk=unpaid.pk).update(state=Order.State.REFUNDED)
    assert selectors.units_sold(product_id=product.pk) == 2


def test_reviewer_names_are_masked(make_user):
    assert selectors.reviewer_name(make_user("alice")) == "a***e"
    assert selectors.reviewer_name(make_user("b")) == "b***"


# --- pages ---------------------------------------------------------------------------------


def test_order_page_review_form_posts_a_review_with_photos(buyer, order, line, scarf):
    page = text(client_for(buyer).get(f"/shop/orders/{order.pk}/"))
    assert "Post review" in page
    response = client_for(buyer).post(
        f"/shop/lines/{line.pk}/review/",
        {"order": order.pk, "rating": "4", "text": "Lovely", "photos": [photo(), photo()]},
        follow=True,
    )
    assert flash(response) == ["Thank you: your review is posted."]
    assert response.redirect_chain[-1][0] == f"/shop/orders/{order.pk}/"
    review = Review.objects.get()
    assert (review.rating, review.text, review.photos.count()) == (4, "Lovely", 2)
    page = text(response)
    assert "★★★★☆" in page and "Change your review" in page and "Post review" not in page

    product_page = text(client_for().get(f"/shop/p/{scarf[0].pk}/"))
    assert '<strong id="review-average">4.0</strong>' in product_page
    assert '<span id="review-count">1 review</span>' in product_page
    assert "Lovely" in product_page and "a***e" in product_page
    assert product_page.count('data-testid="review-photo"') == 2
    assert "With photos (1)" in product_page


def test_order_page_review_refusals_say_why(make_user, buyer, order, line):
    response = client_for(buyer).post(
        f"/shop/lines/{line.pk}/review/", {"order": order.pk, "rating": "nine"}, follow=True
    )
    assert flash(response) == ["Choose a rating from 1 to 5 stars."]
    assert not Review.objects.exists()
    stranger = client_for(make_user("mallory"))
    response = stranger.post(f"/shop/lines/{line.pk}/review/", {"rating": "5"})
    assert response.status_code == 404
    assert client_for().post(f"/shop/lines/{line.pk}/review/", {"rating": "5"}).status_code == 302
    assert not Review.objects.exists()


def test_edit_and_reply_through_the_pages(buyer, merchant, order, line, scarf):
    review = reviews.review_line(buyer=buyer, line_id=line.pk, rating=2, text="Small")
    response = client_for(buyer).post(
        f"/shop/reviews/{review.pk}/edit/",
        {"order": order.pk, "rating": "3", "text": "Fits after all"},
        follow=True,
    )
    assert flash(response) == ["Your review is changed."]
    merchant_page = text(client_for(merchant).get(f"/shop/orders/{order.pk}/"))
    assert "Your reply" in merchant_page and "Fits after all" in merchant_page
    response = client_for(merchant).post(
        f"/shop/reviews/{review.pk}/reply/",
        {"next": f"/shop/p/{scarf[0].pk}/", "text": "Glad it fits"},
        follow=True,
    )
    assert flash(response) == ["Your reply is posted."]
    assert "Glad it fits" in text(response)
    response = client_for(merchant).post(
        f"/shop/reviews/{review.pk}/reply/", {"order": order.pk, "text": "Twice"}, follow=True
    )
    assert flash(response) == ["You have already replied to this review."]
    assert (
        client_for(buyer).post(f"/shop/reviews/{review.pk}/reply/", {"text": "Me"}).status_code
        == 404
    )


def test_product_page_reviews_are_paged_newest_first(buyer, order, line, scarf):
    from infoconnect.shop.models import OrderLine

    product, _sku = scarf
    for n in range(21):
        # Lines as a big order would hold them: one review each.
        extra = OrderLine.objects.create(
            order=order, sku=line.sku, product=product, title=line.title, unit_price=1,
            quantity=1,
        )  # fmt: skip
        Review.objects.create(
            line=extra, order_id=order.pk, product=product, buyer=buyer, rating=5,
            text=f"Review {n:02d}",
        )  # fmt: skip
    page = text(client_for().get(f"/shop/p/{product.pk}/"))
    assert page.index("Review 20") < page.index("Review 19")
    assert "Review 00" not in page and "More reviews" in page
    oldest = Review.objects.order_by("pk").first()
    second = text(client_for().get(f"/shop/p/{product.pk}/?max_id={oldest.pk + 1}"))
    assert "Review 00" in second and "Review 01" not in second


def test_product_page_gallery_shipping_and_units(merchant, scarf):
    from infoconnect.shop.models import ShippingPolicy

    product, _sku = scarf
    first = actions.add_product_image(merchant=merchant, product_id=product.pk, upload=photo())
    second = actions.add_product_image(
        merchant=merchant, product_id=product.pk, upload=photo(colour=(0, 0, 200))
    )
    page = text(client_for().get(f"/shop/p/{product.pk}/"))
    assert f'id="gallery-main" src="{first.image.url}"' in page
    assert page.count('data-testid="gallery-thumb"') == 2
    assert '<span id="shipping-fee">Free shipping</span>' in page
    assert '<span id="units-sold">0 sold</span>' in page
    assert '<p class="price-big" id="product-price">¥129.00</p>' in page
    assert 'max="3"' in page  # the per-order limit is below the 5 in stock
    # Without script, a thumbnail is a link that shows its picture large.
    page = text(client_for().get(f"/shop/p/{product.pk}/?image={second.pk}"))
    assert f'id="gallery-main" src="{second.image.url}"' in page
    ShippingPolicy.objects.create(merchant=merchant, fee=800, free_over=9_900)
    page = text(client_for().get(f"/shop/p/{product.pk}/"))
    assert '<span id="shipping-fee">Shipping ¥8.00, free from ¥99.00</span>' in page
    ShippingPolicy.objects.filter(merchant=merchant).update(free_over=None)
    page = text(client_for().get(f"/shop/p/{product.pk}/"))
    assert '<span id="shipping-fee">Shipping ¥8.00</span>' in page


def test_stepper_is_limited_by_stock_when_it_is_below_the_limit(merchant):
    product, _sku = make_product(merchant, title="Last ones", stock=2, max_per_order=10)
    page = text(client_for().get(f"/shop/p/{product.pk}/"))
    assert 'name="quantity" value="1" min="1" max="2"' in page


def test_product_page_queries_do_not_grow_with_its_reviews(buyer, order, line, scarf):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from infoconnect.shop.models import OrderLine

    product, _sku = scarf
    reviews.review_line(buyer=buyer, line_id=line.pk, rating=5, photos=[photo()])
    client = client_for(buyer)
    client.get(f"/shop/p/{product.pk}/")  # sessions and settings read once
    with CaptureQueriesContext(connection) as one:
        client.get(f"/shop/p/{product.pk}/")
    for _n in range(5):
        extra = OrderLine.objects.create(
            order=order, sku=line.sku, product=product, title=line.title, unit_price=1,
            quantity=1,
        )  # fmt: skip
        reviews.review_line(buyer=buyer, line_id=extra.pk, rating=4, photos=[photo()])
    with CaptureQueriesContext(connection) as six:
        page = text(client.get(f"/shop/p/{product.pk}/"))
    assert page.count('data-testid="review"') == 6
    assert len(six) == len(one)


def test_product_page_in_simplified_chinese(buyer, line, scarf):
    reviews.review_line(buyer=buyer, line_id=line.pk, rating=5, text="好")
    client = Client(headers={"Accept-Language": "zh-hans"})
    page = text(client.get(f"/shop/p/{scarf[0].pk}/"))
    for words in ("评价", "包邮", "已售 1 件", "1 条评价", "有图（0）", "增加一件"):
        assert words in page
