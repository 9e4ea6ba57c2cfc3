"""Shop API: products, SKUs, cart, addresses, checkout and the order lifecycle under /v1/.

Checkout and payment need an ``Idempotency-Key``; the other money-moving order actions
(confirm, cancel) use one when sent, and are conditional state changes anyway; the refund steps
that pay a buyer back (accept, receive the returned goods, an operator's decision) need one.
Nobody sees another person's orders: an order that is not yours is a 404.
"""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from ninja import File, Header, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from infoconnect.api.auth import optional_auth
from infoconnect.api.schemas import ErrorOut, ImageOut, StrictSchema
from infoconnect.core import ratelimits
from infoconnect.core.errors import CommonError, DomainError
from infoconnect.core.idempotency import api_response
from infoconnect.core.ids import require_id
from infoconnect.core.money import format_money
from infoconnect.core.pagination import PageParams
from infoconnect.shop import actions, pricing, selectors
from infoconnect.shop.actions import refunds
from infoconnect.shop.attribution import accepted_campaign_for_sku
from infoconnect.shop.errors import ShopError
from infoconnect.shop.models import CartLine, Order, Product, RefundRequest, Sku
from infoconnect.wallet import selectors as wallet_selectors
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.models import Payment

router = Router(tags=["shop"])


# --- schemas -----------------------------------------------------------------------------


class AccountRef(Schema):
    id: int
    username: str


class SkuOut(Schema):
    id: int
    product_id: int
    attributes: dict
    price: int
    price_display: str
    currency: str
    stock: int
    is_active: bool
    tax_rate: int = Field(..., description="VAT in basis points, included in the price")
    tax_code: str = Field(..., description="19-digit tax classification code, or empty")
    unit: str

    @staticmethod
    def resolve_price_display(obj: Sku) -> str:
        return format_money(obj.price, obj.currency)


class ProductOut(Schema):
    id: int
    merchant: AccountRef
    title: str
    description: str
    category: str | None
    status: str
    max_per_order: int
    min_price: int | None
    min_price_display: str | None
    # "available", "sold_out" (nothing in stock) or "unavailable" (nothing on sale)
    availability: str
    images: list[ImageOut]
    url: str

    @staticmethod
    def resolve_category(obj: Product) -> str | None:
        return obj.category.slug if obj.category_id else None

    @staticmethod
    def resolve_min_price(obj: Product) -> int | None:
        return getattr(obj, "min_price", None)

    @staticmethod
    def resolve_min_price_display(obj: Product) -> str | None:
        price = getattr(obj, "min_price", None)
        return format_money(price) if price is not None else None

    @staticmethod
    def resolve_images(obj: Product) -> list:
        return list(obj.images.all())

    @staticmethod
    def resolve_url(obj: Product) -> str:
        return reverse("shop:product", args=[obj.pk])


class ProductDetailOut(ProductOut):
    skus: list[SkuOut]

    @staticmethod
    def resolve_skus(obj: Product) -> list:
        return list(obj.skus.all())


class ProductIn(StrictSchema):
    title: str = Field(max_length=120)
    description: str = Field("", max_length=5000)
    category_id: int | None = None
    max_per_order: int = 10


class SkuIn(StrictSchema):
    attributes: dict[str, str] = {}
    price: int
    stock: int = 0
    tax_rate: int = Field(1300, description="VAT in basis points: 1300, 900, 600 or 0")
    tax_code: str = Field("", description="19-digit tax classification code")
    unit: str = Field("", description="unit of measure, up to 10 characters")
    currency: str = "CNY"


class SkuUpdateIn(StrictSchema):
    attributes: dict[str, str] = {}
    price: int
    is_active: bool = True
    tax_rate: int | None = Field(None, description="VAT in basis points; unchanged if absent")
    tax_code: str | None = None
    unit: str | None = None


class StockIn(StrictSchema):
    delta: int


