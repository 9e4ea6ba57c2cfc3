from django.urls import path

from infoconnect.procurement.views import companies, members

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
]
