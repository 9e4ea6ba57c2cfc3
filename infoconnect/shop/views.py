"""Shop pages: catalog, cart, checkout, orders (buyer), and the merchant's products, orders
to ship and refunds to answer. Views validate input and call actions; money-moving forms carry
a hidden uuid4 key and run once per key."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from infoconnect.core import ratelimits
from infoconnect.core.errors import DomainError
from infoconnect.core.idempotency import form_once
from infoconnect.core.ids import parse_id
from infoconnect.core.pagination import PageParams
from infoconnect.core.views import render_domain_error
from infoconnect.shop import (
    actions,
    coupon_selectors,
    lifecycle,
    pay_views,
    pricing,
    selectors,
    stepper,
)
from infoconnect.shop.actions.shipping import set_shipping_policy
from infoconnect.shop.attribution import accepted_campaign, accepted_campaign_for_sku
from infoconnect.shop.coupon_forms import ShippingForm
from infoconnect.shop.forms import (
    AddressForm,
    AddToCartForm,
    ImageForm,
    NoteForm,
    ProductForm,
    ReasonForm,
    ShipForm,
    SkuEditForm,
    SkuForm,
    StockForm,
)
from infoconnect.shop.models import Order, Product
from infoconnect.social import selectors as social_selectors


def shop_header(request: HttpRequest) -> dict:
    """The header's shop links (registered in ShopConfig.ready)."""
    user = request.user
    links = [
        {
            "url": reverse("shop:browse"),
            "id": "nav-shop",
            "label": _("Shop"),
            "icon": "shopping-bag",
            # Translators: the shop's tab in the phone's bottom bar (购物).
            "tab": pgettext_lazy("tab", "Shop"),
            # Counted only when a page draws the header, not for every fragment.
            "badge": SimpleLazyObject(lambda: selectors.cart_count(person=user) or None),
        },
        {
            "url": reverse("shop:orders"),
            "id": "nav-orders",
            "label": _("Orders"),
            "icon": "clipboard-document-list",
        },
    ]
    if request.user.is_verified_merchant:
        links.append(
            {
                "url": reverse("shop:seller_centre"),
                "id": "nav-sell",
                "label": _("Sell"),
                "icon": "building-storefront",
            }
        )
    return {"header_links": links}


def _page(request: HttpRequest) -> PageParams:
    return PageParams.clean(max_id=request.GET.get("max_id"), limit=request.GET.get("limit"))


def _next_max_id(rows: list, params: PageParams) -> int | None:
    return rows[-1].pk if len(rows) == params.limit else None


def _safe_next(request: HttpRequest) -> str | None:
    """The form's "next" page when it is on this site, else None: never a redirect elsewhere."""
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return None


def _back(request: HttpRequest, *fallback, **kwargs) -> HttpResponse:
    """Redirect to the form's "next" page, or to the fallback view."""
    return redirect(_safe_next(request) or reverse(*fallback, **kwargs))


def _attempt(request: HttpRequest, work, done: str) -> HttpResponse | None:
    """Run a domain action and flash its outcome; a 404 is a page of its own (returned), any
    other refusal is flashed and the caller redirects as on success."""
    try:
        work()
    except DomainError as error:
        if error.status == 404:
            return render_domain_error(request, error)
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return None


def _post_once(request: HttpRequest, scope: str, params: dict, work, done: str) -> None:
    """Run a money-moving action once per the form's key, flashing ``done`` when it ran."""

    def run() -> None:
        work()

    if form_once(request, scope=scope, params=params, work=run) is not None:
        messages.success(request, done)


def _form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# --- catalog -----------------------------------------------------------------------------


def browse(request: HttpRequest) -> HttpResponse:
    params = _page(request)
    query = request.GET.get("q", "")[:100]
    category = request.GET.get("category", "")[:60]
    products = selectors.products_on_sale(params=params, query=query, category_slug=category)
    return render(
        request,
        "shop/browse.html",
        {
            "products": products,
            "categories": selectors.categories(),
            "query": query,
            "category": category,
            "next_max_id": _next_max_id(products, params),
        },
    )