class CartLineOut(Schema):
    id: int
    sku: SkuOut
    product_id: int
    title: str
    quantity: int
    campaign_id: int | None
    line_total: int

    @staticmethod
    def resolve_product_id(obj: CartLine) -> int:
        return obj.sku.product_id

    @staticmethod
    def resolve_title(obj: CartLine) -> str:
        return obj.sku.product.title

    @staticmethod
    def resolve_line_total(obj: CartLine) -> int:
        return obj.sku.price * obj.quantity


class CartOut(Schema):
    lines: list[CartLineOut]
    subtotal: int = Field(description="The lines, in fen")
    shipping_fee: int = Field(description="Each shop's shipping fee, added up")
    discount: int = Field(description="What the best claimed coupons take off")
    total: int = Field(description="What checking out now would cost: lines + shipping − discount")
    total_display: str


class CartLineIn(StrictSchema):
    sku_id: int
    quantity: int = 1
    campaign_id: int | None = None


class QuantityIn(StrictSchema):
    quantity: int


class AddressIn(StrictSchema):
    recipient_name: str = Field(max_length=40)
    province: str = Field(max_length=2)
    city: str = Field(max_length=40)
    district: str = Field(max_length=40)
    street: str = Field(max_length=200)
    mobile: str = Field(max_length=11)


class AddressOut(Schema):
    id: int
    recipient_name: str
    province: str
    city: str
    district: str
    street: str
    mobile: str


class OrderLineOut(Schema):
    sku_id: int | None
    product_id: int | None
    title: str
    attributes: dict
    unit_price: int
    quantity: int


class RefundLineOut(Schema):
    line: int = Field(..., description="an OrderLine id of the order")
    quantity: int


class RefundLineIn(StrictSchema):
    line: int = Field(..., description="an OrderLine id of the order")
    quantity: int


class EvidenceOut(ImageOut):
    side: Literal["buyer", "merchant"]

    @staticmethod
    def resolve_side(obj) -> str:
        return "buyer" if obj.uploaded_by_id == obj.refund.order.buyer_id else "merchant"


class RefundOut(Schema):
    id: int
    order_id: int
    kind: str = Field(..., description='"refund" (仅退款) or "return" (退货退款)')
    state: str
    amount: int = Field(..., description="what the request gives back, in fen")
    amount_display: str
    lines: list[RefundLineOut] = Field(..., description="empty: not asked by lines")
    reason: str
    merchant_note: str
    return_address: dict | None
    return_carrier: str
    return_tracking: str
    decision: str
    operator_note: str
    evidence: list[EvidenceOut]
    created_at: datetime
    answered_at: datetime | None
    returned_at: datetime | None
    goods_received_at: datetime | None
    decided_at: datetime | None
    refunded_at: datetime | None

    @staticmethod
    def resolve_amount_display(obj) -> str:
        return format_money(obj.amount, obj.order.currency)

    @staticmethod
    def resolve_evidence(obj) -> list:
        return list(obj.evidence.all())


class OrderOut(Schema):
    id: int
    state: str
    buyer: AccountRef
    merchant: AccountRef
    currency: str
    total: int = Field(description="What the buyer pays: subtotal + shipping_fee − discount")
    total_display: str
    subtotal: int = Field(description="The lines, in fen")
    shipping_fee: int
    discount: int = Field(description="The coupon's saving")
    coupon_claim_id: int | None
    commission: int
    campaign_id: int | None
    shipping_address: dict
    carrier: str
    tracking_number: str
    lines: list[OrderLineOut]
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    completed_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_total_display(obj: Order) -> str:
        return format_money(obj.total, obj.currency)

    @staticmethod
    def resolve_subtotal(obj: Order) -> int:
        return pricing.OrderQuote.of(obj).subtotal

    @staticmethod
    def resolve_lines(obj: Order) -> list:
        return list(obj.lines.all())


