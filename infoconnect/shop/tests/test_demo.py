"""seed_demo's shop data: categories, products on sale with SKUs and pictures, addresses,
made through the shop's actions and not added again by a second seed."""

import pytest
from django.apps import apps
from django.core.management import call_command
from PIL import Image

from infoconnect.accounts.models import User
from infoconnect.shop import demo
from infoconnect.shop.models import Address, Category, Product, ProductImage


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=None)
    first = _row_counts()
    call_command("seed_demo")
    assert _row_counts() == first
    return first


def test_seed_twice_adds_nothing(seeded):
    assert seeded["shop.Category"] == 3
    assert seeded["shop.Product"] == 6
    assert seeded["shop.Sku"] == 11
    assert seeded["shop.ProductImage"] == 6
    assert seeded["shop.Address"] == 2


def test_products_on_sale_with_skus(seeded):
    shops = {}
    for product in Product.objects.select_related("merchant", "category").order_by("pk"):
        shops.setdefault(product.merchant.username, []).append(
            (product.title, product.category.name, product.status)
        )
    assert shops == {
        "greentea_shop": [
            ("West Lake Longjing, first flush", "Tea", "active"),
            ("Biluochun green tea", "Tea", "active"),
            ("Celadon gaiwan tea set", "Tea", "active"),
        ],
        "bytegadgets": [
            ("87-key mechanical keyboard", "Electronics", "active"),
            ("USB-C dock, 8 in 1", "Electronics", "active"),
            ("Aluminium laptop stand", "Office", "active"),
        ],
    }
    assert sorted(Category.objects.values_list("slug", flat=True)) == [
        "electronics",
        "office",
        "tea",
    ]
    greentea = User.objects.get(username="greentea_shop")
    longjing = demo.product(greentea, "West Lake Longjing, first flush")
    # The demo orders took two 50 g tins; the stock shows it.
    assert [(s.label, s.price, s.currency, s.stock) for s in longjing.skus.all()] == [
        ("weight: 50 g tin", 6800, "CNY", 38),
        ("weight: 250 g tin", 29800, "CNY", 15),
    ]
    assert longjing.lowest_price == 6800


def test_each_product_has_a_picture_and_thumbnail(seeded):
    for product in Product.objects.all():
        images = list(product.images.all())
        assert len(images) == 1, product
        with images[0].image.open("rb") as fh, Image.open(fh) as picture:
            assert (picture.format, picture.size) == ("PNG", (600, 600))
        with images[0].thumbnail.open("rb") as fh, Image.open(fh) as thumb:
            assert (thumb.format, thumb.size) == ("JPEG", (400, 400))
    assert ProductImage.objects.filter(position=0).count() == 6


def test_addresses(seeded):
    lines = [
        (a.person.username, a.recipient_name, a.mobile, a.one_line)
        for a in Address.objects.select_related("person").order_by("pk")
    ]
    assert lines == [
        (
            "lihua",
            "Li Hua",
            "13812345678",
            "Zhejiang Hangzhou Xihu District 18 Longjing Road, Unit 302",
        ),
        (
            "wangfang",
            "Wang Fang",
            "13987654321",
            "Shanghai Shanghai Xuhui District 200 Wukang Road, Room 1501",
        ),
    ]
    for address in Address.objects.all():
        address.full_clean()
