"""Per-account daily top-up limits: a sum and a number of top-ups per site day (China time),
separate for persons, merchants and companies, set by the operator."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from infoconnect.core.errors import DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.wallet import actions, topup_limits
from infoconnect.wallet.models import BankTransfer, Payment, TopupDay
from infoconnect.wallet.providers import sandbox

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _limits(**values) -> None:
    PlatformSettings.objects.filter(pk=PlatformSettings.current().pk).update(**values)


@pytest.fixture
def alice(make_user):
    return make_user("alice")


def test_a_person_is_refused_a_top_up_past_the_days_sum(alice):
    _limits(topup_daily_amount_person=10_000, topup_daily_count_person=10)
    actions.start_topup(user_id=alice.pk, amount=6_000)
    with pytest.raises(DomainError) as error:
        actions.start_topup(user_id=alice.pk, amount=4_001)
    assert (error.value.code, error.value.status) == ("topup_limit_exceeded", 422)
    assert error.value.message.startswith(
        "Today's top-up limit is ¥100.00 in at most 10 top-ups; ¥40.00 is left today in 9 more."
        " The limit resets at "
    )
    assert error.value.message.endswith(" 00:00 (midnight, China time).")
    assert Payment.objects.count() == 1
    actions.start_topup(user_id=alice.pk, amount=4_000)  # exactly the rest still fits
    assert Payment.objects.count() == 2


def test_a_person_is_refused_a_top_up_past_the_days_number(alice):
    _limits(topup_daily_count_person=2)
    actions.start_topup(user_id=alice.pk, amount=100)
    actions.start_topup(user_id=alice.pk, amount=100)
    with pytest.raises(DomainError) as error:
        actions.start_topup(user_id=alice.pk, amount=100)
    assert error.value.code == "topup_limit_exceeded"
    assert "¥0.00 is left today in 0 more" in error.value.message
    assert Payment.objects.count() == 2


def test_merchants_have_their_own_limits(make_user, alice):
    _limits(topup_daily_count_person=1, topup_daily_count_merchant=3)
    merchant = make_user("acme", kind="merchant", verified=True)
    for _ in range(3):
        actions.start_topup(user_id=merchant.pk, amount=100, destination="merchant")
    with pytest.raises(DomainError):
        actions.start_topup(user_id=merchant.pk, amount=100)
    actions.start_topup(user_id=alice.pk, amount=100)
    with pytest.raises(DomainError):
        actions.start_topup(user_id=alice.pk, amount=100)
    assert Payment.objects.filter(user_id=merchant.pk).count() == 3


def test_companies_have_their_own_limits_on_bank_transfers(firm):
    _limits(topup_daily_amount_company=20_000)
    actions.open_bank_transfer(user=firm.finance, company_id=firm.company.pk, amount=15_000)
    with pytest.raises(DomainError) as error:
        actions.open_bank_transfer(user=firm.finance, company_id=firm.company.pk, amount=5_001)
    assert error.value.code == "topup_limit_exceeded"
    assert BankTransfer.objects.count() == 1


def test_the_day_resets_at_midnight_in_china(alice):
    _limits(topup_daily_count_person=1)
    late = datetime(2026, 12, 2, 23, 59, tzinfo=SHANGHAI)
    topup_limits.take(owner_id=alice.pk, amount=100, now=late)
    with pytest.raises(DomainError) as error:
        topup_limits.take(owner_id=alice.pk, amount=100, now=late)
    assert "The limit resets at 2026-12-03 00:00" in error.value.message
    topup_limits.take(
        owner_id=alice.pk, amount=100, now=datetime(2026, 12, 3, 0, 0, tzinfo=SHANGHAI)
    )
    # 16:30 UTC is already the next day in China.
    utc_evening = datetime(2026, 12, 3, 16, 30, tzinfo=ZoneInfo("UTC"))
    assert topup_limits.site_day(utc_evening).isoformat() == "2026-12-04"


def test_a_top_up_the_provider_refused_to_open_does_not_count(alice, monkeypatch):
    _limits(topup_daily_count_person=1)

    def refuse(self, **kwargs):
        raise RuntimeError("provider down")

    monkeypatch.setattr(sandbox.SandboxProvider, "create_payment", refuse)
    with pytest.raises(RuntimeError):
        actions.start_topup(user_id=alice.pk, amount=100)
    assert TopupDay.objects.get().count == 0
    monkeypatch.undo()
    actions.start_topup(user_id=alice.pk, amount=100)


def test_the_api_answers_422_past_the_limit(alice, api_client):
    _limits(topup_daily_count_person=1)
    client = api_client(alice)

    def topup():
        return client.post(
            "/api/v1/wallet/topups",
            {"amount": 100},
            content_type="application/json",
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )

    assert topup().status_code == 201
    refused = topup()
    assert refused.status_code == 422
    assert refused.json()["code"] == "topup_limit_exceeded"
    assert Payment.objects.count() == 1


def test_the_top_up_page_shows_what_is_left_today(alice):
    client = Client()
    client.force_login(alice)
    page = client.get("/wallet/").content.decode()
    assert "Left to top up today: ¥200,000.00, in up to 20 more top-ups." in page
    actions.start_topup(user_id=alice.pk, amount=10_000)
    page = client.get("/wallet/").content.decode()
    assert "Left to top up today: ¥199,900.00, in up to 19 more top-ups." in page


def test_the_operator_edits_the_limits(make_user):
    from infoconnect.core.tests.test_settings_admin import _form

    operator = make_user("ops", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    url = f"/admin/core/platformsettings/{PlatformSettings.current().pk}/change/"
    assert client.post(url, _form(topup_daily_count_person=3)).status_code == 302
    assert PlatformSettings.current().topup_daily_count_person == 3


def test_the_company_wallet_page_shows_what_is_left_today(firm):
    _limits(topup_daily_amount_company=2_000_000, topup_daily_count_company=5)
    client = Client()
    client.force_login(firm.finance)
    url = f"/companies/{firm.company.pk}/wallet/"
    page = client.get(url).content.decode()
    assert "Left to top up today: ¥20,000.00, in up to 5 more top-ups." in page
    actions.open_bank_transfer(user=firm.finance, company_id=firm.company.pk, amount=150_000)
    page = client.get(url).content.decode()
    assert "Left to top up today: ¥18,500.00, in up to 4 more top-ups." in page
