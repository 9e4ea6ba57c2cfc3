from django.utils.translation import gettext_lazy as _

from infoconnect.core.errors import ErrorCode


class InvoicingError(ErrorCode):
    TITLE_NOT_FOUND = ("invoice_title_not_found", 404, _("That invoice title does not exist."))
    INVALID_TAXPAYER_ID = (
        "invalid_taxpayer_id",
        422,
        _("Enter the buyer's 18-character unified social credit code."),
    )
    FIELD_TOO_LONG_GBK = (
        "field_too_long",
        422,
        _("This field takes at most 100 bytes in GBK (50 Chinese characters)."),
    )
    NOT_GBK = ("not_gbk", 422, _("This field has characters an invoice cannot print."))
    SPECIAL_NEEDS_FIELDS = (
        "general_taxpayer_fields",
        422,
        _("A general taxpayer's title needs its address and phone, and its bank and account."),
    )
    TITLE_ARCHIVED = ("invoice_title_archived", 409, _("That invoice title is archived."))
    TITLE_INVALID_STATE = (
        "invoice_title_invalid_state",
        409,
        _("That invoice title is already confirmed."),
    )
    INVOICE_NOT_FOUND = ("invoice_not_found", 404, _("That invoice does not exist."))
    INVALID_STATE = ("invoice_invalid_state", 409, _("The invoice has moved on since."))
    NOTHING_TO_INVOICE = (
        "nothing_to_invoice",
        422,
        _("No completed order of that company in that month asked for an invoice still to issue."),
    )
    MONTH_INVOICED = (
        "month_invoiced",
        409,
        _("That company's merged invoice for that month has already been issued."),
    )
    MIXED_TITLES = (
        "mixed_invoice_titles",
        422,
        _(
            "That month's orders asked for different invoice titles or kinds: "
            "invoice them per order instead."
        ),
    )
    BAD_MONTH = ("invalid_month", 422, _("Enter a month as YYYY-MM, not in the future."))
    NOT_A_CUSTOMER = (
        "not_a_customer",
        404,
        _("That company does not buy from you."),
    )
    BAD_MODE = ("invalid_invoicing_mode", 422, _("Choose per order or merged monthly."))
    UNKNOWN_PROVIDER = ("unknown_invoice_provider", 500, _("The invoice provider is unknown."))
