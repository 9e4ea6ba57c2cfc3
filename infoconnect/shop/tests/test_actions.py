import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from infoconnect.core.errors import DomainError
from infoconnect.shop import actions
from infoconnect.shop.models import (
    Address,
    CartLine,
    Order,
    OrderEvent,
    PostProduct,
    Product,
    ProductImage,
    RefundRequest,
    Sku,
)
from infoconnect.shop.tests.conftest import (
    fund,
    ledger_snapshot,
    make_address,
    make_product,
    merchant_balance,
    png_bytes,
    wallet_balance,
)

pytestmark = pytest.mark.django_db


def raises(code: str):
    class Check:
        def __enter__(self):
            self.ctx = pytest.raises(DomainError)
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            handled = self.ctx.__exit__(*exc)
            assert self.info.value.code == code, self.info.value.code
            return handled

    return Check()


def kinds(order) -> list[str]:
    return list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True))


# --- catalog ---------------------------------------------------------------------------


def test_merchant_creates_product_with_sku_and_publishes(merchant):
    product = actions.create_product(merchant=merchant, title="  Tea set ", max_per_order=2)
    assert (product.title, product.status, product.max_per_order) == ("Tea set", "draft", 2)
    with raises("no_skus"):
        actions.publish_product(merchant=merchant, product_id=product.pk)
    sku = actions.add_sku(
        merchant=merchant,
        product_id=product.pk,
        attributes={"colour": "blue", "size": "M"},
        price=8_800,
        stock=4,
    )
    assert (sku.price, sku.stock, sku.label) == (8_800, 4, "colour: blue, size: M")
    assert actions.publish_product(merchant=merchant, product_id=product.pk).status == "active"
    assert actions.archive_product(merchant=merchant, product_id=product.pk).status == "archived"


def test_only_verified_merchants_sell(make_user, buyer):
    pending = make_user("pending", kind="merchant", verified=False)
    for who, error in ((buyer, "not_a_merchant"), (pending, "merchant_not_verified")):
        with raises(error):
            actions.create_product(merchant=who, title="Tea")
    assert Product.objects.count() == 0


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"title": "  "}, "validation_error"),
        ({"title": "x" * 121}, "validation_error"),
        ({"title": "Tea", "max_per_order": 0}, "validation_error"),
        ({"title": "Tea", "category_id": 999}, "validation_error"),
    ],
)
def test_bad_product_input(merchant, fields, code):
    with raises(code):
        actions.create_product(merchant=merchant, **fields)
    assert Product.objects.count() == 0


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"price": 0, "stock": 1}, "invalid_price"),
        ({"price": -5, "stock": 1}, "invalid_price"),
        ({"price": 100, "stock": -1}, "invalid_stock"),
        ({"price": 100, "stock": 10_000_001}, "invalid_stock"),
        ({"price": 100, "stock": 10**20}, "invalid_stock"),
        ({"price": 100, "stock": 1, "attributes": {"colour": ""}}, "invalid_attributes"),
        ({"price": 100, "stock": 1, "attributes": {"a": ["x"]}}, "invalid_attributes"),
        ({"price": 100, "stock": 1, "currency": "USD"}, "validation_error"),
    ],
)
def test_bad_sku_input(merchant, fields, code):
    product = actions.create_product(merchant=merchant, title="Tea")
    fields.setdefault("attributes", {})
    with raises(code):
        actions.add_sku(merchant=merchant, product_id=product.pk, **fields)
    assert Sku.objects.count() == 0


def test_another_merchant_cannot_touch_my_catalog(make_user, merchant, scarf):
    product, sku = scarf
    rival = make_user("rival", kind="merchant", verified=True)
    with raises("product_not_found"):
        actions.update_product(merchant=rival, product_id=product.pk, title="Mine now")
    with raises("product_not_found"):
        actions.add_sku(merchant=rival, product_id=product.pk, attributes={}, price=1, stock=1)
    with raises("product_not_found"):
        actions.archive_product(merchant=rival, product_id=product.pk)
    with raises("sku_not_found"):
        actions.adjust_stock(merchant=rival, sku_id=sku.pk, delta=100)
    with raises("sku_not_found"):
        actions.update_sku(merchant=rival, sku_id=sku.pk, attributes={}, price=1)
    product.refresh_from_db()
    sku.refresh_from_db()
    assert (product.title, product.status, sku.stock, sku.price) == (
        "Silk scarf",
        "active",
        5,
        12_900,
    )


