from django.utils.translation import gettext_lazy as _

from infoconnect.core.errors import ErrorCode


class ReviewError(ErrorCode):
    """Reviews (评价) of order lines: who may write, edit and answer them."""

    REVIEW_NOT_FOUND = ("review_not_found", 404, _("That review does not exist."))
    LINE_NOT_FOUND = ("order_line_not_found", 404, _("That order line does not exist."))
    NOT_COMPLETED = (
        "order_not_completed",
        409,
        _("You can review what you bought once the order is completed."),
    )
    LINE_REFUNDED = ("line_refunded", 409, _("This item was refunded, so it cannot be reviewed."))
    REVIEW_EXISTS = ("review_exists", 409, _("You have already reviewed this item."))
    EDIT_CLOSED = (
        "review_edit_closed",
        409,
        _("A review can be changed for 30 days after it is written."),
    )
    REVIEW_HIDDEN = ("review_hidden", 409, _("This review was hidden by the platform."))
    ALREADY_REPLIED = ("already_replied", 409, _("You have already replied to this review."))
    INVALID_RATING = ("invalid_rating", 422, _("Choose a rating from 1 to 5 stars."))
    TEXT_TOO_LONG = ("review_too_long", 422, _("A review may be at most 2000 characters."))
    REPLY_EMPTY = ("reply_empty", 422, _("Write a reply."))
    REPLY_TOO_LONG = ("reply_too_long", 422, _("A reply may be at most 1000 characters."))
    TOO_MANY_PHOTOS = ("too_many_photos", 422, _("A review may have at most 6 photos."))
    PHOTO_TOO_LARGE = ("photo_too_large", 422, _("A photo may be at most 10 MB."))
    INVALID_PHOTO = (
        "invalid_photo",
        422,
        _("Upload a JPEG, PNG, GIF or WebP photo of at most 8000 pixels a side."),
    )


class ShopError(ErrorCode):
    PRODUCT_NOT_FOUND = ("product_not_found", 404, _("That product does not exist."))
    SKU_NOT_FOUND = ("sku_not_found", 404, _("That item does not exist."))
    IMAGE_NOT_FOUND = ("image_not_found", 404, _("That image does not exist."))
    ORDER_NOT_FOUND = ("order_not_found", 404, _("That order does not exist."))
    ADDRESS_NOT_FOUND = ("address_not_found", 404, _("That address does not exist."))
    CART_LINE_NOT_FOUND = ("cart_line_not_found", 404, _("That item is not in your cart."))
    REFUND_NOT_FOUND = ("refund_not_found", 404, _("That refund request does not exist."))
    REFUND_TOO_MUCH = (
        "refund_exceeds_paid",
        422,
        _("That is more than was paid and not yet refunded."),
    )
    INVALID_REFUND_AMOUNT = ("invalid_refund_amount", 422, _("Enter an amount of at least ¥0.01."))
    INVALID_REFUND_LINES = (
        "invalid_refund_lines",
        422,
        _("Choose items of this order, each at most as many as were bought and not refunded."),
    )
    RETURN_NOT_SHIPPED = (
        "return_not_shipped",
        409,
        _("Goods can be sent back once they were shipped; ask for a refund only."),
    )
    COMPANY_REFUND_WHOLE = (
        "company_refund_whole",
        422,
        _("An order bought for a company is refunded whole, with its invoice."),
    )
    TOO_MANY_PHOTOS = ("too_many_photos", 422, _("Attach at most 3 photos."))
    PHOTO_TOO_LARGE = (
        "photo_too_large",
        422,
        _("A photo may be at most 5 MB and 6,000 pixels a side."),
    )
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
