from django.utils.translation import gettext_lazy as _

from infoconnect.core.errors import ErrorCode


class ProcurementError(ErrorCode):
    COMPANY_NOT_FOUND = ("company_not_found", 404, _("That company does not exist."))
    INVALID_USCC = (
        "invalid_uscc",
        422,
        _("Enter a valid 18-character unified social credit code."),
    )
    USCC_TAKEN = (
        "uscc_taken",
        409,
        _("A company with this unified social credit code is already registered."),
    )
    USCC_CHECK_PASSES = (
        "uscc_check_passes",
        422,
        _("This code passes the check: register the company without a waiver."),
    )
    LEGAL_NAME_INVALID = (
        "legal_name_invalid",
        422,
        _("Enter the company's legal name (2 to 200 characters)."),
    )
    REASON_REQUIRED = ("reason_required", 422, _("Write the reason (up to 1,000 characters)."))
    NOT_OPERATOR = ("not_operator", 403, _("Only an operator can review companies."))
    LICENCE_NOT_IMAGE = (
        "licence_not_image",
        422,
        _("Upload the business licence as a JPEG, PNG or WebP image."),
    )
    LICENCE_TOO_LARGE = ("licence_too_large", 422, _("The licence image must be at most 8 MB."))
    LICENCE_TOO_MANY_PIXELS = (
        "licence_too_many_pixels",
        422,
        _("The licence image must be at most 6000 × 6000 pixels."),
    )
    COMPANY_INVALID_STATE = (
        "company_invalid_state",
        409,
        _("The company's review does not allow that now."),
    )
    COMPANY_NOT_VERIFIED = (
        "company_not_verified",
        403,
        _("The company must be verified by the platform first."),
    )
    NOT_A_MEMBER = ("not_a_member", 404, _("You are not a member of that company."))
    ROLE_REQUIRED = ("role_required", 403, _("Your role in this company does not allow that."))
    MEMBER_NOT_FOUND = ("member_not_found", 404, _("That person is not a member."))
    ALREADY_A_MEMBER = ("already_a_member", 409, _("That person is already a member."))
    INVALID_ROLE = (
        "invalid_role",
        422,
        _("Choose a role: administrator, buyer, approver, finance or viewer."),
    )
    ROLE_ALREADY_HELD = ("role_already_held", 409, _("That person already holds this role there."))
    ROLE_NOT_HELD = ("role_not_held", 404, _("That person does not hold this role there."))
    LAST_ADMIN = (
        "last_admin",
        409,
        _("A company keeps at least one administrator; name another one first."),
    )
    DEPARTMENT_NOT_FOUND = ("department_not_found", 404, _("That department does not exist."))
    DEPARTMENT_NAME_TAKEN = (
        "department_name_taken",
        409,
        _("A department with this name already exists there."),
    )
    DEPARTMENT_NOT_EMPTY = (
        "department_not_empty",
        409,
        _("Move or delete what is under this department first."),
    )
    ADDRESS_NOT_FOUND = ("ship_to_not_found", 404, _("That ship-to address does not exist."))

    # --- approval rules ---------------------------------------------------------------------
    RULE_NOT_FOUND = ("rule_not_found", 404, _("That approval rule does not exist."))
    LEVEL_NOT_FOUND = ("level_not_found", 404, _("That approval level does not exist."))
    APPROVER_NOT_FOUND = ("approver_not_found", 404, _("That approver does not exist."))
    RULE_NAME_INVALID = ("rule_name_invalid", 422, _("Name the rule (1 to 100 characters)."))
    RULE_AMOUNT_INVALID = (
        "rule_amount_invalid",
        422,
        _("Enter an amount of at least ¥0.01, like 5000.00."),
    )
    RULE_DEADLINE_INVALID = (
        "rule_deadline_invalid",
        422,
        _("The escalation deadline is 1 to 720 hours."),
    )
    CATEGORY_NOT_FOUND = ("category_not_found", 404, _("That category does not exist."))
    MERCHANT_NOT_VERIFIED = (
        "merchant_not_verified",
        422,
        _("Choose a verified merchant."),
    )
    LEVEL_MODE_INVALID = (
        "level_mode_invalid",
        422,
        _("Choose whether any one or all of the approvers approve."),
    )
    OVER_BUDGET_LEVEL_EXISTS = (
        "over_budget_level_exists",
        409,
        _("This rule already has its over-budget level."),
    )
    APPROVER_INVALID = (
        "approver_invalid",
        422,
        _("Name an approver: either a member, or a role (over a department or the company)."),
    )
    APPROVER_NOT_MEMBER = (
        "approver_not_member",
        422,
        _("An approver must be a current member of the company."),
    )
    APPROVER_ALREADY_NAMED = (
        "approver_already_named",
        409,
        _("That approver is already named on this level."),
    )
    POSITION_INVALID = ("position_invalid", 422, _("Choose a position in the list."))
    ORDER_INVALID = (
        "order_invalid",
        422,
        _("List each of the company's rules (or the rule's levels) exactly once."),
    )

    # --- requisitions -----------------------------------------------------------------------
    REQUISITION_NOT_FOUND = ("requisition_not_found", 404, _("That requisition does not exist."))
    REQUISITION_INVALID_STATE = (
        "requisition_invalid_state",
        409,
        _("The requisition cannot do that where it stands now."),
    )
    STEP_NOT_WAITING = (
        "step_not_waiting",
        409,
        _("That approval has already been decided."),
    )
    REQUISITION_EMPTY = ("requisition_empty", 422, _("Add at least one product first."))
    LINE_NOT_FOUND = ("line_not_found", 404, _("That line is not in the requisition."))
    PRODUCT_UNAVAILABLE = (
        "product_unavailable",
        409,
        _("That product is not on sale now."),
    )
    QUANTITY_INVALID = ("quantity_invalid", 422, _("Enter a quantity from 1 to 9,999."))
    TOO_MANY_LINES = ("too_many_lines", 422, _("A requisition holds at most 200 lines."))
    PO_NUMBER_INVALID = (
        "po_number_invalid",
        422,
        _("Enter a PO number of 1 to 30 letters, digits, dashes, dots or slashes."),
    )
    PO_NUMBER_REQUIRED = ("po_number_required", 422, _("This company requires a PO number."))
    PO_NUMBER_TAKEN = (
        "po_number_taken",
        409,
        _("Another requisition of this company already uses this PO number."),
    )
    NOTE_TOO_LONG = ("note_too_long", 422, _("The note is at most 1,000 characters."))
    DEPARTMENT_REQUIRED = (
        "department_required",
        422,
        _("Choose the department the purchase is for."),
    )
    SHIP_TO_REQUIRED = ("ship_to_required", 422, _("Choose a ship-to address of the department."))
    OUT_OF_STOCK = ("out_of_stock", 409, _("Not enough stock is left for a line."))
    NO_APPROVER = (
        "no_approver",
        409,
        _("No one but you can approve this requisition; ask the company administrator."),
    )
    OVER_BUDGET = (
        "over_budget",
        409,
        _("This requisition would exceed the department's budget, and no rule allows that."),
    )
    NOT_AN_APPROVER = ("not_an_approver", 403, _("You are not an approver of this requisition."))
    SELF_APPROVAL = (
        "self_approval",
        403,
        _("You cannot approve your own requisition."),
    )
    REASON_REQUIRED_TO_REJECT = (
        "reason_required",
        422,
        _("Write the reason (up to 500 characters)."),
    )
    INSUFFICIENT_COMPANY_FUNDS = (
        "insufficient_company_funds",
        409,
        _("The company wallet does not hold enough to pay for these orders."),
    )
    DELEGATION_INVALID = (
        "delegation_invalid",
        422,
        _("Choose another current member and a period that ends after it starts."),
    )
    DELEGATION_NOT_FOUND = ("delegation_not_found", 404, _("That delegation does not exist."))
    BUDGET_NOT_FOUND = ("budget_not_found", 404, _("That budget does not exist."))
    BUDGET_INVALID = (
        "budget_invalid",
        422,
        _("Choose a department, a period and its first day, and an amount of at least ¥0.01."),
    )
    BUDGET_EXISTS = (
        "budget_exists",
        409,
        _("That department already has a budget for this period."),
    )
    BUDGET_BELOW_USED = (
        "budget_below_used",
        409,
        _("The budget cannot be less than what is already committed and spent."),
    )
    SETTINGS_INVALID = (
        "settings_invalid",
        422,
        _("The stock hold is 1 to 30 days."),
    )
    REQUISITION_CHANGED = (
        "requisition_changed",
        409,
        _("The requisition changed since you opened it: look at it again before deciding."),
    )

    # --- company orders
    COMPANY_ORDER_NOT_FOUND = (
        "company_order_not_found",
        404,
        _("That order was not placed by one of the company's requisitions."),
    )
    ORDER_NOT_SHIPPED = (
        "order_not_shipped",
        409,
        _("Receipt can be confirmed once the order has shipped and before it is completed."),
    )

    # --- budgets and delegations ------------------------------------------------------------
    BUDGET_IN_USE = (
        "budget_in_use",
        409,
        _("Requisitions have already charged this budget; change its amount instead."),
    )
    DELEGATION_TOO_LONG = ("delegation_too_long", 422, _("A delegation lasts at most 90 days."))
    DELEGATION_IN_PAST = (
        "delegation_in_past",
        422,
        _("A delegation starts now or later, not in the past."),
    )
    DELEGATOR_NOT_APPROVER = (
        "delegator_not_approver",
        422,
        _("Only an approver delegates: name a member who approves requisitions."),
    )
    # --- requisitions API -------------------------------------------------------------------
    DRAFT_EXISTS = (
        "draft_exists",
        409,
        _("You already have a draft requisition for this company: change that one."),
    )
    LINES_REPEATED = ("lines_repeated", 422, _("List each product at most once."))