def test_adjust_stock_never_below_zero(merchant, scarf):
    _product, sku = scarf
    assert actions.adjust_stock(merchant=merchant, sku_id=sku.pk, delta=7).stock == 12
    assert actions.adjust_stock(merchant=merchant, sku_id=sku.pk, delta=-12).stock == 0
    with raises("invalid_stock"):
        actions.adjust_stock(merchant=merchant, sku_id=sku.pk, delta=-1)
    sku.refresh_from_db()
    assert sku.stock == 0


def test_adjust_stock_never_above_the_most_a_sku_holds(merchant, scarf):
    _product, sku = scarf
    assert actions.adjust_stock(merchant=merchant, sku_id=sku.pk, delta=9_999_995).stock == (
        10_000_000
    )
    for delta in (1, 2**31, 10**20):
        with raises("invalid_stock") as info:
            actions.adjust_stock(merchant=merchant, sku_id=sku.pk, delta=delta)
        assert info.value.message == "Stock may be at most 10,000,000 units."
    with raises("invalid_stock") as info:
        actions.adjust_stock(merchant=merchant, sku_id=sku.pk, delta=-(10**20))
    assert info.value.message == "Stock cannot be below zero."
    sku.refresh_from_db()
    assert sku.stock == 10_000_000


def test_update_sku(merchant, scarf):
    _product, sku = scarf
    sku = actions.update_sku(
        merchant=merchant, sku_id=sku.pk, attributes={"colour": "green"}, price=9_900
    )
    assert (sku.label, sku.price) == ("colour: green", 9_900)
    with raises("invalid_price"):
        actions.update_sku(merchant=merchant, sku_id=sku.pk, attributes={}, price=0)


def test_update_sku_takes_it_off_sale_and_checks_input(merchant, scarf):
    product, sku = scarf
    actions.update_sku(
        merchant=merchant,
        sku_id=sku.pk,
        attributes={"colour": "navy", "size": "L"},
        price=1,
        is_active=False,
    )
    sku.refresh_from_db()
    assert (sku.attributes, sku.price, sku.is_active) == ({"colour": "navy", "size": "L"}, 1, False)
    for fields, code in [
        ({"price": -5}, "invalid_price"),
        ({"price": "12.34"}, "invalid_price"),
        ({"price": actions.MAX_PRICE + 1}, "invalid_price"),
        ({"price": 100, "attributes": {"colour": ""}}, "invalid_attributes"),
        ({"price": 100, "attributes": {"x" * 31: "y"}}, "invalid_attributes"),
    ]:
        fields.setdefault("attributes", {"colour": "red"})
        with raises(code):
            actions.update_sku(merchant=merchant, sku_id=sku.pk, **fields)
    sku.refresh_from_db()
    assert (sku.attributes, sku.price, sku.is_active) == ({"colour": "navy", "size": "L"}, 1, False)
    assert actions.update_sku(
        merchant=merchant, sku_id=sku.pk, attributes={}, price=actions.MAX_PRICE
    ).is_active


def test_price_above_the_limit_is_refused_when_adding(merchant, scarf):
    product, _sku = scarf
    with raises("invalid_price") as error:
        actions.add_sku(
            merchant=merchant,
            product_id=product.pk,
            attributes={},
            price=10**19,
            stock=1,
        )
    assert error.value.message == "Enter a price of at most ¥10,000,000."
    assert product.skus.count() == 1


def _add_image(merchant, product, colour=(10, 20, 30)) -> ProductImage:
    upload = SimpleUploadedFile("p.png", png_bytes(colour=colour), content_type="image/png")
    return actions.add_product_image(merchant=merchant, product_id=product.pk, upload=upload)


def test_delete_product_image_removes_the_files_after_commit(
    merchant, scarf, django_capture_on_commit_callbacks
):
    product, _sku = scarf
    first, second, third = (_add_image(merchant, product, (i, i, i)) for i in (1, 2, 3))
    files = [second.image.path, second.thumbnail.path]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        actions.delete_product_image(merchant=merchant, product_id=product.pk, image_id=second.pk)
        # Not committed yet: a rollback here must still find the files.
        assert all(os.path.exists(path) for path in files)
    assert len(callbacks) == 1
    assert not any(os.path.exists(path) for path in files)
    # The others stay with their files, in their order, with no gap in the positions.
    assert list(product.images.values_list("pk", "position")) == [(first.pk, 0), (third.pk, 1)]
    assert all(
        os.path.exists(i.image.path) and os.path.exists(i.thumbnail.path) for i in (first, third)
    )


