from django.urls import path

from infoconnect.procurement.views import departments

app_name = "procurement"

urlpatterns = [
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
]