class OrderEventOut(Schema):
    kind: str
    from_state: str
    to_state: str
    actor: str | None
    note: str
    created_at: datetime

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None


class OrderDetailOut(OrderOut):
    events: list[OrderEventOut]
    refund_request: RefundOut | None

    @staticmethod
    def resolve_events(obj: Order) -> list:
        return list(obj.events.all())

    @staticmethod
    def resolve_refund_request(obj: Order):
        return getattr(obj, "refund_request", None)


class OrdersOut(Schema):
    orders: list[OrderOut]


class CheckoutIn(StrictSchema):
    address_id: int
    # Buy now: one SKU straight to an order instead of the whole cart.
    sku_id: int | None = None
    quantity: int = 1
    campaign_id: int | None = None
    # Pay from the wallet in the same step: all or nothing.
    pay: bool = False


class ShipIn(StrictSchema):
    carrier: str = Field(max_length=60)
    tracking_number: str = Field(max_length=60)


class ReasonIn(StrictSchema):
    reason: str = Field(max_length=1000)


class OrderNoteIn(StrictSchema):
    note: str = Field("", max_length=1000)


# --- helpers -----------------------------------------------------------------------------


def _order_body(order_id: int, user) -> dict:
    order = selectors.order_for(user=user, order_id=order_id)
    return OrderDetailOut.from_orm(order).model_dump(mode="json")


def _order_or_404(user, order_id: int) -> Order:
    order = selectors.order_for(user=user, order_id=order_id)
    if order is None:
        raise DomainError(ShopError.ORDER_NOT_FOUND)
    return order


def _order_action(
    request: HttpRequest, order_id: int, key: str | None, scope: str, params, do
) -> JsonResponse:
    """Run an order action, once per Idempotency-Key when one is sent; answer with the order."""

    def work() -> dict:
        do()
        return _order_body(order_id, request.auth)

    return api_response(
        request,
        key=key,
        scope=scope,
        params={"order_id": order_id, **params},
        work=work,
        key_required=False,
    )


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# --- catalog -----------------------------------------------------------------------------


@router.get("/v1/products", response=list[ProductOut], auth=optional_auth)
def list_products(
    request,
    q: str = "",
    category: str = "",
    merchant: str = "",
    max_id: int | None = None,
    limit: int | None = None,
):
    """Products on sale, newest first; filter by search text, category slug or merchant username."""
    merchant_id = None
    if merchant:
        shop = selectors.merchant_named(username=merchant)
        if shop is None:
            return []
        merchant_id = shop.pk
    return selectors.products_on_sale(
        params=PageParams.clean(max_id=max_id, limit=limit),
        query=q[:100],
        category_slug=category[:60],
        merchant_id=merchant_id,
    )


@router.post("/v1/products", response={201: ProductDetailOut, **ERRORS})
def create_product(request, payload: ProductIn):
    product = actions.create_product(
        merchant=request.auth,
        title=payload.title,
        description=payload.description,
        category_id=payload.category_id,
        max_per_order=payload.max_per_order,
    )
    return Status(201, selectors.product_for_viewer(product_id=product.pk, viewer=request.auth))


def _product_or_404(request, product_id: int) -> Product:
    product = selectors.product_for_viewer(product_id=product_id, viewer=request.auth)
    if product is None:
        raise DomainError(ShopError.PRODUCT_NOT_FOUND)
    return product


@router.get(
    "/v1/products/{product_id}", response={200: ProductDetailOut, 404: ErrorOut}, auth=optional_auth
)
def get_product(request, product_id: int):
    return _product_or_404(request, product_id)


@router.patch("/v1/products/{product_id}", response={200: ProductDetailOut, **ERRORS})
def update_product(request, product_id: int, payload: ProductIn):
    actions.update_product(
        merchant=request.auth,
        product_id=product_id,
        title=payload.title,
        description=payload.description,
        category_id=payload.category_id,
        max_per_order=payload.max_per_order,
    )
    return _product_or_404(request, product_id)


