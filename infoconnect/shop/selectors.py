"""Reads for the shop's pages and API. Nobody gets another person's orders or addresses."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.db.models import (
    Avg,
    Count,
    Exists,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.ids import is_id
from infoconnect.core.pagination import PageParams, paginate
from infoconnect.shop.lifecycle import BOUGHT_STATES, orders, refunds
from infoconnect.shop.models import (
    Address,
    CartLine,
    Category,
    Order,
    OrderLine,
    PostProduct,
    Product,
    ProductImage,
    RefundRequest,
    Review,
    ReviewPhoto,
    ShippingPolicy,
    Sku,
)


def _with_card_data(queryset: QuerySet[Product]) -> QuerySet[Product]:
    return (
        queryset.select_related("merchant__merchant_profile", "category")
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
    """The verified merchant with this username, whatever case it is typed in: an applicant
    still under review has no public shop."""
    return User.objects.filter(
        username__iexact=username, kind=User.Kind.MERCHANT, is_verified_merchant=True
    ).first()


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


def sku_with_product(*, sku_id: int, viewer: User | None) -> Sku | None:
    """A SKU and its product (what a buy-now page shows): of an active product for anyone, of a
    draft or archived one only for its merchant, as the product page."""
    sku = Sku.objects.select_related("product").filter(pk=sku_id).first()
    if sku is None:
        return None
    if sku.product.status != Product.Status.ACTIVE and (
        viewer is None or not viewer.is_authenticated or viewer.pk != sku.product.merchant_id
    ):
        return None
    return sku


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


# --- product page: units sold, shipping, reviews; trending --------------------------------


def units_sold(*, product_id: int) -> int:
    """Units of the product in orders bought and not undone (paid, shipped, completed): one
    sum over the product's order lines (indexed by product)."""
    total = OrderLine.objects.filter(
        product_id=product_id, order__state__in=BOUGHT_STATES
    ).aggregate(n=Sum("quantity"))["n"]
    return int(total or 0)


def product_shipping(*, merchant_id: int) -> ShippingPolicy | None:
    """The merchant's shipping fee and free-shipping threshold, if it set them."""
    return ShippingPolicy.objects.filter(merchant_id=merchant_id).first()


def _shown_reviews(product_id: int) -> QuerySet[Review]:
    return Review.objects.filter(product_id=product_id, hidden=False)


def review_summary(*, product_id: int) -> dict:
    """What the product page says of its reviews: how many are shown, their average rating
    (one decimal, None without reviews), and how many carry photos."""
    has_photo = Exists(ReviewPhoto.objects.filter(review_id=OuterRef("pk")))
    totals = (
        _shown_reviews(product_id)
        .annotate(has_photo=has_photo)
        .aggregate(
            count=Count("id"),
            average=Avg("rating"),
            with_photos=Count("id", filter=Q(has_photo=True)),
        )
    )
    average = totals["average"]
    return {
        "count": totals["count"],
        "average": round(float(average), 1) if average is not None else None,
        "with_photos": totals["with_photos"],
    }


def product_reviews(
    *, product_id: int, params: PageParams, with_photos: bool = False
) -> list[Review]:
    """The product's reviews an operator has not hidden, newest first, with their photos."""
    reviews = _shown_reviews(product_id)
    if with_photos:
        reviews = reviews.filter(Exists(ReviewPhoto.objects.filter(review_id=OuterRef("pk"))))
    return paginate(reviews.select_related("buyer", "line").prefetch_related("photos"), params)


def reviewer_name(user: User | None) -> str:
    """A reviewer as shops show one, the name's first and last characters (a***e): a review
    tells everyone what its buyer bought."""
    name = user.name if user is not None else ""
    if len(name) <= 1:
        return f"{name}***"
    return f"{name[0]}***{name[-1]}"


def review_for_merchant(*, merchant: User, review_id: int) -> Review | None:
    """A review of something the merchant sold (what it may reply to)."""
    return (
        Review.objects.filter(pk=review_id, order__merchant_id=merchant.pk)
        .select_related("line")
        .first()
    )


def order_line_reviews(*, order: Order) -> dict[int, Review]:
    """Line id -> its review, for an order's page."""
    return {
        review.line_id: review
        for review in Review.objects.filter(order_id=order.pk).prefetch_related("photos")
    }


TRENDING_SECONDS = 300


