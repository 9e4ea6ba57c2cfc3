"""Reads for the shop's pages and API. Nobody gets another person's orders or addresses."""

from __future__ import annotations

from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q, QuerySet, Sum

from infoconnect.accounts.models import User
from infoconnect.core.ids import is_id
from infoconnect.core.pagination import PageParams, paginate
from infoconnect.shop.lifecycle import BOUGHT_STATES, orders, refunds
from infoconnect.shop.models import (
    Address,
    CartLine,
    Category,
    Order,
    PostProduct,
    Product,
    ProductImage,
    RefundRequest,
    Sku,
)


def _with_card_data(queryset: QuerySet[Product]) -> QuerySet[Product]:
    return (
        queryset.select_related("merchant", "category")
        .annotate(
            min_price=Min("skus__price", filter=Q(skus__is_active=True)),
            total_stock=Sum("skus__stock", filter=Q(skus__is_active=True)),
        )
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position")))
    )


def products_on_sale(
    *,
    params: PageParams,
    query: str = "",
    category_slug: str = "",
    merchant_id: int | None = None,
) -> list[Product]:
    """Products a shopper can look for: on sale, from a verified merchant, with at least one
    SKU on sale. One whose SKUs are all sold out stays listed (its card says so); one with no
    SKU on sale has nothing to offer and is left out."""
    products = Product.objects.filter(
        Exists(Sku.objects.filter(product_id=OuterRef("pk"), is_active=True)),
        status=Product.Status.ACTIVE,
        merchant__is_verified_merchant=True,
    )
    if merchant_id is not None:
        products = products.filter(merchant_id=merchant_id)
    if category_slug:
        products = products.filter(
            Q(category__slug=category_slug) | Q(category__parent__slug=category_slug)
        )
    query = (query or "").strip()
    if query:
        products = products.filter(Q(title__icontains=query) | Q(description__icontains=query))
    return paginate(_with_card_data(products), params)


def merchant_named(*, username: str) -> User | None:
    """The merchant account with this username, whatever case it is typed in."""
    return User.objects.filter(username__iexact=username, kind=User.Kind.MERCHANT).first()


def merchant_products(*, merchant: User) -> list[Product]:
    return list(_with_card_data(Product.objects.filter(merchant_id=merchant.pk)).order_by("-id"))


def merchant_product(*, merchant: User, product_id: int) -> Product | None:
    """One of the merchant's own products, whatever its status, with its SKUs and images."""
    return (
        Product.objects.filter(pk=product_id, merchant_id=merchant.pk)
        .prefetch_related("skus", "images")
        .first()
    )


def merchant_sku(*, merchant: User, sku_id: int) -> Sku | None:
    """One of the merchant's own SKUs."""
    return Sku.objects.filter(pk=sku_id, product__merchant_id=merchant.pk).first()


def sku_with_product(*, sku_id: int) -> Sku | None:
    """A SKU and its product (what a buy-now page shows), whoever sells it."""
    return Sku.objects.select_related("product").filter(pk=sku_id).first()


def product_for_viewer(*, product_id: int, viewer: User | None) -> Product | None:
    """An active product for anyone; a draft or archived one only for its merchant."""
    product = (
        _with_card_data(Product.objects.filter(pk=product_id))
        .prefetch_related(Prefetch("skus", queryset=Sku.objects.order_by("pk")))
        .first()
    )
    if product is None:
        return None
    if product.status != Product.Status.ACTIVE and (
        viewer is None or not viewer.is_authenticated or viewer.pk != product.merchant_id
    ):
        return None
    return product


def card_product(*, product_id: int) -> Product | None:
    """The product a card shows (posts, messages): only while it is on sale."""
    return (
        _with_card_data(Product.objects.filter(pk=product_id, status=Product.Status.ACTIVE))
        .order_by()
        .first()
    )


def product_cards(ids) -> dict[int, Product]:
    """The on-sale products for a page's cards, in one query (plus one for images)."""
    wanted = {int(i) for i in ids if i}
    if not wanted:
        return {}
    products = _with_card_data(
        Product.objects.filter(pk__in=wanted, status=Product.Status.ACTIVE)
    ).order_by()
    return {product.pk: product for product in products}


def product_cards_for_posts(post_ids) -> dict[int, Product]:
    """Post id -> the product its card shows, for a page of posts in two queries."""
    links = dict(
        PostProduct.objects.filter(post_id__in=list(post_ids)).values_list("post_id", "product_id")
    )
    cards = product_cards(links.values())
    return {post_id: cards[pid] for post_id, pid in links.items() if pid in cards}


def merchant_products_on_sale(*, merchant_id: int) -> list[Product]:
    """A merchant's own active products, for the card pickers."""
    return list(
        Product.objects.filter(merchant_id=merchant_id, status=Product.Status.ACTIVE)
        .order_by("-id")
        .only("id", "title")
    )


def product_card_for_post(*, post_id: int) -> Product | None:
    link = PostProduct.objects.filter(post_id=post_id).values_list("product_id", flat=True).first()
    return card_product(product_id=link) if link else None


def showable_product(*, author: User, product_id: object) -> Product | None:
    """The product a card by ``author`` may show: one of the author's own, on sale; else None.

    Every app that attaches a product card (posts, private messages, campaigns) asks this.
    """
    if not is_id(product_id):
        return None
    return Product.objects.filter(
        pk=product_id, merchant_id=author.pk, status=Product.Status.ACTIVE
    ).first()