@router.post("/v1/products/{product_id}/publish", response={200: ProductDetailOut, **ERRORS})
def publish_product(request, product_id: int):
    actions.publish_product(merchant=request.auth, product_id=product_id)
    return _product_or_404(request, product_id)


@router.post("/v1/products/{product_id}/archive", response={200: ProductDetailOut, **ERRORS})
def archive_product(request, product_id: int):
    actions.archive_product(merchant=request.auth, product_id=product_id)
    return _product_or_404(request, product_id)


@router.post("/v1/products/{product_id}/images", response={201: ImageOut, **ERRORS})
def add_product_image(request, product_id: int, file: File[UploadedFile]):
    ratelimits.check(request, "upload")
    return Status(
        201, actions.add_product_image(merchant=request.auth, product_id=product_id, upload=file)
    )


@router.delete("/v1/products/{product_id}/images/{image_id}", response={204: None, **ERRORS})
def delete_product_image(request, product_id: int, image_id: int):
    """Remove one image of your product; the files leave storage once that has committed."""
    actions.delete_product_image(merchant=request.auth, product_id=product_id, image_id=image_id)
    return Status(204, None)


@router.get(
    "/v1/products/{product_id}/skus",
    response={200: list[SkuOut], 404: ErrorOut},
    auth=optional_auth,
)
def list_skus(request, product_id: int):
    return list(_product_or_404(request, product_id).skus.all())


@router.post("/v1/products/{product_id}/skus", response={201: SkuOut, **ERRORS})
def add_sku(request, product_id: int, payload: SkuIn):
    return Status(
        201,
        actions.add_sku(
            merchant=request.auth,
            product_id=product_id,
            attributes=payload.attributes,
            price=payload.price,
            stock=payload.stock,
            currency=payload.currency,
            tax_rate=payload.tax_rate,
            tax_code=payload.tax_code,
            unit=payload.unit,
        ),
    )


@router.patch("/v1/skus/{sku_id}", response={200: SkuOut, **ERRORS})
def update_sku(request, sku_id: int, payload: SkuUpdateIn):
    return actions.update_sku(
        merchant=request.auth,
        sku_id=sku_id,
        attributes=payload.attributes,
        price=payload.price,
        is_active=payload.is_active,
        tax_rate=payload.tax_rate,
        tax_code=payload.tax_code,
        unit=payload.unit,
    )


@router.post("/v1/skus/{sku_id}/stock", response={200: SkuOut, **ERRORS})
def adjust_stock(request, sku_id: int, payload: StockIn):
    """Add units (or remove them with a negative delta); stock never goes below zero."""
    return actions.adjust_stock(merchant=request.auth, sku_id=sku_id, delta=payload.delta)


# --- cart and addresses --------------------------------------------------------------------


def _cart(user) -> dict:
    lines = selectors.cart_lines(person=user)
    quote = pricing.quote_orders(
        buyer_id=user.pk, lines=[(line.sku, line.quantity) for line in lines]
    )
    return {
        "lines": lines,
        "subtotal": quote.subtotal,
        "shipping_fee": quote.shipping_fee,
        "discount": quote.discount,
        "total": quote.total,
        "total_display": format_money(quote.total),
    }


@router.get("/v1/cart", response=CartOut)
def get_cart(request):
    return _cart(request.auth)


@router.post("/v1/cart/lines", response={201: CartOut, **ERRORS})
def add_cart_line(request, payload: CartLineIn):
    actions.add_to_cart(
        person=request.auth,
        sku_id=payload.sku_id,
        quantity=payload.quantity,
        campaign_id=accepted_campaign_for_sku(
            buyer_id=request.auth.pk, campaign_id=payload.campaign_id, sku_id=payload.sku_id
        ),
    )
    return Status(201, _cart(request.auth))


