from django.urls import path

from infoconnect.shop import coupon_views, views

app_name = "shop"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("p/<int:product_id>/", views.product_detail, name="product"),
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
    path("orders/<int:order_id>/confirm/", views.order_confirm, name="order_confirm"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:order_id>/ship/", views.order_ship, name="order_ship"),
    path("orders/<int:order_id>/refund/", views.order_refund_request, name="order_refund"),
    path(
        "orders/<int:order_id>/refund/answer/",
        views.order_refund_answer,
        name="order_refund_answer",
    ),
    path(
        "orders/<int:order_id>/refund/dispute/",
        views.order_refund_dispute,
        name="order_refund_dispute",
    ),
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
