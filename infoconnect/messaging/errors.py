from django.utils.translation import gettext_lazy as _

from infoconnect.core.errors import DomainError, ErrorCode
from infoconnect.core.money import format_money
from infoconnect.wallet.errors import WalletError


class MessagingError(ErrorCode):
    NOT_MERCHANT = ("not_merchant", 403, _("Only merchants can send campaigns."))
    NOT_ENROLLED = (
        "not_enrolled",
        403,
        _("Your shop is not enrolled in the messaging programme, or it is suspended."),
    )
    CAMPAIGN_NOT_FOUND = ("campaign_not_found", 404, _("That campaign does not exist."))
    CAMPAIGN_NOT_DRAFT = (
        "campaign_not_draft",
        409,
        _("Only a draft campaign can be changed, scheduled or sent."),
    )
    CAMPAIGN_NOT_CANCELLABLE = (
        "campaign_not_cancellable",
        409,
        _("Only a scheduled or sending campaign can be cancelled."),
    )
    CAMPAIGN_NOT_SENDING = (
        "campaign_not_sending",
        409,
        _("Only a campaign that is sending can be paused."),
    )
    CAMPAIGN_NOT_PAUSED = (
        "campaign_not_paused",
        409,
        _("Only a paused campaign can be resumed."),
    )
    CAMPAIGN_QUOTA_EXCEEDED = (
        "campaign_quota_exceeded",
        429,
        _("You have reached today's campaign quota; schedule it for another day."),
    )
    SCHEDULE_IN_PAST = ("schedule_in_past", 422, _("Choose a time in the future."))
    INVALID_CAMPAIGN = ("invalid_campaign", 422, _("The campaign is not valid."))
    INVALID_AUDIENCE = ("invalid_audience", 422, _("The audience is not valid."))
    INVALID_MESSAGE = ("invalid_message", 422, _("Write a message of 1 to 2,000 characters."))
    INVALID_ATTACHMENT = ("invalid_attachment", 422, _("The attachment is not valid."))
    INVALID_IMAGE = ("invalid_image", 422, _("Upload a valid image."))
    RECIPIENT_NOT_FOUND = ("recipient_not_found", 404, _("That account does not exist."))
    NOT_A_FOLLOWER = (
        "not_a_follower",
        404,
        _("One of the accounts chosen does not follow you: nobody was tagged."),
    )
    UNKNOWN_TAG = (
        "unknown_tag",
        422,
        _("Choose one of your own tags: add it to a follower first to start using it."),
    )
    CANNOT_MESSAGE_SELF = ("cannot_message_self", 422, _("You cannot message yourself."))
    BLOCKED = ("blocked", 403, _("You cannot message this account."))
    NOT_ACCEPTING_MESSAGES = (
        "not_accepting_messages",
        403,
        _("This account only accepts messages from accounts it follows."),
    )
    NOTICES_ONLY = (
        "notices_only",
        403,
        _("This account only sends notices: you cannot reply to it."),
    )
    CONVERSATION_RATE_LIMITED = (
        "conversation_rate_limited",
        429,
        _("You have started too many new conversations this hour; try again later."),
    )
    # A direct status is refused whole when one of its recipients is: the inbox's own codes,
    # as 422 (the status's text is what cannot be posted), naming the recipient.
    DIRECT_RECIPIENT_NOT_FOUND = (
        "recipient_not_found",
        422,
        _("A direct post goes to the accounts it mentions, and one of them does not exist."),
    )
    DIRECT_BLOCKED = ("blocked", 422, _("You cannot message an account this post mentions."))
    DIRECT_NOT_ACCEPTING_MESSAGES = (
        "not_accepting_messages",
        422,
        _("An account this post mentions only accepts messages from accounts it follows."),
    )
    DIRECT_NOTICES_ONLY = (
        "notices_only",
        422,
        _("An account this post mentions only sends notices: you cannot message it."),
    )
    DIRECT_NO_RECIPIENT = (
        "no_recipient",
        422,
        _("A direct post goes to the accounts it mentions: mention at least one other account."),
    )
    CONVERSATION_NOT_FOUND = ("conversation_not_found", 404, _("That conversation does not exist."))
    MESSAGE_NOT_FOUND = ("message_not_found", 404, _("That message does not exist."))
    NO_LINK = ("no_link", 404, _("This message has no link."))
    BAD_SIGNATURE = ("bad_signature", 404, _("This link is not valid."))
    LINK_EXPIRED = ("link_expired", 410, _("This link has expired."))


class HoldRefused(DomainError):
    """The merchant balance cannot hold what sending a campaign holds; it carries both
    amounts, so a scheduled campaign that fails for it can say them later in any language."""

    def __init__(self, *, balance: int, cost: int, currency: str) -> None:
        super().__init__(
            WalletError.MERCHANT_INSUFFICIENT_FUNDS,
            _(
                "Your merchant balance (%(balance)s) is too low: sending holds %(cost)s, a"
                " message's price for each follower in the audience; you pay only for those"
                " delivered. Top up and send again."
            )
            % {"balance": format_money(balance, currency), "cost": format_money(cost, currency)},
        )
        self.balance = balance
        self.cost = cost