def test_delete_product_image_rolled_back_keeps_the_files(
    merchant, scarf, django_capture_on_commit_callbacks
):
    from django.db import transaction

    product, _sku = scarf
    image = _add_image(merchant, product)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            actions.delete_product_image(
                merchant=merchant, product_id=product.pk, image_id=image.pk
            )
            raise RuntimeError("the request failed after the delete")
    assert callbacks == []
    assert ProductImage.objects.filter(pk=image.pk).exists()
    assert os.path.exists(image.image.path) and os.path.exists(image.thumbnail.path)


def test_image_positions_stay_unique_and_in_order(merchant, scarf):
    """Deleting closes the gap, so the next upload never takes a position already held."""
    product, _sku = scarf
    a, b, c = (_add_image(merchant, product, (i, i, i)) for i in (1, 2, 3))
    assert (a.position, b.position, c.position) == (0, 1, 2)
    actions.delete_product_image(merchant=merchant, product_id=product.pk, image_id=a.pk)
    d = _add_image(merchant, product)
    assert list(product.images.values_list("pk", "position")) == [
        (b.pk, 0),
        (c.pk, 1),
        (d.pk, 2),
    ]
    actions.delete_product_image(merchant=merchant, product_id=product.pk, image_id=c.pk)
    actions.delete_product_image(merchant=merchant, product_id=product.pk, image_id=d.pk)
    e = _add_image(merchant, product)
    assert list(product.images.values_list("pk", "position")) == [(b.pk, 0), (e.pk, 1)]
    assert product.cover == b
    # Another product's images are numbered on their own.
    other = make_product(merchant, title="Tea set")[0]
    assert _add_image(merchant, other).position == 0
    assert list(product.images.values_list("pk", "position")) == [(b.pk, 0), (e.pk, 1)]


def test_a_refused_or_rolled_back_delete_leaves_the_positions(make_user, merchant, scarf):
    from django.db import transaction

    product, _sku = scarf
    images = [_add_image(merchant, product, (i, i, i)) for i in (1, 2, 3)]
    expected = [(image.pk, n) for n, image in enumerate(images)]
    rival = make_user("rival", kind="merchant", verified=True)
    with raises("product_not_found"):
        actions.delete_product_image(merchant=rival, product_id=product.pk, image_id=images[0].pk)
    with raises("image_not_found"):
        actions.delete_product_image(merchant=merchant, product_id=product.pk, image_id=999999)
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.delete_product_image(
            merchant=merchant, product_id=product.pk, image_id=images[0].pk
        )
        raise RuntimeError("the request failed after the delete")
    assert list(product.images.values_list("pk", "position")) == expected


def test_migration_renumbers_positions_left_with_gaps_and_twins(merchant, scarf):
    from importlib import import_module

    from django.apps import apps

    product, _sku = scarf
    other = make_product(merchant, title="Tea set")[0]
    images = [_add_image(merchant, product, (i, i, i)) for i in (1, 2, 3, 4)]
    lone = _add_image(merchant, other)
    # What the old deletion and upload left: a gap (1 deleted), then a twin of position 2.
    for image, position in zip(images, (0, 2, 2, 5), strict=True):
        ProductImage.objects.filter(pk=image.pk).update(position=position)
    ProductImage.objects.filter(pk=lone.pk).update(position=3)
    import_module("infoconnect.shop.migrations.0006_dense_image_positions").renumber(apps, None)
    assert list(product.images.values_list("pk", "position")) == [
        (image.pk, n) for n, image in enumerate(images)
    ]
    assert list(other.images.values_list("pk", "position")) == [(lone.pk, 0)]