class PricingError(ErrorCode):
    """Contract prices: price lists, their entries, tiers and quantity rules."""

    QUANTITY_RULE = (
        "quantity_rule",
        422,
        _("That quantity breaks the quantity rule of the company's price list."),
    )
    PRICE_LIST_NOT_FOUND = ("price_list_not_found", 404, _("That price list does not exist."))
    ENTRY_NOT_FOUND = ("price_entry_not_found", 404, _("That SKU is not in the price list."))
    NOT_A_MERCHANT = ("not_a_merchant", 403, _("Only a verified merchant gives price lists."))
    COMPANY_NOT_FOUND = (
        "price_company_not_found",
        404,
        _("Name a verified company by its unified social credit code or its id."),
    )
    NAME_INVALID = ("price_list_name_invalid", 422, _("Name the price list (1 to 100 characters)."))
    PERCENT_INVALID = (
        "percent_off_invalid",
        422,
        _("The percentage off is from 0 to 99.99, like 8 or 12.5."),
    )
    WINDOW_INVALID = (
        "validity_invalid",
        422,
        _("Enter valid dates; the list's last day is on or after its first."),
    )
    SKU_NOT_FOUND = ("price_sku_not_found", 404, _("That SKU is not one of your products."))
    PRICE_INVALID = ("price_invalid", 422, _("Enter a price of at least ¥0.01, like 12.50."))
    RULE_INVALID = (
        "quantity_rule_invalid",
        422,
        _(
            "Quantities are whole numbers from 1; the maximum is not below the minimum, and "
            "both are multiples of the increment."
        ),
    )
    TIERS_INVALID = (
        "tiers_invalid",
        422,
        _(
            "Each tier starts from 2 units or more, once per quantity, with a price of at least "
            "¥0.01."
        ),
    )
    TOO_MANY_TIERS = ("too_many_tiers", 422, _("An entry has at most 20 tiers."))
    SKUS_INVALID = (
        "skus_invalid",
        422,
        _("Name 1 to 200 SKUs on sale, with one quantity for all or one per SKU (1 to 9,999)."),
    )