@router.patch("/v1/cart/lines/{line_id}", response={200: CartOut, **ERRORS})
def set_cart_line(request, line_id: int, payload: QuantityIn):
    actions.set_cart_quantity(person=request.auth, line_id=line_id, quantity=payload.quantity)
    return _cart(request.auth)


@router.delete("/v1/cart/lines/{line_id}", response={200: CartOut, **ERRORS})
def delete_cart_line(request, line_id: int):
    actions.remove_cart_line(person=request.auth, line_id=line_id)
    return _cart(request.auth)


@router.get("/v1/addresses", response=list[AddressOut])
def list_addresses(request):
    return selectors.addresses(person=request.auth)


@router.post("/v1/addresses", response={201: AddressOut, **ERRORS})
def add_address(request, payload: AddressIn):
    return Status(201, actions.add_address(person=request.auth, **payload.dict()))


@router.delete("/v1/addresses/{address_id}", response={204: None, **ERRORS})
def delete_address(request, address_id: int):
    actions.delete_address(person=request.auth, address_id=address_id)
    return Status(204, None)


# --- checkout and orders ---------------------------------------------------------------------


@router.post("/v1/checkout", response={201: OrdersOut, **ERRORS})
def checkout(
    request,
    payload: CheckoutIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Turn the cart (or, with sku_id, one SKU) into one order per merchant, taking the stock;
    with pay=true, pay from the wallet in the same step (all or nothing)."""
    user = request.auth

    def work() -> dict:
        if payload.sku_id is not None:
            orders = [
                actions.buy_now(
                    buyer=user,
                    sku_id=payload.sku_id,
                    quantity=payload.quantity,
                    address_id=payload.address_id,
                    key=idempotency_key,
                    campaign_id=accepted_campaign_for_sku(
                        buyer_id=user.pk, campaign_id=payload.campaign_id, sku_id=payload.sku_id
                    ),
                    pay=payload.pay,
                )
            ]
        else:
            orders = actions.checkout(
                buyer=user, address_id=payload.address_id, key=idempotency_key, pay=payload.pay
            )
        rows = [selectors.order_for(user=user, order_id=o.pk) for o in orders]
        return {"orders": [OrderOut.from_orm(o).model_dump(mode="json") for o in rows]}

    return api_response(
        request,
        key=idempotency_key,
        scope="shop.checkout",
        params=payload.dict(),
        work=work,
        status=201,
    )


Role = Literal["buyer", "merchant"]
# Any state an order can be in, or "" for all of them.
StateFilter = Literal[("", *Order.State.values)]


@router.get("/v1/orders", response={200: list[OrderOut], 422: ErrorOut})
def list_orders(
    request,
    role: Role = "buyer",
    state: StateFilter = "",
    max_id: int | None = None,
    limit: int | None = None,
):
    """Your orders as a buyer (role=buyer) or the orders to your shop (role=merchant),
    newest first; with state, only the orders in that state."""
    params = PageParams.clean(max_id=max_id, limit=limit)
    if role == "merchant":
        return selectors.orders_for_merchant(
            merchant=request.auth, params=params, state=state or None
        )
    return selectors.orders_for_buyer(buyer=request.auth, params=params, state=state or None)


@router.get("/v1/orders/{order_id}", response={200: OrderDetailOut, 404: ErrorOut})
def get_order(request, order_id: int):
    return _order_or_404(request.auth, order_id)


@router.post("/v1/orders/{order_id}/pay", response={200: OrderDetailOut, **ERRORS})
def pay_order(
    request, order_id: int, idempotency_key: str | None = Header(None, alias="Idempotency-Key")
):
    """Pay the order from your wallet into escrow."""
    user = request.auth

    def work() -> dict:
        actions.pay_order(buyer=user, order_id=order_id)
        return _order_body(order_id, user)

    return api_response(
        request, key=idempotency_key, scope="shop.pay", params={"order_id": order_id}, work=work
    )


class PayInOneStepIn(StrictSchema):
    channel: Literal["wechat", "alipay"] | None = Field(
        None, description="How to pay what the wallet lacks (needed only when it lacks some)"
    )


class OrderPaymentOut(Schema):
    id: int
    status: str = Field(
        description="pending (waiting for the provider), succeeded (credited to the wallet, "
        "which then paid the order if it still could), canceled, or expired"
    )
    amount: int = Field(description="What the wallet lacked, in fen")
    amount_display: str
    currency: str
    channel: str
    order_id: int
    order_state: str
    redirect_url: str
    created_at: datetime
    completed_at: datetime | None


class PayInOneStepOut(Schema):
    outcome: Literal["paid", "redirect"] = Field(
        description="paid: the wallet paid the order; redirect: send the payer to redirect_url, "
        "where the provider collects the shortfall and then pays the order"
    )
    order: OrderDetailOut
    redirect_url: str | None = None
    payment: OrderPaymentOut | None = None


def _order_payment(request: HttpRequest, payment: Payment, order: Order) -> dict:
    return {
        "id": payment.pk,
        "status": payment.status,
        "amount": payment.amount,
        "amount_display": format_money(payment.amount, payment.currency),
        "currency": payment.currency,
        "channel": payment.channel,
        "order_id": order.pk,
        "order_state": order.state,
        "redirect_url": request.build_absolute_uri(payment.redirect_url),
        "created_at": payment.created_at,
        "completed_at": payment.completed_at,
    }


@router.post("/v1/orders/{order_id}/pay_in_one_step", response={200: PayInOneStepOut, **ERRORS})
def pay_in_one_step(
    request,
    order_id: int,
    payload: PayInOneStepIn | None = None,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Pay the order in one step: from the wallet when it covers the total (outcome "paid"),
    else through the chosen channel for exactly what the wallet lacks (outcome "redirect": the
    payer finishes at redirect_url, and the provider's confirmation pays the order)."""
    user = request.auth
    channel = (payload.channel if payload else None) or ""
    # Before anything uses it: a number that is no id (negative, say) names no order.
    order_id = require_id(order_id, ShopError.ORDER_NOT_FOUND)

    def work() -> dict:
        done = actions.pay_in_one_step(
            buyer=user,
            order_id=order_id,
            channel=channel,
            return_url=reverse("shop:order", args=[order_id]),
        )
        body = {
            "outcome": "paid",
            "order": _order_body(order_id, user),
            "redirect_url": None,
            "payment": None,
        }
        if done.topup is not None:
            body.update(
                outcome="redirect",
                redirect_url=request.build_absolute_uri(done.topup.redirect_url),
                payment=_order_payment(request, done.topup, done.order),
            )
        return body

    return api_response(
        request,
        key=idempotency_key,
        scope=actions.PAY_IN_ONE_STEP_SCOPE,
        params={"order_id": order_id, "channel": channel},
        work=work,
    )


@router.get(
    "/v1/orders/{order_id}/payments/{payment_id}", response={200: OrderPaymentOut, **ERRORS}
)
def get_order_payment(request, order_id: int, payment_id: int):
    """A payment opened to pay the order in one step, with the order's state: poll it after
    sending the payer to the provider."""
    order = _order_or_404(request.auth, order_id)
    payment = wallet_selectors.payment_for(user_id=request.auth.pk, payment_id=payment_id)
    if payment is None or payment.order_id != order.pk:
        raise DomainError(WalletError.PAYMENT_NOT_FOUND)
    return _order_payment(request, payment, order)


@router.post("/v1/orders/{order_id}/ship", response={200: OrderDetailOut, **ERRORS})
def ship_order(request, order_id: int, payload: ShipIn):
    actions.ship_order(
        merchant=request.auth,
        order_id=order_id,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
    )
    return _order_or_404(request.auth, order_id)


@router.post("/v1/orders/{order_id}/confirm", response={200: OrderDetailOut, **ERRORS})
def confirm_order(
    request, order_id: int, idempotency_key: str | None = Header(None, alias="Idempotency-Key")
):
    """Confirm receipt: escrow pays the merchant, less the platform commission."""
    return _order_action(
        request,
        order_id,
        idempotency_key,
        "shop.confirm",
        {},
        lambda: actions.confirm_receipt(buyer=request.auth, order_id=order_id),
    )


@router.post("/v1/orders/{order_id}/cancel", response={200: OrderDetailOut, **ERRORS})
def cancel_order(
    request,
    order_id: int,
    payload: OrderNoteIn | None = None,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Cancel before shipping; a paid order is refunded in full."""
    note = payload.note if payload else ""
    return _order_action(
        request,
        order_id,
        idempotency_key,
        "shop.cancel",
        {"note": note},
        lambda: actions.cancel_order(person=request.auth, order_id=order_id, note=note),
    )


@router.get("/v1/refund_requests", response={200: list[RefundOut], 422: ErrorOut})
def list_refund_requests(request, role: Role = "buyer"):
    """Refund requests on your orders (role=buyer) or on your shop's (role=merchant)."""
    if role == "merchant":
        return selectors.refunds_for_merchant(merchant=request.auth, open_only=False)
    return selectors.refunds_for_buyer(buyer=request.auth)


class RefundIn(StrictSchema):
    reason: str = Field(max_length=1000)
    kind: Literal["refund", "return"] = "refund"
    amount: int | None = Field(None, description="fen; absent: the lines' value, or all left")
    lines: list[RefundLineIn] | None = None


@router.post("/v1/orders/{order_id}/refund_requests", response={201: RefundOut, **ERRORS})
def request_refund(request, order_id: int, payload: RefundIn):
    """Ask for a refund only or a return and refund: whole, some lines, or an amount. Photos
    follow, one a request, to ``/v1/refund_requests/{id}/evidence``."""
    refund = actions.request_refund(
        buyer=request.auth,
        order_id=order_id,
        reason=payload.reason,
        kind=payload.kind,
        amount=payload.amount,
        lines=[line.dict() for line in payload.lines] if payload.lines else None,
    )
    return Status(201, refund)


def _refund_order_id(user, refund_id: int) -> int:
    """The order of a request the user is a party to, which must be the order's latest
    request (an answer is always to the open one)."""
    order_id = selectors.refund_order_id(user=user, refund_id=refund_id)
    if order_id is None:
        raise DomainError(ShopError.REFUND_NOT_FOUND)
    if selectors.latest_refund_id(order_id=order_id) != refund_id:
        raise DomainError(ShopError.INVALID_STATE)
    return order_id


def _refund_body(refund_id: int) -> dict:
    refund = RefundRequest.objects.select_related("order").get(pk=refund_id)
    return RefundOut.from_orm(refund).model_dump(mode="json")


@router.post("/v1/refund_requests/{refund_id}/evidence", response={201: RefundOut, **ERRORS})
def add_refund_evidence(request, refund_id: int, file: File[UploadedFile]):
    """Attach a photo (JPEG, PNG, GIF or WebP, at most 5 MB): 3 from each side at most."""
    ratelimits.check(request, "upload")
    order_id = _refund_order_id(request.auth, refund_id)
    refunds.add_refund_evidence(person=request.auth, order_id=order_id, photos=[file])
    return Status(201, RefundRequest.objects.select_related("order").get(pk=refund_id))


@router.post("/v1/refund_requests/{refund_id}/accept", response={200: RefundOut, **ERRORS})
def accept_refund(
    request,
    refund_id: int,
    payload: OrderNoteIn | None = None,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """The merchant accepts: the buyer is refunded at once (needs an Idempotency-Key)."""
    order_id = _refund_order_id(request.auth, refund_id)
    note = payload.note if payload else ""

    def work() -> dict:
        actions.answer_refund(merchant=request.auth, order_id=order_id, accept=True, note=note)
        return _refund_body(refund_id)

    return api_response(
        request,
        key=idempotency_key,
        scope="shop.refund_accept",
        params={"refund_id": refund_id, "note": note},
        work=work,
    )


@router.post("/v1/refund_requests/{refund_id}/decline", response={200: RefundOut, **ERRORS})
def decline_refund(request, refund_id: int, payload: OrderNoteIn):
    order_id = _refund_order_id(request.auth, refund_id)
    return actions.answer_refund(
        merchant=request.auth, order_id=order_id, accept=False, note=payload.note
    )


@router.post("/v1/refund_requests/{refund_id}/dispute", response={200: RefundOut, **ERRORS})
def dispute_refund(request, refund_id: int, payload: OrderNoteIn | None = None):
    """After a decline, ask the platform to decide."""
    order_id = _refund_order_id(request.auth, refund_id)
    return actions.dispute_refund(
        buyer=request.auth, order_id=order_id, note=payload.note if payload else ""
    )


class ReturnAddressIn(StrictSchema):
    address_id: int | None = Field(None, description="one of your saved addresses")
    address: AddressIn | None = Field(None, description="or one typed here")
    note: str = Field("", max_length=1000)


@router.post("/v1/refund_requests/{refund_id}/accept_return", response={200: RefundOut, **ERRORS})
def accept_return(request, refund_id: int, payload: ReturnAddressIn):
    """The merchant wants the goods back first, at this address."""
    order_id = _refund_order_id(request.auth, refund_id)
    return refunds.accept_return(
        merchant=request.auth,
        order_id=order_id,
        address_id=payload.address_id,
        address=payload.address.dict() if payload.address else None,
        note=payload.note,
    )


@router.post("/v1/refund_requests/{refund_id}/return_shipped", response={200: RefundOut, **ERRORS})
def ship_return(request, refund_id: int, payload: ShipIn):
    """The buyer sent the goods back: the carrier and its tracking number."""
    order_id = _refund_order_id(request.auth, refund_id)
    return refunds.ship_return(
        buyer=request.auth,
        order_id=order_id,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
    )


@router.post("/v1/refund_requests/{refund_id}/receive", response={200: RefundOut, **ERRORS})
def receive_return(
    request, refund_id: int, idempotency_key: str | None = Header(None, alias="Idempotency-Key")
):
    """The merchant has the returned goods: the buyer is refunded at once."""
    order_id = _refund_order_id(request.auth, refund_id)

    def work() -> dict:
        refunds.receive_return(merchant=request.auth, order_id=order_id)
        return _refund_body(refund_id)

    return api_response(
        request,
        key=idempotency_key,
        scope="shop.refund_receive",
        params={"refund_id": refund_id},
        work=work,
    )


@router.post("/v1/refund_requests/{refund_id}/withdraw", response={200: RefundOut, **ERRORS})
def withdraw_refund(request, refund_id: int):
    order_id = _refund_order_id(request.auth, refund_id)
    return refunds.withdraw_refund(buyer=request.auth, order_id=order_id)


class DecisionIn(StrictSchema):
    decision: Literal["refund", "reject"]
    note: str = Field("", max_length=1000)


@router.post("/v1/refund_requests/{refund_id}/decide", response={200: RefundOut, **ERRORS})
def decide_refund(
    request,
    refund_id: int,
    payload: DecisionIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """An operator decides a dispute; for the buyer, the buyer is refunded at once."""
    if not request.auth.is_staff:
        raise DomainError(CommonError.FORBIDDEN)

    def work() -> dict:
        actions.decide_refund(
            operator=request.auth,
            refund_id=refund_id,
            decision=payload.decision,
            note=payload.note,
        )
        return _refund_body(refund_id)

    return api_response(
        request,
        key=idempotency_key,
        scope="shop.refund_decide",
        params={"refund_id": refund_id, **payload.dict()},
        work=work,
    )