def test_delete_product_image_not_found_or_not_yours(
    make_user, buyer, merchant, scarf, django_capture_on_commit_callbacks
):
    product, _sku = scarf
    image = _add_image(merchant, product)
    other = make_product(merchant, title="Tea set")[0]
    rival = make_user("rival", kind="merchant", verified=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with raises("image_not_found"):
            actions.delete_product_image(merchant=merchant, product_id=other.pk, image_id=image.pk)
        with raises("image_not_found"):
            actions.delete_product_image(merchant=merchant, product_id=product.pk, image_id=999999)
        with raises("product_not_found"):
            actions.delete_product_image(merchant=rival, product_id=product.pk, image_id=image.pk)
        with raises("not_a_merchant"):
            actions.delete_product_image(merchant=buyer, product_id=product.pk, image_id=image.pk)
    assert callbacks == []
    assert ProductImage.objects.filter(pk=image.pk).exists()
    assert os.path.exists(image.image.path) and os.path.exists(image.thumbnail.path)


def test_product_image_gets_a_thumbnail(merchant, scarf):
    product, _sku = scarf
    upload = SimpleUploadedFile("scarf.png", png_bytes((1200, 800)), content_type="image/png")
    image = actions.add_product_image(merchant=merchant, product_id=product.pk, upload=upload)
    with Image.open(image.thumbnail.path) as thumb:
        assert thumb.size == (400, 267)
    assert image.image.name.endswith(".png")


def test_product_image_rejects_what_is_not_an_image(merchant, scarf):
    product, _sku = scarf
    upload = SimpleUploadedFile("evil.png", b"<?php echo 1; ?>", content_type="image/png")
    with raises("invalid_image"):
        actions.add_product_image(merchant=merchant, product_id=product.pk, upload=upload)
    assert ProductImage.objects.count() == 0


def test_post_carries_a_product_card(buyer, merchant, scarf):
    from infoconnect.social.models import Post

    product, _sku = scarf
    post = Post.objects.create(author=merchant, text="Look at this")
    card = actions.attach_product_to_post(author=merchant, post_id=post.pk, product_id=product.pk)
    assert PostProduct.objects.get(post=post).product_id == product.pk == card.product_id
    other = Post.objects.create(author=buyer, text="theirs")
    with raises("not_found"):
        actions.attach_product_to_post(author=merchant, post_id=other.pk, product_id=product.pk)


def test_a_post_cannot_carry_another_merchants_product(make_user, buyer, merchant, scarf):
    """The card rule is shop.selectors.showable_product: the author's own product, on sale."""
    from infoconnect.social.models import Post

    product, _sku = scarf
    rival = make_user("rival", kind="merchant", verified=True)
    for author in (rival, buyer):
        post = Post.objects.create(author=author, text="Look at this")
        with raises("product_not_found"):
            actions.attach_product_to_post(author=author, post_id=post.pk, product_id=product.pk)
    assert not PostProduct.objects.exists()
    draft = make_product(merchant, title="Tea set")[0]
    actions.archive_product(merchant=merchant, product_id=draft.pk)
    post = Post.objects.create(author=merchant, text="Gone")
    with raises("product_not_found"):
        actions.attach_product_to_post(author=merchant, post_id=post.pk, product_id=draft.pk)


# --- cart and addresses ----------------------------------------------------------------------


def test_cart_adds_up_and_keeps_the_campaign(buyer, scarf):
    _product, sku = scarf
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=1)
    line = actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=2, campaign_id=77)
    assert (line.quantity, line.campaign_id) == (3, 77)
    with raises("quantity_limit") as info:
        actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=1)
    assert info.value.message == (
        "Your cart already holds 3 of this item, and one order may hold at most 3."
    )
    assert CartLine.objects.get().quantity == 3


def test_cart_refuses(buyer, merchant, scarf):
    product, sku = scarf
    with raises("invalid_quantity"):
        actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=0)
    with raises("own_product"):
        actions.add_to_cart(person=merchant, sku_id=sku.pk, quantity=1)
    with raises("sku_not_found"):
        actions.add_to_cart(person=buyer, sku_id=999_999, quantity=1)
    actions.archive_product(merchant=merchant, product_id=product.pk)
    with raises("not_on_sale"):
        actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=1)
    assert CartLine.objects.count() == 0


def test_cart_lines_are_private(make_user, buyer, scarf):
    _product, sku = scarf
    line = actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=1)
    bob = make_user("bob")
    with raises("cart_line_not_found"):
        actions.set_cart_quantity(person=bob, line_id=line.pk, quantity=2)
    with raises("cart_line_not_found"):
        actions.remove_cart_line(person=bob, line_id=line.pk)
    assert actions.set_cart_quantity(person=buyer, line_id=line.pk, quantity=2).quantity == 2
    with raises("quantity_limit"):
        actions.set_cart_quantity(person=buyer, line_id=line.pk, quantity=4)
    actions.remove_cart_line(person=buyer, line_id=line.pk)
    assert CartLine.objects.count() == 0


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"mobile": "12812345678"}, "mobile"),
        ({"mobile": "1381234567"}, "mobile"),
        # Full-width and Arabic-Indic digits are digits to Python, not to a courier.
        ({"mobile": "13８1234567"}, "mobile"),
        ({"mobile": "138123456٧٨"}, "mobile"),
        ({"province": "XX"}, "province"),
        ({"street": ""}, "street"),
    ],
)
def test_address_checked(buyer, overrides, field):
    with pytest.raises(DomainError) as info:
        make_address(buyer, **overrides)
    assert info.value.code == "validation_error"
    assert field in info.value.fields
    assert Address.objects.count() == 0


