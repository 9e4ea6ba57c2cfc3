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
    CANNOT_REPOST = (
        "cannot_repost",
        422,
        _("Only public and unlisted posts can be reposted."),
    )
    NOT_YOUR_POST = ("not_your_post", 403, _("You can only delete your own posts."))
    INVALID_PRODUCT = (
        "invalid_product",
        422,
        _("A post can only carry one of your own products on sale."),
    )
    # What a post is written with: who may read it, its content warning, its language.
    INVALID_VISIBILITY = (
        "invalid_visibility",
        422,
        _("Visibility must be public, unlisted, private or direct."),
    )
    SPOILER_TOO_LONG = (
        "spoiler_too_long",
        422,
        _("A content warning can have at most 500 characters."),
    )
    INVALID_LANGUAGE = (
        "invalid_language",
        422,
        _("The language must be a two-letter ISO 639-1 code."),
    )
    UNSUPPORTED_PARAMETER = (
        "unsupported_parameter",
        422,
        _("InfoConnect does not support this parameter."),
    )

    FILTER_NOT_FOUND = ("filter_not_found", 404, _("That filter does not exist."))
    FILTER_KEYWORD_NOT_FOUND = (
        "filter_keyword_not_found",
        404,
        _("That filter keyword does not exist."),
    )
    FILTER_STATUS_NOT_FOUND = (
        "filter_status_not_found",
        404,
        _("That filtered post does not exist."),
    )
    FILTER_INVALID = ("filter_invalid", 422, _("The filter is not valid."))
    FILTER_STATUS_EXISTS = (
        "filter_status_exists",
        422,
        _("This post is already in the filter."),
    )
    NOTIFICATION_NOT_FOUND = ("notification_not_found", 404, _("That notification does not exist."))
    ANNOUNCEMENT_NOT_FOUND = ("announcement_not_found", 404, _("That announcement does not exist."))
    TAG_INVALID = ("tag_invalid", 422, _("That is not a tag name."))
    FOLLOW_REQUEST_NOT_FOUND = (
        "follow_request_not_found",
        404,
        _("That account has not asked to follow you."),
    )
    LIST_NOT_FOUND = ("list_not_found", 404, _("That list does not exist."))
    LIST_TITLE_INVALID = (
        "list_title_invalid",
        422,
        _("A list needs a title of 1 to 100 characters."),
    )
    LIST_REPLIES_POLICY_INVALID = (
        "list_replies_policy_invalid",
        422,
        _("replies_policy must be one of followed, list, none."),
    )
    LIST_LIMIT_REACHED = ("list_limit_reached", 422, _("You can have at most 50 lists."))
    LIST_FULL = ("list_full", 422, _("A list can hold at most 500 accounts."))
    LIST_NEEDS_FOLLOW = (
        "list_needs_follow",
        422,
        _("You can only add accounts you follow to a list."),
    )
    PIN_NOT_YOURS = ("pin_not_yours", 422, _("You can only pin your own posts."))
    PIN_NOT_PUBLIC = ("pin_not_public", 422, _("Only public and unlisted posts can be pinned."))
    PIN_LIMIT_REACHED = ("pin_limit_reached", 422, _("You can pin at most 5 posts."))

    # Editing a post (social/edits.py).
    NOT_YOUR_POST_TO_EDIT = ("not_your_post", 403, _("You can only edit your own posts."))
    CANNOT_EDIT_REPOST = (
        "cannot_edit_repost",
        422,
        _("A repost without a comment has no text to edit."),
    )
    INVALID_EDIT = ("invalid_edit", 422, _("The edit is not valid."))
    DIRECT_RECIPIENTS_FIXED = (
        "direct_recipients_fixed",
        422,
        _(
            "A direct post was delivered to the accounts it mentions: an edit cannot add or"
            " remove any of them."
        ),
    )
    SCHEDULED_STATUS_NOT_FOUND = (
        "scheduled_status_not_found",
        404,
        _("That scheduled post does not exist, or was published already."),
    )
    SCHEDULED_TOO_SOON = (
        "scheduled_too_soon",
        422,
        _("A post can be scheduled 5 minutes ahead at the earliest."),
    )
    SCHEDULED_INVALID_TIME = (
        "scheduled_invalid_time",
        422,
        _(
            "Give the time to publish at as an ISO 8601 date and time, like 2026-12-24T09:00:00+08:00."
        ),
    )
    TOO_MANY_SCHEDULED = (
        "too_many_scheduled",
        422,
        _("You can have at most 300 scheduled posts, and 25 for any one day."),
    )

    # Polls (social/polls.py).
    POLL_NOT_FOUND = ("poll_not_found", 404, _("That poll does not exist."))
    POLL_INVALID = (
        "poll_invalid",
        422,
        _(
            "A poll needs 2 to 4 different options of at most 50 characters, and must run"
            " from 5 minutes to 30 days."
        ),
    )
    POLL_WITH_MEDIA = ("poll_with_media", 422, _("A post cannot have both pictures and a poll."))
    POLL_EXPIRED = ("poll_expired", 422, _("This poll has ended."))
    POLL_ALREADY_VOTED = ("poll_already_voted", 422, _("You have already voted in this poll."))
    POLL_OWN = ("poll_own", 422, _("You cannot vote in your own poll."))
    POLL_INVALID_CHOICES = (
        "poll_invalid_choices",
        422,
        _("Choose one of the poll's options, or several if the poll allows it."),
    )


class MediaError(ErrorCode):
    """Pictures uploaded for posts (social.media)."""

    MEDIA_NOT_FOUND = ("media_not_found", 404, _("That picture does not exist."))
    TOO_MANY_MEDIA = ("too_many_media", 422, _("A post can have at most 9 pictures."))
    MEDIA_ALREADY_ATTACHED = (
        "media_already_attached",
        422,
        _("That picture already belongs to a post."),
    )
    DUPLICATE_MEDIA = ("duplicate_media", 422, _("A picture can be on a post only once."))
    DESCRIPTION_TOO_LONG = (
        "media_description_too_long",
        422,
        _("A picture's description can have at most 1,500 characters."),
    )
    INVALID_FOCUS = (
        "invalid_focus",
        422,
        _("The focus must be two numbers from -1 to 1, as in 0.5,-0.25."),
    )
    MEDIA_MISSING = ("media_missing", 422, _("Choose a picture to upload."))
    TOO_MANY_PENDING = (
        "too_many_pending_media",
        429,
        _("You have many pictures not yet on a post; post them or remove some first."),
    )