def merchant_shop(request: HttpRequest, username: str) -> HttpResponse:
    merchant = selectors.merchant_named(username=username)
    if merchant is None:
        raise Http404
    params = _page(request)
    products = selectors.products_on_sale(params=params, merchant_id=merchant.pk)
    return render(
        request,
        "shop/merchant_shop.html",
        {
            "merchant": merchant,
            # The follow button is the profile's: it needs the viewer's relationship.
            "account": merchant,
            "relation": social_selectors.relationship(viewer=request.user, target=merchant),
            "products": products,
            "next_max_id": _next_max_id(products, params),
        },
    )


def _gallery_image(images: list, chosen: str | None):
    """The image shown large: the one ``?image=`` names (a thumbnail link), else the first."""
    wanted = parse_id(chosen)
    return next((image for image in images if image.pk == wanted), images[0] if images else None)


def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    product = selectors.product_for_viewer(product_id=product_id, viewer=request.user)
    if product is None:
        raise Http404
    skus = [sku for sku in product.skus.all() if sku.is_active]
    # Chosen to begin with: the first SKU there is stock of, never a sold-out one.
    chosen = next((sku for sku in skus if sku.stock > 0), None)
    for sku in skus:
        # The stepper's ceiling for this variant: the per-order limit, or what is left.
        sku.most = max(min(product.max_per_order, sku.stock), 1)
    images = list(product.images.all())
    with_photos = request.GET.get("reviews") == "photos"
    params = _page(request)
    reviews = selectors.product_reviews(
        product_id=product.pk, params=params, with_photos=with_photos
    )
    return render(
        request,
        "shop/product.html",
        {
            "product": product,
            "skus": skus,
            "chosen_sku_id": chosen.pk if chosen else None,
            "most": chosen.most if chosen else 1,
            # Large: the chosen variant's price, or the lowest when none can be chosen.
            "shown_price": chosen.price if chosen else product.lowest_price,
            "availability": product.availability,
            "campaign_id": parse_id(request.GET.get("campaign")),
            "images": images,
            "main_image": _gallery_image(images, request.GET.get("image")),
            "units_sold": selectors.units_sold(product_id=product.pk),
            "shipping": selectors.product_shipping(merchant_id=product.merchant_id),
            "review_summary": selectors.review_summary(product_id=product.pk),
            "reviews": reviews,
            "reviews_with_photos": with_photos,
            "reviews_next_max_id": _next_max_id(reviews, params),
        },
    )


# --- cart ----------------------------------------------------------------------------------


@login_required
def cart(request: HttpRequest) -> HttpResponse:
    lines = selectors.cart_lines(person=request.user)
    return render(
        request,
        "shop/cart.html",
        {"lines": lines, "total": selectors.cart_total(lines), "quote": _quote(request, lines)},
    )


def _quote(request: HttpRequest, lines: list) -> pricing.Quote:
    """What the lines' orders come to with shipping and the buyer's best coupons."""
    return pricing.quote_orders(
        buyer_id=request.user.pk, lines=[(line.sku, line.quantity) for line in lines]
    )