def test_address_saved_and_private(make_user, buyer):
    address = make_address(buyer)
    assert address.one_line == "Shanghai Shanghai Pudong 88 Century Avenue"
    with raises("address_not_found"):
        actions.delete_address(person=make_user("bob"), address_id=address.pk)
    actions.delete_address(person=buyer, address_id=address.pk)
    assert Address.objects.count() == 0


# --- checkout --------------------------------------------------------------------------------


def test_checkout_makes_one_order_per_merchant(make_user, buyer, merchant, scarf, address):
    _product, sku = scarf
    other = make_user("bobshop", kind="merchant", verified=True)
    _p2, mug = make_product(other, title="Mug", price=3_500, stock=9)
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=2, campaign_id=41)
    actions.add_to_cart(person=buyer, sku_id=mug.pk, quantity=3)
    orders = actions.checkout(buyer=buyer, address_id=address.pk, key="k1")
    assert [(o.merchant_id, o.total, o.campaign_id) for o in orders] == [
        (merchant.pk, 25_800, 41),
        (other.pk, 10_500, None),
    ]
    assert orders[0].shipping_address["mobile"] == "13812345678"
    assert orders[0].lines.get().title == "Silk scarf"
    assert Sku.objects.get(pk=sku.pk).stock == 3
    assert Sku.objects.get(pk=mug.pk).stock == 6
    assert CartLine.objects.count() == 0
    assert kinds(orders[0]) == ["placed"]
    assert orders[0].expires_at - orders[0].created_at == timedelta(minutes=30)
    # The same key again returns the same orders and takes nothing more.
    again = actions.checkout(buyer=buyer, address_id=address.pk, key="k1")
    assert [o.pk for o in again] == [o.pk for o in orders]
    assert Sku.objects.get(pk=sku.pk).stock == 3


def test_checkout_out_of_stock_writes_nothing(make_user, buyer, scarf, address):
    _product, sku = scarf
    other = make_user("bobshop", kind="merchant", verified=True)
    _p2, mug = make_product(other, title="Mug", price=3_500, stock=1)
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=2)
    actions.add_to_cart(person=buyer, sku_id=mug.pk, quantity=1)
    Sku.objects.filter(pk=mug.pk).update(stock=0)
    with raises("out_of_stock") as info:
        actions.checkout(buyer=buyer, address_id=address.pk, key="k1")
    assert info.value.message == "Not enough Mug in stock."
    assert Order.objects.count() == 0
    assert Sku.objects.get(pk=sku.pk).stock == 5
    assert CartLine.objects.count() == 2


def test_checkout_refuses(make_user, buyer, merchant, scarf, address):
    product, sku = scarf
    with raises("cart_empty"):
        actions.checkout(buyer=buyer, address_id=address.pk, key="k1")
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=1)
    with raises("address_not_found"):
        actions.checkout(buyer=buyer, address_id=make_address(make_user("bob")).pk, key="k1")
    actions.archive_product(merchant=merchant, product_id=product.pk)
    with raises("not_on_sale"):
        actions.checkout(buyer=buyer, address_id=address.pk, key="k1")
    assert Order.objects.count() == 0


def test_buy_now(buyer, scarf, address):
    _product, sku = scarf
    order = actions.buy_now(
        buyer=buyer, sku_id=sku.pk, quantity=2, address_id=address.pk, key="b1", campaign_id=5
    )
    assert (order.total, order.campaign_id, order.state) == (25_800, 5, "awaiting_payment")
    with raises("quantity_limit"):
        actions.buy_now(buyer=buyer, sku_id=sku.pk, quantity=4, address_id=address.pk, key="b2")
    actions.buy_now(buyer=buyer, sku_id=sku.pk, quantity=3, address_id=address.pk, key="b3")
    with raises("out_of_stock"):
        actions.buy_now(buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="b4")
    assert Sku.objects.get(pk=sku.pk).stock == 0
    assert Order.objects.count() == 2


# --- payment and the escrow lifecycle -------------------------------------------------------


@pytest.fixture
def order(buyer, scarf, address):
    _product, sku = scarf
    return actions.buy_now(buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="o")


def test_commission_rounds_half_up():
    assert actions.commission_for(12_900, 200) == 258
    assert actions.commission_for(25, 200) == 1  # 0.5 fen
    assert actions.commission_for(24, 200) == 0  # 0.48 fen
    assert actions.commission_for(75, 200) == 2  # 1.5 fen
    assert actions.commission_for(10_000, 0) == 0