def categories() -> list[Category]:
    return list(Category.objects.order_by("name"))


def cart_lines(*, person: User) -> list[CartLine]:
    return list(
        CartLine.objects.filter(cart__person_id=person.pk)
        .select_related("sku__product__merchant")
        .prefetch_related("sku__product__images")
        .order_by("pk")
    )


def cart_total(lines: list[CartLine]) -> int:
    return sum(line.sku.price * line.quantity for line in lines)


def cart_count(*, person: User) -> int:
    return CartLine.objects.filter(cart__person_id=person.pk).aggregate(n=Sum("quantity"))["n"] or 0


def addresses(*, person: User) -> list[Address]:
    return list(Address.objects.filter(person_id=person.pk).order_by("-pk"))


def orders_for_buyer(*, buyer: User, params: PageParams, state: str | None = None) -> list[Order]:
    """The person's own orders: what they bought for a company is listed on the company's
    orders page, apart from them."""
    orders = Order.objects.filter(buyer_id=buyer.pk, company_id__isnull=True)
    if state:
        orders = orders.filter(state=state)
    return paginate(orders.select_related("merchant").prefetch_related("lines"), params)


def orders_for_merchant(
    *, merchant: User, params: PageParams, state: str | None = None, from_companies: bool = False
) -> list[Order]:
    """The merchant's orders, newest first: in ``state`` (every state when empty), only those
    bought for a company with ``from_companies`` (the index shop_order_company)."""
    orders = Order.objects.filter(merchant_id=merchant.pk)
    if from_companies:
        orders = orders.filter(company_id__isnull=False)
    if state:
        orders = orders.filter(state=state)
    return paginate(orders.select_related("buyer").prefetch_related("lines"), params)


def order_for(*, user: User, order_id: int) -> Order | None:
    """The order if the user is its buyer or its merchant; None otherwise (shown as 404)."""
    if not user.is_authenticated:
        return None
    return (
        Order.objects.filter(Q(buyer_id=user.pk) | Q(merchant_id=user.pk), pk=order_id)
        .select_related("buyer", "merchant")
        .prefetch_related("lines", "events__actor", "refund_requests")
        .first()
    )


def orders_by_id(*, user: User, ids) -> dict[int, Order]:
    """Those of the orders whose buyer or merchant the user is, by id (others are left out)."""
    orders = Order.objects.filter(Q(buyer_id=user.pk) | Q(merchant_id=user.pk), pk__in=ids)
    return {order.pk: order for order in orders}


def refunds_for_merchant(*, merchant: User, open_only: bool = True) -> list[RefundRequest]:
    """Refund requests on the merchant's orders; ``open_only``: those waiting for an answer."""
    requests = RefundRequest.objects.filter(order__merchant_id=merchant.pk)
    if open_only:
        requests = requests.filter(state__in=refunds.sources("accept", "decline"))
    return list(requests.select_related("order__buyer").order_by("-pk"))


def refunds_for_buyer(*, buyer: User) -> list[RefundRequest]:
    return list(RefundRequest.objects.filter(order__buyer_id=buyer.pk).order_by("-pk"))


def refund_order_id(*, user: User, refund_id: int) -> int | None:
    """The order a refund request is about, if the user is that order's buyer or merchant."""
    order_id = RefundRequest.objects.filter(pk=refund_id).values_list("order_id", flat=True).first()
    if order_id is None or order_for(user=user, order_id=order_id) is None:
        return None
    return order_id


def campaign_sales(*, campaign_id: int) -> dict:
    """Orders attributed to a campaign and the revenue they brought (paid and not undone)."""
    paid = Order.objects.filter(campaign_id=campaign_id, state__in=BOUGHT_STATES)
    totals = paid.aggregate(revenue=Sum("total"), orders=Count("id"))
    refunded = Order.objects.filter(
        campaign_id=campaign_id, state__in=orders.targets("refund")
    ).aggregate(amount=Sum("total"), orders=Count("id"))
    return {
        "orders": totals["orders"],
        "revenue": totals["revenue"] or 0,
        "refunded_orders": refunded["orders"],
        "refunded": refunded["amount"] or 0,
    }


def company_spend(*, top: int = 10, currency: str = "CNY") -> dict:
    """What companies spend in the shop, for the operator: ``total``, the fen of every order
    bought for a company and not undone (paid, shipped or completed; a cancelled or refunded
    order counts nothing), and ``top``, the companies spending most as (company id, name,
    fen), the name as their latest order carries it."""
    bought = Order.objects.filter(
        company_id__isnull=False, state__in=BOUGHT_STATES, currency=currency
    )
    total = bought.aggregate(total=Sum("total"))["total"] or 0
    by_company = list(
        bought.values("company_id")
        .annotate(spent=Sum("total"), latest=Max("id"))
        .order_by("-spent", "company_id")[:top]
    )
    names = dict(
        Order.objects.filter(pk__in=[row["latest"] for row in by_company]).values_list(
            "company_id", "company_name"
        )
    )
    return {
        "total": int(total),
        "top": [
            (row["company_id"], names[row["company_id"]], int(row["spent"])) for row in by_company
        ],
    }
