from django.urls import path

from infoconnect.shop import (
    coupon_views,
    pay_views,
    refund_views,
    review_views,
    seller_views,
    views,
)

app_name = "shop"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("p/<int:product_id>/", views.product_detail, name="product"),
    path("lines/<int:line_id>/review/", review_views.review_create, name="review_create"),
    path("reviews/<int:review_id>/edit/", review_views.review_edit, name="review_edit"),
    path("reviews/<int:review_id>/reply/", review_views.review_reply, name="review_reply"),
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/<int:line_id>/quantity/", views.cart_line_quantity, name="cart_line_quantity"),
    path("cart/<int:line_id>/remove/", views.cart_line_remove, name="cart_line_remove"),
    path("checkout/", views.checkout, name="checkout"),
    path("addresses/", views.addresses, name="addresses"),
    path("addresses/<int:address_id>/delete/", views.address_delete, name="address_delete"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:order_id>/", views.order_detail, name="order"),
    path("orders/<int:order_id>/pay/", views.order_pay, name="order_pay"),
    path(
        "orders/<int:order_id>/pay/one-step/",
        pay_views.order_pay_one_step,
        name="order_pay_one_step",
    ),
    path("orders/<int:order_id>/pay/status/", pay_views.order_pay_status, name="order_pay_status"),
    path("orders/<int:order_id>/confirm/", views.order_confirm, name="order_confirm"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:order_id>/ship/", views.order_ship, name="order_ship"),
    path("orders/<int:order_id>/refund/", refund_views.order_refund_request, name="order_refund"),
    path(
        "orders/<int:order_id>/refund/answer/",
        refund_views.order_refund_answer,
        name="order_refund_answer",
    ),
    path(
        "orders/<int:order_id>/refund/dispute/",
        refund_views.order_refund_dispute,
        name="order_refund_dispute",
    ),
    path(
        "orders/<int:order_id>/refund/return/",
        refund_views.order_refund_accept_return,
        name="order_refund_accept_return",
    ),
    path(
        "orders/<int:order_id>/refund/return/shipped/",
        refund_views.order_refund_ship_return,
        name="order_refund_ship_return",
    ),
    path(
        "orders/<int:order_id>/refund/return/received/",
        refund_views.order_refund_receive,
        name="order_refund_receive",
    ),
    path(
        "orders/<int:order_id>/refund/withdraw/",
        refund_views.order_refund_withdraw,
        name="order_refund_withdraw",
    ),
    path(
        "orders/<int:order_id>/refund/photos/",
        refund_views.order_refund_evidence,
        name="order_refund_evidence",
    ),
    path("manage/", seller_views.seller_centre, name="seller_centre"),
    path("manage/products/", views.merchant_products, name="merchant_products"),
    path("manage/products/new/", views.product_create, name="product_create"),
    path("manage/products/<int:product_id>/", views.product_edit, name="product_edit"),
    path(
        "manage/products/<int:product_id>/publish/", views.product_publish, name="product_publish"
    ),
    path(
        "manage/products/<int:product_id>/archive/", views.product_archive, name="product_archive"
    ),
    path("manage/products/<int:product_id>/skus/", views.sku_add, name="sku_add"),
    path("manage/products/<int:product_id>/images/", views.image_add, name="image_add"),
    path(
        "manage/products/<int:product_id>/images/<int:image_id>/delete/",
        views.image_delete,
        name="image_delete",
    ),
    path("manage/skus/<int:sku_id>/", views.sku_edit, name="sku_edit"),
    path("manage/skus/<int:sku_id>/stock/", views.sku_stock, name="sku_stock"),
    path("manage/orders/", views.merchant_orders, name="merchant_orders"),
    path("manage/refunds/", views.merchant_refunds, name="merchant_refunds"),
    path("manage/shipping/", views.shipping_settings, name="shipping_settings"),
    path("manage/coupons/", coupon_views.merchant_coupons, name="merchant_coupons"),
    path(
        "manage/coupons/<int:coupon_id>/deactivate/",
        coupon_views.coupon_deactivate,
        name="coupon_deactivate",
    ),
    path("coupons/", coupon_views.my_coupons, name="my_coupons"),
    # Last: a merchant's shop at /shop/<username>/.
    path("<str:username>/", views.merchant_shop, name="merchant_shop"),
]