def test_full_lifecycle_pays_the_merchant_less_commission(buyer, merchant, order):
    fund(buyer, 20_000)
    actions.pay_order(buyer=buyer, order_id=order.pk)
    assert wallet_balance(buyer) == 20_000 - 12_900
    actions.ship_order(
        merchant=merchant, order_id=order.pk, carrier="SF Express", tracking_number="SF123"
    )
    assert merchant_balance(merchant) == 0
    done = actions.confirm_receipt(buyer=buyer, order_id=order.pk)
    assert (done.state, done.commission) == ("completed", 258)
    assert merchant_balance(merchant) == 12_900 - 258
    order.refresh_from_db()
    assert (order.carrier, order.tracking_number) == ("SF Express", "SF123")
    assert kinds(order) == ["placed", "paid", "shipped", "completed"]
    assert list(order.events.values_list("actor_id", flat=True)) == [
        buyer.pk,
        buyer.pk,
        merchant.pk,
        buyer.pk,
    ]


def test_pay_with_too_little_money_changes_nothing(buyer, order):
    fund(buyer, 1_000)
    before = ledger_snapshot()
    with raises("insufficient_funds"):
        actions.pay_order(buyer=buyer, order_id=order.pk)
    assert Order.objects.get(pk=order.pk).state == "awaiting_payment"
    assert ledger_snapshot() == before
    assert kinds(order) == ["placed"]


def test_pay_twice_charges_once(buyer, order):
    fund(buyer, 30_000)
    actions.pay_order(buyer=buyer, order_id=order.pk)
    with raises("invalid_state"):
        actions.pay_order(buyer=buyer, order_id=order.pk)
    assert wallet_balance(buyer) == 30_000 - 12_900
    assert kinds(order) == ["placed", "paid"]


def test_only_the_buyer_pays_confirms_and_only_the_merchant_ships(
    make_user, buyer, merchant, order
):
    fund(buyer, 30_000)
    stranger = make_user("mallory", kind="merchant", verified=True)
    with raises("order_not_found"):
        actions.pay_order(buyer=stranger, order_id=order.pk)
    with raises("order_not_found"):
        actions.pay_order(buyer=merchant, order_id=order.pk)
    actions.pay_order(buyer=buyer, order_id=order.pk)
    for who in (buyer, stranger):
        with raises("order_not_found"):
            actions.ship_order(merchant=who, order_id=order.pk, carrier="SF", tracking_number="1")
    actions.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="1")
    for who in (merchant, stranger):
        with raises("order_not_found"):
            actions.confirm_receipt(buyer=who, order_id=order.pk)
    with raises("order_not_found"):
        actions.cancel_order(person=stranger, order_id=order.pk)
    assert Order.objects.get(pk=order.pk).state == "shipped"


def test_lifecycle_steps_out_of_order(buyer, merchant, order):
    with raises("invalid_state"):
        actions.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="1")
    with raises("invalid_state"):
        actions.confirm_receipt(buyer=buyer, order_id=order.pk)
    fund(buyer, 30_000)
    actions.pay_order(buyer=buyer, order_id=order.pk)
    with raises("validation_error"):
        actions.ship_order(merchant=merchant, order_id=order.pk, carrier=" ", tracking_number="1")
    actions.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="1")
    with raises("invalid_state"):
        actions.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="2")
    with raises("invalid_state"):
        actions.cancel_order(person=buyer, order_id=order.pk)
    actions.confirm_receipt(buyer=buyer, order_id=order.pk)
    with raises("invalid_state"):
        actions.confirm_receipt(buyer=buyer, order_id=order.pk)
    assert merchant_balance(merchant) == 12_642
    assert kinds(order) == ["placed", "paid", "shipped", "completed"]


def test_cancel_unpaid_releases_stock(buyer, order, scarf):
    _product, sku = scarf
    assert Sku.objects.get(pk=sku.pk).stock == 4
    cancelled = actions.cancel_order(person=buyer, order_id=order.pk)
    assert cancelled.state == "cancelled"
    assert Sku.objects.get(pk=sku.pk).stock == 5
    with raises("invalid_state"):
        actions.cancel_order(person=buyer, order_id=order.pk)
    assert Sku.objects.get(pk=sku.pk).stock == 5