def trending_products(*, days: int = 7, limit: int = 6) -> list[Product]:
    """The products most sold (units in orders paid in the last ``days`` and not undone) that
    are on sale now from a verified merchant, the best-selling first. The ranking is kept for
    a few minutes (one grouped sum over a week of orders); the cards are read fresh."""

    def rank() -> list[int]:
        since = timezone.now() - timedelta(days=days)
        return list(
            OrderLine.objects.filter(
                order__paid_at__gte=since,
                order__state__in=BOUGHT_STATES,
                product_id__isnull=False,
            )
            .values("product_id")
            .annotate(units=Sum("quantity"))
            .order_by("-units", "-product_id")
            .values_list("product_id", flat=True)[: limit * 2]
        )

    ranked = cache.get_or_set(f"shop:trending:{days}:{limit}", rank, TRENDING_SECONDS)
    cards = product_cards(ranked)
    shown = [cards[pk] for pk in ranked if pk in cards]
    return [product for product in shown if product.merchant.is_verified_merchant][:limit]


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
        .select_related("sku__product__merchant__merchant_profile")
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
    return paginate(
        orders.select_related("merchant__merchant_profile").prefetch_related("lines"), params
    )


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
        .select_related("buyer", "merchant__merchant_profile")
        .prefetch_related("lines", "events__actor", "refund_requests")
        .first()
    )


def orders_by_id(*, user: User, ids) -> dict[int, Order]:
    """Those of the orders whose buyer or merchant the user is, by id (others are left out)."""
    orders = Order.objects.filter(Q(buyer_id=user.pk) | Q(merchant_id=user.pk), pk__in=ids)
    return {order.pk: order for order in orders}


def refunds_for_merchant(*, merchant: User, open_only: bool = True) -> list[RefundRequest]:
    """Refund requests on the merchant's orders; ``open_only``: those waiting for its answer
    or for goods on their way back to it."""
    requests = RefundRequest.objects.filter(order__merchant_id=merchant.pk)
    if open_only:
        requests = requests.filter(
            state__in=refunds.sources("accept", "decline", "receive_return", "ship_return")
        )
    return list(
        requests.select_related("order__buyer")
        .prefetch_related("order__lines", "evidence")
        .order_by("-pk")
    )


def latest_refund_id(*, order_id: int) -> int | None:
    """The order's latest (the only one that may be open) refund request's id."""
    return (
        RefundRequest.objects.filter(order_id=order_id)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )


def return_addresses(*, merchant: User) -> list[Address]:
    """The merchant's saved addresses, any of which it may give for a return."""
    return list(Address.objects.filter(person_id=merchant.pk))


def refunded_quantities(order: Order) -> dict[int, int]:
    """Units of each line that granted requests gave back so far."""
    given: dict[int, int] = {}
    granted = RefundRequest.objects.filter(order=order, refunded_at__isnull=False)
    for lines in granted.values_list("lines", flat=True):
        for line in lines or []:
            given[line["line"]] = given.get(line["line"], 0) + line["quantity"]
    return given


def refund_panel(*, order: Order, user: User) -> dict:
    """What the order page's refund section shows ``user``: the order's requests, newest
    first, with their photos; whether and what the buyer may ask; the lines with the units
    refunds have not given back."""
    requests = list(order.refund_requests.order_by("-pk").prefetch_related("evidence"))
    latest = requests[0] if requests else None
    is_buyer = order.buyer_id == user.pk
    given = refunded_quantities(order)
    may_ask = (
        is_buyer
        and orders.allows(order, "refund")
        and (latest is None or latest.state in RefundRequest.CLOSED_STATES)
    )
    return {
        "requests": requests,
        "latest": latest,
        "may_ask": may_ask,
        "may_return": order.state in (Order.State.SHIPPED, Order.State.COMPLETED),
        "lines": [
            (line, line.quantity - given.get(line.pk, 0))
            for line in order.lines.all()
            if line.quantity > given.get(line.pk, 0)
        ],
        "addresses": return_addresses(merchant=user) if order.merchant_id == user.pk else [],
    }


def refunds_for_buyer(*, buyer: User) -> list[RefundRequest]:
    return list(
        RefundRequest.objects.filter(order__buyer_id=buyer.pk)
        .select_related("order")
        .prefetch_related("evidence")
        .order_by("-pk")
    )


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