class QuoteError(ErrorCode):
    QUOTE_NOT_FOUND = ("quote_not_found", 404, _("That quote does not exist."))
    QUOTE_INVALID_STATE = (
        "quote_invalid_state",
        409,
        _("The quote has moved on since you opened it: look at it again."),
    )
    MERCHANT_NOT_FOUND = ("quote_merchant_not_found", 404, _("That merchant does not exist."))
    LINES_REQUIRED = ("quote_lines_required", 422, _("Ask for at least one item."))
    TOO_MANY_LINES = ("quote_too_many_lines", 422, _("A quote has at most 50 lines."))
    LINE_INVALID = (
        "quote_line_invalid",
        422,
        _("Each line names a product of this merchant or an item (up to 120 characters)."),
    )
    SKU_REPEATED = ("quote_sku_repeated", 422, _("List each product at most once."))
    QUANTITY_INVALID = ("quote_quantity_invalid", 422, _("Quantities are 1 to 9,999."))
    PRICE_INVALID = (
        "quote_price_invalid",
        422,
        _("Give every line a unit price of at least ¥0.01 and at most ¥10,000,000.00."),
    )
    VALID_UNTIL_INVALID = (
        "quote_valid_until_invalid",
        422,
        _("The quote is valid until a day from today to a year ahead."),
    )
    WANTED_BY_INVALID = ("quote_wanted_by_invalid", 422, _("The wanted date cannot be past."))
    NOTE_REQUIRED = ("quote_note_required", 422, _("Write your question or answer."))
    NOTE_TOO_LONG = ("quote_note_too_long", 422, _("A note is at most 2,000 characters."))
    TITLE_TOO_LONG = ("quote_title_too_long", 422, _("The subject is at most 120 characters."))
    EXPIRED = (
        "quote_expired",
        409,
        _("The quote's validity ended: ask the merchant for a new quote."),
    )
    NO_SKU_LINES = (
        "quote_no_sku_lines",
        422,
        _(
            "Only catalogue products can be bought: ask for a new quote naming the products "
            "instead of free-text items."
        ),
    )