def test_merchant_cancels_paid_order_and_buyer_is_refunded_in_full(buyer, merchant, order, scarf):
    _product, sku = scarf
    fund(buyer, 20_000)
    actions.pay_order(buyer=buyer, order_id=order.pk)
    actions.cancel_order(person=merchant, order_id=order.pk, note="Sold out in the warehouse")
    assert wallet_balance(buyer) == 20_000
    assert Sku.objects.get(pk=sku.pk).stock == 5
    assert kinds(order) == ["placed", "paid", "cancelled"]
    assert OrderEvent.objects.get(kind="cancelled").note == "Sold out in the warehouse"


def test_expiry_releases_stock_once(buyer, order, scarf):
    _product, sku = scarf
    assert actions.expire_unpaid_orders() == 0
    later = timezone.now() + timedelta(minutes=31)
    assert actions.expire_unpaid_orders(now=later) == 1
    assert actions.expire_unpaid_orders(now=later) == 0
    assert actions.expire_order(order_id=order.pk, now=later) is False
    assert Sku.objects.get(pk=sku.pk).stock == 5
    assert Order.objects.get(pk=order.pk).state == "expired"
    assert kinds(order) == ["placed", "expired"]
    fund(buyer, 20_000)
    with raises("invalid_state"):
        actions.pay_order(buyer=buyer, order_id=order.pk)
    assert wallet_balance(buyer) == 20_000


def test_pay_after_deadline_refused(buyer, order):
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    fund(buyer, 20_000)
    with raises("order_expired"):
        actions.pay_order(buyer=buyer, order_id=order.pk)
    assert wallet_balance(buyer) == 20_000


def test_auto_complete_after_the_period(buyer, merchant, order):
    fund(buyer, 20_000)
    actions.pay_order(buyer=buyer, order_id=order.pk)
    actions.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="1")
    assert actions.auto_complete_shipped_orders() == 0
    later = timezone.now() + timedelta(days=10, minutes=1)
    assert actions.auto_complete_shipped_orders(now=later) == 1
    assert actions.auto_complete_shipped_orders(now=later) == 0
    assert actions.auto_complete_order(order_id=order.pk, now=later) is False
    assert merchant_balance(merchant) == 12_642
    event = OrderEvent.objects.get(kind="auto_completed")
    assert (event.actor_id, event.to_state) == (None, "completed")


def test_sweep_command(buyer, order):
    from io import StringIO

    from django.core.management import call_command

    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    out = StringIO()
    call_command("shop_sweep", stdout=out)
    assert out.getvalue().strip() == "expired=1 completed=0"


# --- refunds after completion ---------------------------------------------------------------


def complete(buyer, merchant, order) -> None:
    fund(buyer, 20_000)
    actions.pay_order(buyer=buyer, order_id=order.pk)
    actions.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="1")
    actions.confirm_receipt(buyer=buyer, order_id=order.pk)


@pytest.fixture
def completed(make_user, buyer, merchant, order, scarf):
    """A completed order, and a second sale on the merchant's balance."""
    complete(buyer, merchant, order)
    carol = make_user("carol")
    other = actions.buy_now(
        buyer=carol, sku_id=scarf[1].pk, quantity=1, address_id=make_address(carol).pk, key="c"
    )
    complete(carol, merchant, other)
    assert merchant_balance(merchant) == 2 * 12_642
    return order


def test_refund_accepted(buyer, merchant, completed):
    refund = actions.request_refund(buyer=buyer, order_id=completed.pk, reason="Torn")
    assert refund.state == "requested"
    with raises("refund_exists"):
        actions.request_refund(buyer=buyer, order_id=completed.pk, reason="Again")
    with raises("order_not_found"):
        actions.answer_refund(merchant=buyer, order_id=completed.pk, accept=True)
    actions.answer_refund(merchant=merchant, order_id=completed.pk, accept=True)
    assert Order.objects.get(pk=completed.pk).state == "refunded"
    assert wallet_balance(buyer) == 20_000
    # The merchant returns what it received; the platform returns its commission.
    assert merchant_balance(merchant) == 12_642
    with raises("invalid_state"):
        actions.answer_refund(merchant=merchant, order_id=completed.pk, accept=True)
    assert wallet_balance(buyer) == 20_000
    assert kinds(completed)[-2:] == ["refund_requested", "refund_accepted"]


