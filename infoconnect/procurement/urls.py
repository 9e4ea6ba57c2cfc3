from django.urls import path

from infoconnect.procurement.views import companies, dashboard, departments, members, rules
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
    # The company's dashboard and its spend as a CSV.
    path("<int:company_id>/dashboard/", dashboard.dashboard, name="dashboard"),
    path("<int:company_id>/dashboard/spend.csv", dashboard.spend_csv, name="dashboard_csv"),
]