@login_required
@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, "shop:browse")
    data = form.cleaned_data
    if request.POST.get("buy_now"):
        query = f"?sku={data['sku']}&quantity={data['quantity']}"
        if data["campaign"]:
            query += f"&campaign={data['campaign']}"
        return redirect(reverse("shop:checkout") + query)
    try:
        actions.add_to_cart(
            person=request.user,
            sku_id=data["sku"],
            quantity=data["quantity"],
            campaign_id=accepted_campaign_for_sku(
                buyer_id=request.user.pk, campaign_id=data["campaign"], sku_id=data["sku"]
            ),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return _back(request, "shop:browse")
    messages.success(request, _("Added to your cart."))
    return redirect("shop:cart")


@login_required
@require_POST
def cart_line_quantity(request: HttpRequest, line_id: int) -> HttpResponse:
    try:
        quantity = int(request.POST.get("quantity", ""))
    except ValueError:
        quantity = 0
    try:
        actions.set_cart_quantity(person=request.user, line_id=line_id, quantity=quantity)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("shop:cart")


@login_required
@require_POST
def cart_line_remove(request: HttpRequest, line_id: int) -> HttpResponse:
    try:
        actions.remove_cart_line(person=request.user, line_id=line_id)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("shop:cart")


# --- checkout and addresses ------------------------------------------------------------------


def _buy_now_item(request: HttpRequest) -> dict | None:
    source = request.POST if "sku" in request.POST else request.GET
    sku_id = parse_id(source.get("sku"))
    if sku_id is None:
        return None
    try:
        quantity = int(source.get("quantity", "1"))
    except ValueError:
        quantity = 1
    sku = selectors.sku_with_product(sku_id=sku_id, viewer=request.user)
    if sku is None:
        raise Http404
    return {
        "sku": sku,
        "quantity": max(quantity, 1),
        "campaign_id": accepted_campaign(
            buyer_id=request.user.pk,
            campaign_id=parse_id(source.get("campaign")),
            merchant_id=sku.product.merchant_id,
        ),
        "line_total": sku.price * max(quantity, 1),
    }


@login_required
def checkout(request: HttpRequest) -> HttpResponse:
    item = _buy_now_item(request)
    if request.method == "POST":
        address_id = parse_id(request.POST.get("address"))
        if address_id is None:
            messages.error(request, _("Choose a delivery address."))
            return redirect(request.get_full_path())
        if item is not None:
            params = {
                "address": address_id,
                "sku": item["sku"].pk,
                "quantity": item["quantity"],
                "campaign": item["campaign_id"],
            }

            def work():
                order = actions.buy_now(
                    buyer=request.user,
                    sku_id=item["sku"].pk,
                    quantity=item["quantity"],
                    address_id=address_id,
                    key=request.POST["key"],
                    campaign_id=item["campaign_id"],
                )
                return {"orders": [order.pk]}
        else:
            params = {"address": address_id}

            def work():
                placed = actions.checkout(
                    buyer=request.user, address_id=address_id, key=request.POST["key"]
                )
                return {"orders": [o.pk for o in placed]}

        body = form_once(request, scope="shop.checkout", params=params, work=work)
        if body is None:
            return redirect(request.get_full_path())
        order_ids = body["orders"]
        if request.POST.get("pay") and len(order_ids) == 1:
            # Checkout's "Pay ¥X now": the order's "Pay ¥X" follows, once per its own key.
            return pay_views.pay_once(request, order_ids[0], key_field="pay_key")
        messages.success(request, _("Order placed. Pay within the time shown to keep it."))
        if len(order_ids) == 1:
            return redirect("shop:order", order_id=order_ids[0])
        return redirect("shop:orders")
    if item is not None:
        lines, total = [], item["line_total"]
        quote = pricing.quote_orders(
            buyer_id=request.user.pk, lines=[(item["sku"], item["quantity"])]
        )
    else:
        lines = selectors.cart_lines(person=request.user)
        total = selectors.cart_total(lines)
        if not lines:
            messages.info(request, _("Your cart is empty."))
            return redirect("shop:cart")
        quote = _quote(request, lines)
    return render(
        request,
        "shop/checkout.html",
        {
            "item": item,
            "lines": lines,
            "total": total,
            "quote": quote,
            "addresses": selectors.addresses(person=request.user),
            "address_form": AddressForm(),
            "key": uuid.uuid4(),
            # One merchant, so one order: it can be paid in the same step as it is placed.
            "one_order": item is not None
            or len({line.sku.product.merchant_id for line in lines}) == 1,
            "pay_channels": pay_views.channel_choices(),
        },
    )


@login_required
def addresses(request: HttpRequest) -> HttpResponse:
    form = AddressForm(request.POST or None)
    if request.method == "POST":
        next_url = _safe_next(request)
        if form.is_valid():
            try:
                actions.add_address(person=request.user, **form.cleaned_data)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Address saved."))
                return redirect(next_url or "shop:addresses")
        elif next_url:
            _form_errors(request, form)
            return redirect(next_url)
    return render(
        request,
        "shop/addresses.html",
        {"addresses": selectors.addresses(person=request.user), "form": form},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    try:
        actions.delete_address(person=request.user, address_id=address_id)
    except DomainError as error:
        return render_domain_error(request, error)
    messages.success(request, _("Address deleted."))
    return redirect("shop:addresses")


# --- orders (buyer and merchant) -------------------------------------------------------------


@login_required
def orders(request: HttpRequest) -> HttpResponse:
    params = _page(request)
    rows = selectors.orders_for_buyer(buyer=request.user, params=params)
    return render(
        request,
        "shop/orders.html",
        {"orders": rows, "next_max_id": _next_max_id(rows, params)},
    )


@login_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = selectors.order_for(user=request.user, order_id=order_id)
    if order is None:
        raise Http404
    is_buyer = order.buyer_id == request.user.pk
    refund = getattr(order, "refund_request", None)
    return render(
        request,
        "shop/order.html",
        {
            "order": order,
            "is_buyer": is_buyer,
            "pay": pay_views.pay_context(request, order),
            "steps": stepper.steps(order),
            # ?ask=confirm: the question "Confirm receipt?" is open (it releases the money).
            "ask_confirm": is_buyer and request.GET.get("ask") == "confirm",
            "is_merchant": order.merchant_id == request.user.pk,
            "refund": refund,
            "key": uuid.uuid4(),
            "ship_form": ShipForm(),
            "reason_form": ReasonForm(),
            "note_form": NoteForm(),
        },
    )


def _order_post(request: HttpRequest, order_id: int, scope: str, work, done: str) -> HttpResponse:
    """An order action once per the form's key; the page shows the order as it now is."""
    _post_once(request, scope, {"order": order_id}, work, done)
    return redirect("shop:order", order_id=order_id)


@login_required
@require_POST
def order_pay(request: HttpRequest, order_id: int) -> HttpResponse:
    return _order_post(
        request,
        order_id,
        "shop.pay",
        lambda: actions.pay_order(buyer=request.user, order_id=order_id),
        _("Paid. The money is held safely until you confirm receipt."),
    )


@login_required
@require_POST
def order_confirm(request: HttpRequest, order_id: int) -> HttpResponse:
    return _order_post(
        request,
        order_id,
        "shop.confirm",
        lambda: actions.confirm_receipt(buyer=request.user, order_id=order_id),
        _("Receipt confirmed. The merchant has been paid."),
    )


@login_required
@require_POST
def order_cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    return _order_post(
        request,
        order_id,
        "shop.cancel",
        lambda: actions.cancel_order(person=request.user, order_id=order_id),
        _("Order cancelled."),
    )


@login_required
@require_POST
def order_ship(request: HttpRequest, order_id: int) -> HttpResponse:
    form = ShipForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, "shop:order", args=[order_id])
    shipped = _attempt(
        request,
        lambda: actions.ship_order(merchant=request.user, order_id=order_id, **form.cleaned_data),
        _("Marked as shipped."),
    )
    return shipped or _back(request, "shop:order", args=[order_id])


# --- merchant pages ------------------------------------------------------------------------


def _merchant_only(request: HttpRequest) -> HttpResponse | None:
    try:
        actions.require_merchant(request.user)
    except DomainError as error:
        return render_domain_error(request, error)
    return None


@login_required
def merchant_products(request: HttpRequest) -> HttpResponse:
    if (denied := _merchant_only(request)) is not None:
        return denied
    return render(
        request,
        "shop/merchant_products.html",
        {
            "products": selectors.merchant_products(merchant=request.user),
            "shipping_form": ShippingForm.for_policy(
                coupon_selectors.shipping_policy(merchant=request.user)
            ),
        },
    )


@login_required
@require_POST
def shipping_settings(request: HttpRequest) -> HttpResponse:
    """The merchant's shipping fee per order and free-shipping threshold."""
    if (denied := _merchant_only(request)) is not None:
        return denied
    form = ShippingForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("shop:merchant_products")
    try:
        set_shipping_policy(merchant=request.user, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Shipping saved."))
    return redirect("shop:merchant_products")


@login_required
def product_create(request: HttpRequest) -> HttpResponse:
    if (denied := _merchant_only(request)) is not None:
        return denied
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            product = actions.create_product(
                merchant=request.user,
                title=data["title"],
                description=data["description"],
                category_id=data["category"].pk if data["category"] else None,
                max_per_order=data["max_per_order"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Product saved as a draft. Add SKUs, then publish it."))
            return redirect("shop:product_edit", product_id=product.pk)
    return render(
        request,
        "shop/product_form.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )


def _own_product_or_404(request: HttpRequest, product_id: int) -> Product:
    product = selectors.merchant_product(merchant=request.user, product_id=product_id)
    if product is None:
        raise Http404
    return product


def _product_form(product: Product, data=None) -> ProductForm:
    initial = {
        "title": product.title,
        "description": product.description,
        "category": product.category_id,
        "max_per_order": product.max_per_order,
    }
    return ProductForm(data, initial=initial)


@login_required
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    if (denied := _merchant_only(request)) is not None:
        return denied
    product = _own_product_or_404(request, product_id)
    form = _product_form(product, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.update_product(
                    merchant=request.user,
                    product_id=product.pk,
                    title=data["title"],
                    description=data["description"],
                    category_id=data["category"].pk if data["category"] else None,
                    max_per_order=data["max_per_order"],
                )
            except DomainError as error:
                field = next((name for name in error.fields if name in form.fields), None)
                form.add_error(field, error.message)
            else:
                messages.success(request, _("Product saved."))
                return redirect("shop:product_edit", product_id=product.pk)
        status = 422
    return _render_product_edit(request, product, form=form, status=status)


def _render_product_edit(
    request: HttpRequest,
    product: Product,
    *,
    form: ProductForm | None = None,
    sku_edit_form: SkuEditForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The product page a merchant edits; ``sku_edit_form`` is a SKU's form sent back with
    its errors, shown in that SKU's row."""
    edits = {sku_edit_form.sku_id: sku_edit_form} if sku_edit_form else {}
    return render(
        request,
        "shop/product_edit.html",
        {
            "product": product,
            "form": form or _product_form(product),
            "skus": [
                (sku, edits.get(sku.pk) or SkuEditForm.for_sku(sku)) for sku in product.skus.all()
            ],
            "sku_form": SkuForm(),
            "image_form": ImageForm(),
            "stock_form": StockForm(),
        },
        status=status,
    )


def _merchant_post(request: HttpRequest, product_id: int, work, done: str) -> HttpResponse:
    if (denied := _merchant_only(request)) is not None:
        return denied
    return _attempt(request, work, done) or redirect("shop:product_edit", product_id=product_id)


@login_required
@require_POST
def product_publish(request: HttpRequest, product_id: int) -> HttpResponse:
    return _merchant_post(
        request,
        product_id,
        lambda: actions.publish_product(merchant=request.user, product_id=product_id),
        _("Published: the product is on sale."),
    )


@login_required
@require_POST
def product_archive(request: HttpRequest, product_id: int) -> HttpResponse:
    return _merchant_post(
        request,
        product_id,
        lambda: actions.archive_product(merchant=request.user, product_id=product_id),
        _("Archived: the product is no longer on sale."),
    )


@login_required
@require_POST
def sku_add(request: HttpRequest, product_id: int) -> HttpResponse:
    form = SkuForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("shop:product_edit", product_id=product_id)
    data = form.cleaned_data
    return _merchant_post(
        request,
        product_id,
        lambda: actions.add_sku(
            merchant=request.user,
            product_id=product_id,
            attributes=data["attributes"],
            price=data["price"],
            stock=data["stock"],
            tax_rate=data["tax_rate"],
            tax_code=data["tax_code"],
            unit=data["unit"],
        ),
        _("SKU added."),
    )


# A SKU edit refused by the action: which form field the message belongs to.
_SKU_ERROR_FIELDS = {"invalid_price": "price", "invalid_attributes": "attributes"}


@login_required
@require_POST
def sku_edit(request: HttpRequest, sku_id: int) -> HttpResponse:
    """Change a SKU's variant, price and whether it is on sale (the API's PATCH /skus/{id})."""
    if (denied := _merchant_only(request)) is not None:
        return denied
    sku = selectors.merchant_sku(merchant=request.user, sku_id=sku_id)
    if sku is None:
        raise Http404
    form = SkuEditForm.for_sku(sku, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_sku(
                merchant=request.user,
                sku_id=sku.pk,
                attributes=data["attributes"],
                price=data["price"],
                is_active=data["is_active"],
                tax_rate=data["tax_rate"],
                tax_code=data["tax_code"],
                unit=data["unit"],
            )
        except DomainError as error:
            if error.status == 404:
                return render_domain_error(request, error)
            form.add_error(_SKU_ERROR_FIELDS.get(error.code), error.message)
        else:
            messages.success(request, _("SKU saved."))
            return redirect("shop:product_edit", product_id=sku.product_id)
    product = _own_product_or_404(request, sku.product_id)
    return _render_product_edit(request, product, sku_edit_form=form, status=422)


@login_required
@require_POST
def sku_stock(request: HttpRequest, sku_id: int) -> HttpResponse:
    sku = selectors.merchant_sku(merchant=request.user, sku_id=sku_id)
    if sku is None:
        raise Http404
    form = StockForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("shop:product_edit", product_id=sku.product_id)
    return _merchant_post(
        request,
        sku.product_id,
        lambda: actions.adjust_stock(
            merchant=request.user, sku_id=sku_id, delta=form.cleaned_data["delta"]
        ),
        _("Stock updated."),
    )


@login_required
@require_POST
@ratelimits.limit("upload")
def image_add(request: HttpRequest, product_id: int) -> HttpResponse:
    form = ImageForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("shop:product_edit", product_id=product_id)
    return _merchant_post(
        request,
        product_id,
        lambda: actions.add_product_image(
            merchant=request.user, product_id=product_id, upload=form.cleaned_data["image"]
        ),
        _("Image added."),
    )


@login_required
@require_POST
def image_delete(request: HttpRequest, product_id: int, image_id: int) -> HttpResponse:
    return _merchant_post(
        request,
        product_id,
        lambda: actions.delete_product_image(
            merchant=request.user, product_id=product_id, image_id=image_id
        ),
        _("Image deleted."),
    )


# The merchant's orders page opens on the paid orders waiting to be shipped (the ship edge's
# first source); those on terms, its other source, have their own tab beside it.
TO_SHIP = lifecycle.orders.sources("ship")[0]
FROM_COMPANIES = "companies"


@login_required
def merchant_orders(request: HttpRequest) -> HttpResponse:
    if (denied := _merchant_only(request)) is not None:
        return denied
    # ?from=companies: the orders bought for a company, in every state unless ?state= says.
    from_companies = request.GET.get("from") == FROM_COMPANIES
    state = request.GET.get("state", "" if from_companies else TO_SHIP)
    if state not in Order.State.values and not (from_companies and state == ""):
        state = TO_SHIP
    params = _page(request)
    rows = selectors.orders_for_merchant(
        merchant=request.user, params=params, state=state, from_companies=from_companies
    )
    return render(
        request,
        "shop/merchant_orders.html",
        {
            "orders": rows,
            "state": state,
            "from_companies": from_companies,
            "to_ship": TO_SHIP,
            "states": Order.State.choices,
            "ship_form": ShipForm(),
            "next_max_id": _next_max_id(rows, params),
        },
    )


@login_required
def merchant_refunds(request: HttpRequest) -> HttpResponse:
    if (denied := _merchant_only(request)) is not None:
        return denied
    return render(
        request,
        "shop/merchant_refunds.html",
        {
            "refunds": selectors.refunds_for_merchant(merchant=request.user),
            "key": uuid.uuid4(),
        },
    )
