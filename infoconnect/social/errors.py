from django.utils.translation import gettext_lazy as _

from infoconnect.core.errors import ErrorCode


class SocialError(ErrorCode):
    ACCOUNT_NOT_FOUND = ("account_not_found", 404, _("That account does not exist."))
    POST_NOT_FOUND = ("post_not_found", 404, _("That post does not exist."))
    TAG_NOT_FOUND = ("tag_not_found", 404, _("That tag does not exist."))
    POST_EMPTY = ("post_empty", 422, _("Write something first."))
    POST_TOO_LONG = ("post_too_long", 422, _("A post can have at most 2,000 characters."))
    CANNOT_FOLLOW_SELF = ("cannot_follow_self", 422, _("You cannot follow yourself."))
    CANNOT_BLOCK_SELF = ("cannot_block_self", 422, _("You cannot block yourself."))
    CANNOT_MUTE_SELF = ("cannot_mute_self", 422, _("You cannot mute yourself."))
    BLOCKED = ("blocked", 403, _("You cannot interact with this account."))
    NOT_YOUR_POST = ("not_your_post", 403, _("You can only delete your own posts."))
    INVALID_PRODUCT = (
        "invalid_product",
        422,
        _("A post can only carry one of your own products on sale."),
    )
