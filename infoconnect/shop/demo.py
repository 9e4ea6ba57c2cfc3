"""The shop's demo data: categories, each merchant's products on sale (SKUs, stock, a
picture) and the people's shipping addresses.

Everything goes through the shop's actions; rows are found again by natural keys (category
slug, product title + merchant, address mobile + street), so seeding twice adds nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_noop

from infoconnect.core.management import drawings
from infoconnect.shop import actions
from infoconnect.shop.models import Address, Category, Product

if TYPE_CHECKING:
    from infoconnect.accounts.models import User
    from infoconnect.core.management.demo import DemoContext

# slug, name (in the catalogue, so the pages show a seeded category in the reader's language)
CATEGORIES = [
    ("tea", gettext_noop("Tea")),
    ("electronics", gettext_noop("Electronics")),
    ("office", gettext_noop("Office")),
]

# merchant, title, category slug, picture colour, description, SKUs (attributes, fen, stock)
PRODUCTS = [
    (
        "greentea_shop",
        "West Lake Longjing, first flush",
        "tea",
        "#5b8c3a",
        "Hand-fried Longjing from the West Lake hills, picked before Qingming.",
        [({"weight": "50 g tin"}, 6800, 40), ({"weight": "250 g tin"}, 29800, 15)],
    ),
    (
        "greentea_shop",
        "Biluochun green tea",
        "tea",
        "#7fae5a",
        "Curly spring leaves from Dongting Mountain, fruity and fresh.",
        [({"weight": "100 g"}, 8800, 30), ({"weight": "250 g"}, 19800, 20)],
    ),
    (
        "greentea_shop",
        "Celadon gaiwan tea set",
        "tea",
        "#8fb8a8",
        "A gaiwan, a fair cup and four cups in Longquan celadon.",
        [({"glaze": "celadon"}, 15800, 10), ({"glaze": "white"}, 13800, 12)],
    ),
    (
        "bytegadgets",
        "87-key mechanical keyboard",
        "electronics",
        "#3a4a6b",
        "Hot-swappable switches, PBT keycaps, USB-C.",
        [({"switches": "brown"}, 32900, 25), ({"switches": "red"}, 32900, 25)],
    ),
    (
        "bytegadgets",
        "USB-C dock, 8 in 1",
        "electronics",
        "#4f6d8f",
        "HDMI 4K, two USB-A, Ethernet, SD and 100 W pass-through charging.",
        [({"colour": "space grey"}, 19900, 30), ({"colour": "silver"}, 19900, 30)],
    ),
    (
        "bytegadgets",
        "Aluminium laptop stand",
        "office",
        "#8a8f99",
        "Six heights, folds flat, fits laptops from 10 to 17 inches.",
        [({"colour": "grey"}, 12900, 20)],
    ),
]

# What each product's picture shows (core.management.drawings).
PICTURES = {
    "West Lake Longjing, first flush": "tin",
    "Biluochun green tea": "leaves",
    "Celadon gaiwan tea set": "gaiwan",
    "87-key mechanical keyboard": "keyboard",
    "USB-C dock, 8 in 1": "dock",
    "Aluminium laptop stand": "stand",
}

# person, recipient, province, city, district, street, mobile
ADDRESSES = [
    (
        "lihua",
        "Li Hua",
        "ZJ",
        "Hangzhou",
        "Xihu District",
        "18 Longjing Road, Unit 302",
        "13812345678",
    ),
    (
        "wangfang",
        "Wang Fang",
        "SH",
        "Shanghai",
        "Xuhui District",
        "200 Wukang Road, Room 1501",
        "13987654321",
    ),
]


def product(merchant: User, title: str) -> Product:
    """A seeded product, found by its natural key (merchant + title)."""
    return Product.objects.get(merchant_id=merchant.pk, title=title)


def address(person: User) -> Address:
    """The seeded address of ``person``."""
    for username, _recipient, _p, _c, _d, street, mobile in ADDRESSES:
        if username == person.username:
            return Address.objects.get(person_id=person.pk, street=street, mobile=mobile)
    raise LookupError(f"no demo address for {person.username}")


def seed_categories(context: DemoContext) -> dict[str, Category]:
    # The shop has no action for categories (operators add them in the admin).
    categories = {}
    for slug, name in CATEGORIES:
        category, created = Category.objects.get_or_create(slug=slug, defaults={"name": name})
        if created:
            context.log(f"created category {name}")
        categories[slug] = category
    return categories


def seed_products(context: DemoContext, categories: dict[str, Category]) -> None:
    for username, title, slug, colour, description, skus in PRODUCTS:
        merchant = context.users[username]
        item = Product.objects.filter(merchant_id=merchant.pk, title=title).first()
        if item is None:
            item = actions.create_product(
                merchant=merchant,
                title=title,
                description=description,
                category_id=categories[slug].pk,
            )
            context.log(f"created product {title}")
        if not item.skus.exists():
            for attributes, price, stock in skus:
                actions.add_sku(
                    merchant=merchant,
                    product_id=item.pk,
                    attributes=attributes,
                    price=price,
                    stock=stock,
                )
        if not item.images.exists():
            actions.add_product_image(
                merchant=merchant,
                product_id=item.pk,
                upload=drawings.product(PICTURES[title], colour, name=f"product-{item.pk}"),
            )
        # Only a new product is published: one the merchant has archived stays archived.
        if item.status == Product.Status.DRAFT:
            actions.publish_product(merchant=merchant, product_id=item.pk)


def seed_addresses(context: DemoContext) -> None:
    for username, recipient, province, city, district, street, mobile in ADDRESSES:
        person = context.users[username]
        if Address.objects.filter(person_id=person.pk, street=street, mobile=mobile).exists():
            continue
        actions.add_address(
            person=person,
            recipient_name=recipient,
            province=province,
            city=city,
            district=district,
            street=street,
            mobile=mobile,
        )
        context.log(f"added an address for {username}")


def seed(context: DemoContext) -> None:
    seed_products(context, seed_categories(context))
    seed_addresses(context)
