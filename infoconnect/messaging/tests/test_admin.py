"""What the operator does: enrol and suspend merchants, pause and resume sends, resume
interrupted sends."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from infoconnect.messaging import actions
from infoconnect.messaging.models import Campaign, Enrolment, Receipt

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(make_user):
    user = make_user("operator", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def test_operator_enrols_and_suspends_in_the_admin(operator, make_user):
    shop = make_user("shop", kind="merchant", verified=True)
    response = operator.post(
        "/admin/messaging/enrolment/add/", {"merchant": shop.pk, "note": "Welcome"}
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(merchant=shop)
    assert (enrolment.status, enrolment.note) == ("enrolled", "Welcome")
    operator.post(
        "/admin/messaging/enrolment/",
        {"action": "suspend", "_selected_action": [enrolment.pk]},
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "suspended"
    assert enrolment.suspended_at is not None
    operator.post(
        "/admin/messaging/enrolment/",
        {"action": "enrol", "_selected_action": [enrolment.pk]},
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "enrolled"


def test_an_unverified_merchant_cannot_be_enrolled(operator, make_user):
    pending = make_user("pending", kind="merchant", verified=False)
    person = make_user("person")
    for account in (pending, person):
        response = operator.post(
            "/admin/messaging/enrolment/add/", {"merchant": account.pk, "note": ""}, follow=True
        )
        # The form says no; nothing claims to have been added.
        assert response.status_code == 200
        html = response.content.decode()
        assert "Only a verified merchant can be enrolled in the messaging programme." in html
        assert "was added successfully" not in html
    assert not Enrolment.objects.exists()
    assert operator.get("/admin/messaging/campaign/").status_code == 200


def test_enrolling_in_the_admin_reports_the_enrolment_it_made(operator, make_user):
    shop = make_user("shop", kind="merchant", verified=True)
    response = operator.post(
        "/admin/messaging/enrolment/add/", {"merchant": shop.pk, "note": ""}, follow=True
    )
    enrolment = Enrolment.objects.get(merchant=shop)
    assert f'href="/admin/messaging/enrolment/{enrolment.pk}/change/"' in response.content.decode()
    again = operator.post("/admin/messaging/enrolment/add/", {"merchant": shop.pk, "note": ""})
    assert again.status_code == 200
    assert Enrolment.objects.count() == 1


def test_resume_command_finishes_interrupted_and_due_campaigns(
    settings, merchant, followers, campaign
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MESSAGING_CHUNK_SIZE = 4
    actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    actions.deliver_next_chunk(campaign_id=campaign.pk)  # then the worker died
    tomorrow = actions.create_campaign(merchant=merchant, title="Later", body="Later")
    actions.schedule_campaign(
        merchant=merchant,
        campaign_id=tomorrow.pk,
        scheduled_at=timezone.now() + timedelta(days=1),
    )
    Campaign.objects.filter(pk=tomorrow.pk).update(
        scheduled_at=timezone.now() - timedelta(minutes=1),
        send_day=timezone.localdate() + timedelta(days=1),
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    call_command("resume_campaigns")
    campaign.refresh_from_db()
    assert (campaign.state, campaign.delivered) == ("sent", 10)
    tomorrow.refresh_from_db()
    # Due, but the day's quota is used by the first campaign: it fails with the reason.
    assert tomorrow.state == "failed"
    assert tomorrow.failure_code == "campaign_quota_exceeded"
    assert tomorrow.failure_reason == (
        "When it was due, you had already used that day's campaign quota."
    )
    assert Receipt.objects.count() == 10


def test_operator_pauses_and_resumes_campaigns_in_the_admin(
    operator, settings, committed, merchant, followers, campaign
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MESSAGING_CHUNK_SIZE = 4
    actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    actions.deliver_next_chunk(campaign_id=campaign.pk)
    draft = actions.create_campaign(merchant=merchant, title="Draft", body="Not sent.")
    selected = {"_selected_action": [campaign.pk, draft.pk]}

    paused = operator.post(
        "/admin/messaging/campaign/", {"action": "pause", **selected}, follow=True
    )
    assert "1 campaigns paused." in paused.content.decode()
    campaign.refresh_from_db()
    assert (campaign.state, campaign.delivered) == ("paused", 4)
    assert actions.deliver_campaign_chunks(campaign_id=campaign.pk) == 0

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with committed():
        resumed = operator.post(
            "/admin/messaging/campaign/", {"action": "resume", **selected}, follow=True
        )
    assert "1 campaigns queued." in resumed.content.decode()
    campaign.refresh_from_db()
    assert (campaign.state, campaign.delivered) == ("sent", 10)
    draft.refresh_from_db()
    assert draft.state == "draft"
    assert Receipt.objects.count() == 10
