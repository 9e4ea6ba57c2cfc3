"""The operator's platform settings: a commission above the whole order is refused."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from infoconnect.core.admin import PlatformSettingsAdmin
from infoconnect.core.models import PlatformSettings

pytestmark = pytest.mark.django_db


def _form(**changes) -> dict:
    """The admin's change form as it stands, with ``changes``: every field it shows."""
    settings = PlatformSettings.current()
    fields = [f for _name, options in PlatformSettingsAdmin.fieldsets for f in options["fields"]]
    return {**{field: getattr(settings, field) for field in fields}, **changes}


def test_the_operator_sets_the_commission_up_to_all_of_it(make_user):
    operator = make_user("ops")
    operator.is_staff = operator.is_superuser = True
    operator.save()
    client = Client()
    client.force_login(operator)
    pk = PlatformSettings.current().pk
    url = f"/admin/core/platformsettings/{pk}/change/"

    refused = client.post(url, _form(commission_basis_points=10_001))
    assert refused.status_code == 200
    assert "Ensure this value is less than or equal to 10000." in refused.content.decode()
    assert PlatformSettings.current().commission_basis_points == 200

    assert client.post(url, _form(commission_basis_points=500)).status_code == 302
    assert PlatformSettings.current().commission_basis_points == 500
    assert client.post(url, _form(commission_basis_points=10_000)).status_code == 302


def test_the_database_refuses_more_than_all_of_it_too():
    settings = PlatformSettings.current()
    with pytest.raises(IntegrityError), transaction.atomic():
        PlatformSettings.objects.filter(pk=settings.pk).update(commission_basis_points=10_001)


def test_a_person_cannot_change_the_settings(make_user):
    client = Client()
    client.force_login(make_user("alice"))
    pk = PlatformSettings.current().pk
    response = client.post(
        f"/admin/core/platformsettings/{pk}/change/", _form(commission_basis_points=9_000)
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert PlatformSettings.current().commission_basis_points == 200