class TermsError(ErrorCode):
    TERMS_NOT_FOUND = ("terms_not_found", 404, _("This merchant grants the company no terms."))
    NET_DAYS_INVALID = (
        "net_days_invalid",
        422,
        _("Choose terms of 0 (due on delivery), 7, 15, 30, 60 or 90 days."),
    )
    CREDIT_LIMIT_INVALID = (
        "credit_limit_invalid",
        422,
        _("Enter a credit limit of at least ¥0.01 and at most ¥100,000,000."),
    )
    GRACE_DAYS_INVALID = (
        "grace_days_invalid",
        422,
        _("Enter a grace period of 0 to 90 days."),
    )
    LIMIT_BELOW_OUTSTANDING = (
        "credit_limit_below_outstanding",
        409,
        _("The credit limit cannot be lower than what the company owes now."),
    )
    TERMS_EXIST = ("terms_exist", 409, _("This company already has terms with you: change them."))
    COMPANY_NOT_VERIFIED = (
        "company_not_verified",
        409,
        _("Terms are granted only to a verified company."),
    )
    NOT_A_MERCHANT = ("not_a_merchant", 403, _("Only a verified merchant grants payment terms."))
    NOT_ON_TERMS = (
        "merchant_grants_no_terms",
        422,
        _("Not every merchant in this requisition grants the company payment terms: %(names)s."),
    )
    OVERDUE = (
        "terms_overdue",
        409,
        _("An amount owed to this merchant is overdue past its grace period: pay it first."),
    )
    CREDIT_LIMIT_EXCEEDED = (
        "credit_limit_exceeded",
        409,
        _("The order would exceed the credit limit this merchant grants the company."),
    )
    NOTHING_TO_PAY = ("nothing_to_pay", 422, _("Choose at least one open amount to pay."))
    RECEIVABLE_NOT_FOUND = (
        "receivable_not_found",
        404,
        _("That amount is not owed by the company to this merchant, or it is already paid."),
    )
    INVOICE_KIND_INVALID = (
        "invoice_kind_invalid",
        422,
        _("Choose an electronic ordinary invoice, a special VAT invoice, or none."),
    )
    INVOICE_TITLE_NOT_FOUND = (
        "invoice_title_not_found",
        404,
        _("Choose one of the company's invoice titles."),
    )
    INVOICE_TITLE_REQUIRED = (
        "invoice_title_required",
        422,
        _("Choose the invoice title the invoice is made out to."),
    )
    SPECIAL_NOT_ALLOWED = (
        "special_invoice_not_allowed",
        422,
        _("A special VAT invoice needs a general taxpayer title with every field filled in."),
    )
    PAYMENT_METHOD_INVALID = (
        "payment_method_invalid",
        422,
        _("Pay from the company wallet or on payment terms."),
    )


class StatementError(ErrorCode):
    STATEMENT_NOT_FOUND = ("statement_not_found", 404, _("That statement does not exist."))
    STATEMENT_INVALID_STATE = (
        "statement_invalid_state",
        409,
        _("The statement has moved on: open it again to see where it stands."),
    )
    MONTH_NOT_CLOSED = (
        "statement_month_not_closed",
        422,
        _("A statement is issued for a month that has ended."),
    )
    STATEMENT_EXISTS = (
        "statement_exists",
        409,
        _("That month's statement for this company has already been issued."),
    )
    NO_TERMS = (
        "statement_no_terms",
        422,
        _("You have no payment terms with that company."),
    )
    NOT_MERCHANT = ("statement_not_merchant", 403, _("Only a merchant issues statements."))
    DISPUTE_INVALID = (
        "dispute_invalid",
        422,
        _("Choose lines of this statement, each once, with a reason of up to 1,000 characters."),
    )
    DISPUTE_OPEN = (
        "dispute_already_open",
        409,
        _("That line is already disputed and waits for the merchant's answer."),
    )
    DISPUTE_NOT_FOUND = ("dispute_not_found", 404, _("That dispute does not exist."))
    DISPUTE_ANSWERED = ("dispute_answered", 409, _("That dispute has already been answered."))
    ANSWER_INVALID = (
        "dispute_answer_invalid",
        422,
        _("Write an answer of up to 1,000 characters."),
    )
    PROFORMA_UNPRICED = (
        "proforma_unpriced",
        409,
        _("A proforma needs prices: the quote has no priced revision yet."),
    )
