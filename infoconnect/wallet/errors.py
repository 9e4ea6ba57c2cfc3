from django.utils.translation import gettext_lazy as _

from infoconnect.core.errors import ErrorCode


class WalletError(ErrorCode):
    INSUFFICIENT_FUNDS = ("insufficient_funds", 409, _("Your wallet balance is too low for this."))
    MERCHANT_INSUFFICIENT_FUNDS = (
        "insufficient_funds",
        409,
        _("The merchant balance is too low for this."),
    )
    INVALID_AMOUNT = ("invalid_amount", 422, _("Enter an amount greater than zero."))
    AMOUNT_TOO_LARGE = ("amount_too_large", 422, _("That amount is more than one payment allows."))
    UNSUPPORTED_CURRENCY = ("unsupported_currency", 422, _("That currency is not supported."))
    ORDER_NOT_PAID = ("order_not_paid", 409, _("That order has not been paid from a wallet."))
    ORDER_NOT_RELEASED = (
        "order_not_released",
        409,
        _("The merchant has not been paid for that order yet."),
    )
    ESCROW_EXCEEDED = (
        "escrow_exceeded",
        409,
        _("That is more than the order still holds in escrow."),
    )
    REFUND_EXCEEDS_PAYMENT = (
        "refund_exceeds_payment",
        422,
        _("A refund cannot be more than was paid for the order."),
    )
    WRONG_PARTY = ("wrong_party", 409, _("That order or campaign belongs to someone else."))
    CAMPAIGN_NOT_HELD = ("campaign_not_held", 409, _("No cost is held for that campaign."))
    CHARGE_EXCEEDS_HOLD = (
        "charge_exceeds_hold",
        422,
        _("The charge is more than was held for the campaign."),
    )
    NOT_A_MERCHANT = ("not_a_merchant", 403, _("Only merchants have a balance to pay out."))
    NOT_A_MERCHANT_TOPUP = (
        "not_a_merchant",
        403,
        _("Only merchants have a balance to top up."),
    )
    TOPUP_LIMIT_EXCEEDED = (
        "topup_limit_exceeded",
        422,
        _("That is more than today's top-up limit allows."),
    )
    INVALID_DESTINATION = (
        "invalid_destination",
        422,
        _("A top-up goes to your wallet, your merchant balance or your security deposit."),
    )
    NOT_A_MERCHANT_DEPOSIT = (
        "not_a_merchant",
        403,
        _("Only merchants keep a security deposit."),
    )
    DEBT_OUTSTANDING = (
        "debt_outstanding",
        422,
        _("You owe the platform for refunds: settle the debt first."),
    )
    PAYOUT_EXCEEDS_AVAILABLE = (
        "payout_exceeds_available",
        422,
        _("That is more than you can pay out now."),
    )
    NO_DEBT = ("no_debt", 409, _("You owe nothing."))
    SETTLEMENT_EXCEEDS_DEBT = (
        "settlement_exceeds_debt",
        422,
        _("That is more than you owe."),
    )
    NO_DEPOSIT = ("no_deposit", 409, _("The merchant holds no security deposit."))
    MERCHANT_STILL_SELLING = (
        "merchant_still_selling",
        409,
        _(
            "The deposit is returned only once the merchant has stopped selling: no products "
            "on sale, no open orders or refunds, no sale inside the refund window."
        ),
    )
    DEPOSIT_NOT_OPERATOR = (
        "not_operator",
        403,
        _("Only an operator can return a security deposit."),
    )
    PAYMENT_NOT_FOUND = ("payment_not_found", 404, _("That top-up does not exist."))
    PAYOUT_NOT_FOUND = ("payout_not_found", 404, _("That payout does not exist."))
    PAYMENT_INVALID_STATE = (
        "invalid_state",
        409,
        _("The top-up is not in a state that allows this."),
    )
    PAYOUT_INVALID_STATE = (
        "invalid_state",
        409,
        _("The payout is not in a state that allows this."),
    )
    INVALID_SIGNATURE = ("invalid_signature", 400, _("The notification's signature is wrong."))
    NOTIFICATION_EXPIRED = (
        "notification_expired",
        400,
        _("The notification's timestamp is too old."),
    )
    NOTIFICATION_REPLAYED = (
        "notification_replayed",
        409,
        _("That notification was already received."),
    )
    INVALID_NOTIFICATION = ("invalid_notification", 400, _("The notification cannot be read."))
    UNKNOWN_PROVIDER = ("unknown_provider", 404, _("No such payment provider."))
    PROVIDER_DISABLED = (
        "provider_disabled",
        403,
        _("That payment provider is not enabled on this site."),
    )
    NO_PROVIDER = (
        "provider_disabled",
        403,
        _("No payment provider takes this kind of payment on this site."),
    )
    PAYOUTS_UNSUPPORTED = (
        "payouts_unsupported",
        409,
        _("Payouts cannot be sent through this payment provider."),
    )
    PAYOUT_ACCOUNT_MISSING = (
        "payout_account_missing",
        422,
        _(
            "Enter where your payouts go (your Alipay or WeChat Pay account) on your merchant "
            "balance page before you request a payout."
        ),
    )
    INVALID_PAYOUT_ACCOUNT = (
        "invalid_payout_account",
        422,
        _("Check the payout account: some of it is not valid."),
    )
    PROVIDER_UNAVAILABLE = (
        "provider_unavailable",
        503,
        _("The payment provider did not accept the request; try again later."),
    )
    INVALID_CHANNEL = ("invalid_channel", 422, _("Choose WeChat Pay or Alipay."))
    BANK_TRANSFER_NOT_FOUND = (
        "bank_transfer_not_found",
        404,
        _("That bank transfer does not exist."),
    )
    BANK_TRANSFER_INVALID_STATE = (
        "invalid_state",
        409,
        _("The bank transfer is not in a state that allows this."),
    )
    HELD_TRANSFER_NOT_FOUND = (
        "held_transfer_not_found",
        404,
        _("That held transfer does not exist."),
    )
    HELD_TRANSFER_INVALID_STATE = (
        "invalid_state",
        409,
        _("The held transfer has already been resolved."),
    )
    MATCH_AMOUNT_DIFFERS = (
        "match_amount_differs",
        422,
        _("The transfer's amount differs from the money received."),
    )
    MATCH_WRONG_COMPANY = (
        "match_wrong_company",
        422,
        _("The money was sent under another company's code."),
    )
    NOT_OPERATOR = ("not_operator", 403, _("Only an operator can resolve money held for review."))
    REASON_REQUIRED = ("reason_required", 422, _("Write the reason (up to 1,000 characters)."))
    CODES_EXHAUSTED = (
        "codes_exhausted",
        503,
        _("No remittance code could be issued; try again."),
    )