def test_refund_declined_disputed_and_decided(make_user, buyer, merchant, completed):
    actions.request_refund(buyer=buyer, order_id=completed.pk, reason="Wrong colour")
    with raises("validation_error"):
        actions.answer_refund(merchant=merchant, order_id=completed.pk, accept=False, note="")
    actions.answer_refund(
        merchant=merchant, order_id=completed.pk, accept=False, note="Colour as pictured"
    )
    with raises("order_not_found"):
        actions.dispute_refund(buyer=merchant, order_id=completed.pk)
    refund = actions.dispute_refund(buyer=buyer, order_id=completed.pk)
    assert refund.state == "disputed"
    with raises("forbidden"):
        actions.decide_refund(operator=buyer, refund_id=refund.pk, decision="refund")
    operator = make_user("operator", is_staff=True)
    with raises("validation_error"):
        actions.decide_refund(operator=operator, refund_id=refund.pk, decision="maybe")
    actions.decide_refund(operator=operator, refund_id=refund.pk, decision="refund", note="Photo")
    assert RefundRequest.objects.get().decision == "refund"
    assert Order.objects.get(pk=completed.pk).state == "refunded"
    assert wallet_balance(buyer) == 20_000
    with raises("invalid_state"):
        actions.decide_refund(operator=operator, refund_id=refund.pk, decision="refund")
    assert wallet_balance(buyer) == 20_000


def test_operator_keeps_the_sale(make_user, buyer, merchant, completed):
    actions.request_refund(buyer=buyer, order_id=completed.pk, reason="Changed my mind")
    actions.answer_refund(merchant=merchant, order_id=completed.pk, accept=False, note="No")
    refund = actions.dispute_refund(buyer=buyer, order_id=completed.pk)
    operator = make_user("operator", is_staff=True)
    actions.decide_refund(operator=operator, refund_id=refund.pk, decision="reject")
    assert Order.objects.get(pk=completed.pk).state == "completed"
    assert merchant_balance(merchant) == 2 * 12_642


def test_refund_refused(buyer, order, completed):
    with raises("validation_error"):
        actions.request_refund(buyer=buyer, order_id=completed.pk, reason=" ")
    Order.objects.filter(pk=completed.pk).update(
        completed_at=timezone.now() - timedelta(days=7, minutes=1)
    )
    with raises("refund_window_closed"):
        actions.request_refund(buyer=buyer, order_id=completed.pk, reason="Late")
    assert RefundRequest.objects.count() == 0


def test_refund_only_after_completion(buyer, order):
    with raises("invalid_state"):
        actions.request_refund(buyer=buyer, order_id=order.pk, reason="Where is it")


# --- checkout and pay in one step -------------------------------------------------------------


def test_buy_now_and_pay_in_one_step(buyer, scarf, address):
    _product, sku = scarf
    fund(buyer, 30_000)
    order = actions.buy_now(
        buyer=buyer, sku_id=sku.pk, quantity=2, address_id=address.pk, key="k", pay=True
    )
    assert (order.state, order.total) == ("paid", 25_800)
    assert wallet_balance(buyer) == 30_000 - 25_800
    assert Sku.objects.get(pk=sku.pk).stock == 3
    assert kinds(order) == ["placed", "paid"]
    again = actions.buy_now(
        buyer=buyer, sku_id=sku.pk, quantity=2, address_id=address.pk, key="k", pay=True
    )
    assert again.pk == order.pk
    assert wallet_balance(buyer) == 30_000 - 25_800


def test_buy_now_and_pay_without_money_takes_nothing(buyer, scarf, address):
    _product, sku = scarf
    fund(buyer, 10_000)
    before = ledger_snapshot()
    with raises("insufficient_funds"):
        actions.buy_now(
            buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="k", pay=True
        )
    assert Order.objects.count() == 0
    assert Sku.objects.get(pk=sku.pk).stock == 5
    assert ledger_snapshot() == before


def test_cart_checkout_and_pay(make_user, buyer, scarf, address):
    _product, sku = scarf
    other = make_user("bobshop", kind="merchant", verified=True)
    _p2, mug = make_product(other, title="Mug", price=3_500, stock=9)
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=1)
    actions.add_to_cart(person=buyer, sku_id=mug.pk, quantity=1)
    fund(buyer, 14_000)
    # Enough for the scarf alone, not for both: neither order is made.
    with raises("insufficient_funds"):
        actions.checkout(buyer=buyer, address_id=address.pk, key="k", pay=True)
    assert Order.objects.count() == 0
    assert CartLine.objects.count() == 2
    fund(buyer, 10_000)
    orders = actions.checkout(buyer=buyer, address_id=address.pk, key="k", pay=True)
    assert [o.state for o in orders] == ["paid", "paid"]
    assert wallet_balance(buyer) == 24_000 - 16_400
