from django.urls import path

from infoconnect.procurement.views import (
    budgets,
    companies,
    dashboard,
    decisions,
    delegations,
    departments,
    members,
    orders,
    price_lists,
    purchasing_settings,
    quotes,
    requisitions,
    rules,
    statements,
    terms,
)
from infoconnect.wallet import company_views as wallet

app_name = "procurement"

urlpatterns = [
    path("", companies.companies, name="companies"),
    path("acting-for/", companies.switch_acting_for, name="acting_for"),
    path("<int:company_id>/", companies.company, name="company"),
    path("<int:company_id>/licence/", companies.licence, name="licence"),
    path("<int:company_id>/leave/", members.leave, name="leave"),
    path("<int:company_id>/members/", members.add, name="member_add"),
    path("<int:company_id>/members/<int:user_id>/remove/", members.remove, name="member_remove"),
    path("<int:company_id>/members/<int:user_id>/roles/", members.grant_role, name="role_grant"),
    path(
        "<int:company_id>/members/<int:user_id>/roles/revoke/",
        members.revoke_role,
        name="role_revoke",
    ),
    path("<int:company_id>/departments/", departments.organisation, name="departments"),
    path(
        "<int:company_id>/departments/new/",
        departments.department_create,
        name="department_create",
    ),
    path(
        "<int:company_id>/departments/<int:department_id>/rename/",
        departments.department_rename,
        name="department_rename",
    ),
    path(
        "<int:company_id>/departments/<int:department_id>/move/",
        departments.department_move,
        name="department_move",
    ),
    path(
        "<int:company_id>/departments/<int:department_id>/delete/",
        departments.department_delete,
        name="department_delete",
    ),
    path(
        "<int:company_id>/departments/<int:department_id>/ship-to/",
        departments.ship_to_add,
        name="ship_to_add",
    ),
    path(
        "<int:company_id>/departments/<int:department_id>/ship-to/<int:address_id>/",
        departments.ship_to_edit,
        name="ship_to_edit",
    ),
    path(
        "<int:company_id>/departments/<int:department_id>/ship-to/<int:address_id>/delete/",
        departments.ship_to_delete,
        name="ship_to_delete",
    ),
    path("<int:company_id>/wallet/", wallet.wallet, name="wallet"),
    path("<int:company_id>/wallet/topups/", wallet.open_transfer, name="wallet_topup"),
    path(
        "<int:company_id>/wallet/topups/<int:transfer_id>/cancel/",
        wallet.cancel_transfer,
        name="wallet_transfer_cancel",
    ),
    path("<int:company_id>/wallet/statement.csv", wallet.statement_csv, name="wallet_csv"),
    path("<int:company_id>/orders/", orders.orders, name="orders"),
    path(
        "<int:company_id>/orders/<int:order_id>/confirm/",
        orders.order_confirm,
        name="order_confirm",
    ),
    path("<int:company_id>/rules/", rules.rules_page, name="rules"),
    path("<int:company_id>/rules/new/", rules.rule_create, name="rule_create"),
    path("<int:company_id>/rules/<int:rule_id>/", rules.rule_edit, name="rule_edit"),
    path("<int:company_id>/rules/<int:rule_id>/delete/", rules.rule_delete, name="rule_delete"),
    path("<int:company_id>/rules/<int:rule_id>/move/", rules.rule_move, name="rule_move"),
    path("<int:company_id>/rules/<int:rule_id>/levels/", rules.level_add, name="level_add"),
    path("<int:company_id>/levels/<int:level_id>/", rules.level_update, name="level_update"),
    path("<int:company_id>/levels/<int:level_id>/move/", rules.level_move, name="level_move"),
    path("<int:company_id>/levels/<int:level_id>/remove/", rules.level_remove, name="level_remove"),
    path(
        "<int:company_id>/levels/<int:level_id>/approvers/", rules.approver_add, name="approver_add"
    ),
    path(
        "<int:company_id>/approvers/<int:approver_id>/remove/",
        rules.approver_remove,
        name="approver_remove",
    ),
    path("<int:company_id>/budgets/", budgets.budgets_page, name="budgets"),
    path("<int:company_id>/budgets/new/", budgets.budget_create, name="budget_create"),
    path("<int:company_id>/budgets/<int:budget_id>/", budgets.budget_update, name="budget_update"),
    path(
        "<int:company_id>/budgets/<int:budget_id>/delete/",
        budgets.budget_delete,
        name="budget_delete",
    ),
    path("<int:company_id>/delegations/", delegations.delegations_page, name="delegations"),
    path(
        "<int:company_id>/delegations/new/",
        delegations.delegation_create,
        name="delegation_create",
    ),
    path(
        "<int:company_id>/delegations/<int:delegation_id>/revoke/",
        delegations.delegation_revoke,
        name="delegation_revoke",
    ),
    path(
        "<int:company_id>/settings/",
        purchasing_settings.settings_page,
        name="purchasing_settings",
    ),
    # --- requisitions: the company cart, the list, one requisition and its decisions ---
    path("<int:company_id>/requisitions/", requisitions.requisition_list, name="requisitions"),
    path("<int:company_id>/requisitions/cart/", requisitions.cart, name="requisition_cart"),
    path("<int:company_id>/requisitions/cart/add/", requisitions.add, name="requisition_add"),
    path(
        "<int:company_id>/requisitions/cart/details/",
        requisitions.details,
        name="requisition_details",
    ),
    path(
        "<int:company_id>/requisitions/cart/lines/<int:line_id>/",
        requisitions.line_quantity,
        name="requisition_line_quantity",
    ),
    path(
        "<int:company_id>/requisitions/cart/lines/<int:line_id>/remove/",
        requisitions.line_remove,
        name="requisition_line_remove",
    ),
    path(
        "<int:company_id>/requisitions/<int:requisition_id>/",
        requisitions.detail,
        name="requisition",
    ),
    path(
        "<int:company_id>/requisitions/<int:requisition_id>/submit/",
        requisitions.submit,
        name="requisition_submit",
    ),
    path(
        "<int:company_id>/requisitions/<int:requisition_id>/withdraw/",
        requisitions.withdraw,
        name="requisition_withdraw",
    ),
    path(
        "<int:company_id>/requisitions/<int:requisition_id>/cancel/",
        requisitions.cancel,
        name="requisition_cancel",
    ),
    path(
        "<int:company_id>/requisitions/<int:requisition_id>/place/",
        requisitions.place,
        name="requisition_place",
    ),
    path(
        "<int:company_id>/requisitions/<int:requisition_id>/approve/",
        decisions.approve,
        name="requisition_approve",
    ),
    path(
        "<int:company_id>/requisitions/<int:requisition_id>/reject/",
        decisions.reject,
        name="requisition_reject",
    ),
    # The company's dashboard and its spend as a CSV.
    path("<int:company_id>/dashboard/", dashboard.dashboard, name="dashboard"),
    path("<int:company_id>/dashboard/spend.csv", dashboard.spend_csv, name="dashboard_csv"),
    # A merchant's price lists for companies.
    path("price-lists/", price_lists.price_lists_page, name="price_lists"),
    path("price-lists/<int:price_list_id>/", price_lists.price_list, name="price_list"),
    path(
        "price-lists/<int:price_list_id>/delete/",
        price_lists.price_list_delete,
        name="price_list_delete",
    ),
    path(
        "price-lists/<int:price_list_id>/entries/",
        price_lists.entry_save,
        name="price_entry_save",
    ),
    path(
        "price-lists/<int:price_list_id>/entries/<int:sku_id>/remove/",
        price_lists.entry_remove,
        name="price_entry_remove",
    ),
    # Quotes: the company's side, and the merchant's.
    path("<int:company_id>/quotes/", quotes.company_quotes, name="quotes"),
    path("<int:company_id>/quotes/new/", quotes.quote_new, name="quote_new"),
    path("<int:company_id>/quotes/<int:quote_id>/", quotes.company_quote, name="quote"),
    path(
        "<int:company_id>/quotes/<int:quote_id>/<str:verb>/",
        quotes.buyer_move,
        name="quote_move",
    ),
    path("quotes/", quotes.merchant_quotes, name="merchant_quotes"),
    path("quotes/<int:quote_id>/", quotes.merchant_quote, name="merchant_quote"),
    path("quotes/<int:quote_id>/<str:verb>/", quotes.merchant_move, name="quote_reply"),
    # Payment terms: the merchant's companies on terms, the company's payables.
    path("terms/", terms.merchant_terms, name="merchant_terms"),
    path("terms/grant/", terms.grant, name="terms_grant"),
    path("terms/<int:company_id>/", terms.update, name="terms_update"),
    path("terms/<int:company_id>/withdraw/", terms.withdraw, name="terms_withdraw"),
    path("<int:company_id>/payables/", terms.payables, name="payables"),
    path("<int:company_id>/payables/pay/", terms.pay, name="terms_pay"),
    # Monthly statements: the company's side, the merchant's side, and proformas.
    path("<int:company_id>/statements/", statements.statements_page, name="statements"),
    path(
        "<int:company_id>/statements/<int:statement_id>/",
        statements.statement_page,
        name="statement",
    ),
    path(
        "<int:company_id>/statements/<int:statement_id>/statement.csv",
        statements.statement_csv_view,
        name="statement_csv",
    ),
    path(
        "<int:company_id>/statements/<int:statement_id>/statement.pdf",
        statements.statement_pdf_view,
        name="statement_pdf",
    ),
    path(
        "<int:company_id>/statements/<int:statement_id>/confirm/",
        statements.statement_confirm,
        name="statement_confirm",
    ),
    path(
        "<int:company_id>/statements/<int:statement_id>/dispute/",
        statements.statement_dispute,
        name="statement_dispute",
    ),
    path("merchant/statements/", statements.merchant_statements, name="merchant_statements"),
    path("merchant/statements/issue/", statements.merchant_issue, name="merchant_statement_issue"),
    path(
        "merchant/statements/<int:statement_id>/",
        statements.merchant_statement,
        name="merchant_statement",
    ),
    path(
        "merchant/statements/<int:statement_id>/statement.csv",
        statements.merchant_statement_csv,
        name="merchant_statement_csv",
    ),
    path(
        "merchant/statements/<int:statement_id>/statement.pdf",
        statements.merchant_statement_pdf,
        name="merchant_statement_pdf",
    ),
    path(
        "merchant/statements/<int:statement_id>/disputes/<int:dispute_id>/answer/",
        statements.dispute_answer,
        name="statement_dispute_answer",
    ),
    path(
        "<int:company_id>/requisitions/<int:requisition_id>/proforma.pdf",
        statements.requisition_proforma,
        name="requisition_proforma",
    ),
    path(
        "<int:company_id>/quotes/<int:quote_id>/proforma.pdf",
        statements.quote_proforma,
        name="quote_proforma",
    ),
    path(
        "merchant/quotes/<int:quote_id>/proforma.pdf",
        statements.merchant_quote_proforma,
        name="merchant_quote_proforma",
    ),
]
