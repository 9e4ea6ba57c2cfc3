from django.utils.translation import gettext_lazy as _

from infoconnect.core.errors import ErrorCode


class ShopError(ErrorCode):
    PRODUCT_NOT_FOUND = ("product_not_found", 404, _("That product does not exist."))
    SKU_NOT_FOUND = ("sku_not_found", 404, _("That item does not exist."))
    IMAGE_NOT_FOUND = ("image_not_found", 404, _("That image does not exist."))
    ORDER_NOT_FOUND = ("order_not_found", 404, _("That order does not exist."))
    ADDRESS_NOT_FOUND = ("address_not_found", 404, _("That address does not exist."))
    CART_LINE_NOT_FOUND = ("cart_line_not_found", 404, _("That item is not in your cart."))
    REFUND_NOT_FOUND = ("refund_not_found", 404, _("That refund request does not exist."))
    NOT_A_MERCHANT = (
        "not_a_merchant",
        403,
        _("Only verified merchants may sell products."),
    )
    NOT_ON_SALE = ("not_on_sale", 409, _("This product is not on sale."))
    OWN_PRODUCT = ("own_product", 409, _("You cannot buy from your own shop."))
    OUT_OF_STOCK = ("out_of_stock", 409, _("Not enough in stock."))
    QUANTITY_LIMIT = ("quantity_limit", 422, _("That is more than one order may hold."))
    INVALID_QUANTITY = ("invalid_quantity", 422, _("Enter a quantity of at least 1."))
    CART_EMPTY = ("cart_empty", 409, _("Your cart is empty."))
    NO_SKUS = ("no_skus", 409, _("Add at least one SKU before publishing."))
    INVALID_IMAGE = ("invalid_image", 422, _("Upload a JPEG, PNG, GIF or WebP image."))
    INVALID_PRICE = ("invalid_price", 422, _("Enter a price above zero."))
    PRICE_TOO_HIGH = ("invalid_price", 422, _("Enter a price of at most ¥10,000,000."))
    INVALID_STOCK = ("invalid_stock", 422, _("Stock cannot be below zero."))
    STOCK_TOO_HIGH = ("invalid_stock", 422, _("Stock may be at most 10,000,000 units."))
    INVALID_ATTRIBUTES = (
        "invalid_attributes",
        422,
        _("Attributes are names with short text values, like colour: red."),
    )
    INVALID_STATE = ("invalid_state", 409, _("The order is not in a state that allows this."))
    ORDER_EXPIRED = ("order_expired", 409, _("This order expired before it was paid."))
    REFUND_WINDOW_CLOSED = (
        "refund_window_closed",
        409,
        _("The time to ask for a refund on this order has passed."),
    )
    REFUND_EXISTS = ("refund_exists", 409, _("A refund was already requested for this order."))


class CouponError(ErrorCode):
    """Coupons, their claims, and the merchant's shipping fee."""

    COUPON_NOT_FOUND = ("coupon_not_found", 404, _("That coupon does not exist."))
    INVALID_TITLE = (
        "invalid_coupon_title",
        422,
        _("Give the coupon a title of up to 60 characters."),
    )
    INVALID_DISCOUNT = (
        "invalid_discount",
        422,
        _("Enter an amount off above zero, or a percentage off from 1 to 99."),
    )
    INVALID_MIN_SPEND = ("invalid_min_spend", 422, _("Enter a minimum spend of zero or more."))
    INVALID_DATES = (
        "invalid_coupon_dates",
        422,
        _("The coupon must end after it starts, and not in the past."),
    )
    INVALID_COUNT = ("invalid_coupon_count", 422, _("Offer from 1 to 1,000,000 coupons."))
    UNAVAILABLE = ("coupon_unavailable", 409, _("This coupon cannot be claimed now."))
    ALL_CLAIMED = ("coupon_all_claimed", 409, _("All of these coupons have been claimed."))
    ALREADY_CLAIMED = ("coupon_already_claimed", 409, _("You have already claimed this coupon."))
    OWN_COUPON = ("own_coupon", 409, _("You cannot claim your own shop's coupon."))
    CLAIM_USED = (
        "coupon_claim_used",
        409,
        _("Your coupon was just used on another order. Check out again."),
    )
    INVALID_SHIPPING = (
        "invalid_shipping_fee",
        422,
        _("Enter a shipping fee and a free-shipping threshold of ¥0 to ¥10,000."),
    )
