"""Pausing and resuming a sending campaign: the actions, the resume command, billing, the
API and the campaign page."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks import default_task_backend

from infoconnect.core.errors import DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.messaging import actions
from infoconnect.messaging.models import Campaign, CampaignChunk, Receipt
from infoconnect.messaging.tasks import deliver_campaign
from infoconnect.wallet import selectors as wallet_selectors
from infoconnect.wallet.models import AccountKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_worker(settings):
    """Queued tasks wait in a list (no worker runs them); chunks of 3 followers, shared by two
    delivery tasks."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MESSAGING_CHUNK_SIZE = 3
    settings.MESSAGING_FANOUT_TASKS = 2
    default_task_backend.clear()


@pytest.fixture
def paused(no_worker, merchant, followers, campaign):
    """The campaign paused after its first chunk (3 of 10 followers) was written."""
    actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    actions.deliver_next_chunk(campaign_id=campaign.pk)
    return actions.pause_campaign(merchant=merchant, campaign_id=campaign.pk)


def receivers(campaign: Campaign) -> list[int]:
    campaign.refresh_from_db()
    return sorted(
        Receipt.objects.filter(message_id=campaign.message_id).values_list(
            "recipient_id", flat=True
        )
    )


def queued_tasks() -> list[str]:
    return [result.task.name for result in default_task_backend.results]


def error_code(call) -> str:
    with pytest.raises(DomainError) as error:
        call()
    return error.value.code


def post(client, path, **headers):
    return client.post(path, data="{}", content_type="application/json", headers=headers)


# ---------------------------------------------------------------- pause and resume


def test_a_paused_campaign_writes_no_more_chunks_and_resume_sends_each_follower_once(
    committed, paused, merchant, followers
):
    campaign = paused
    assert campaign.state == "paused"
    # A delivery task that runs while it is paused (one queued before) writes nothing.
    assert deliver_campaign.call(campaign.pk) == 0
    assert actions.deliver_next_chunk(campaign_id=campaign.pk) is False
    campaign.refresh_from_db()
    assert (campaign.state, campaign.chunks_done, campaign.delivered) == ("paused", 1, 3)
    assert CampaignChunk.objects.filter(campaign=campaign, done=True).count() == 1
    assert receivers(campaign) == sorted(p.pk for p in followers[:3])
    # The resume of stalled sends leaves a paused campaign alone.
    call_command("resume_campaigns", stdout=StringIO())
    assert queued_tasks() == []
    campaign.refresh_from_db()
    assert campaign.state == "paused"

    with committed():
        resumed = actions.resume_campaign(merchant=merchant, campaign_id=campaign.pk)
    assert resumed.state == "sending"
    assert queued_tasks() == ["deliver_campaign", "deliver_campaign"]
    deliver_campaign.call(campaign.pk)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.chunks_done, campaign.delivered, campaign.targeted) == (
        "sent",
        4,
        10,
        10,
    )
    assert receivers(campaign) == sorted(p.pk for p in followers)
    assert Receipt.objects.count() == 10
    assert wallet_selectors.campaign_cost(campaign_id=campaign.pk) == {"held": 10, "charged": 10}


def test_pause_and_resume_only_from_their_states(no_worker, merchant, followers, campaign):
    assert error_code(
        lambda: actions.pause_campaign(merchant=merchant, campaign_id=campaign.pk)
    ) == ("campaign_not_sending")
    assert error_code(
        lambda: actions.resume_campaign(merchant=merchant, campaign_id=campaign.pk)
    ) == ("campaign_not_paused")
    actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    assert error_code(
        lambda: actions.resume_campaign(merchant=merchant, campaign_id=campaign.pk)
    ) == ("campaign_not_paused")
    actions.pause_campaign(merchant=merchant, campaign_id=campaign.pk)
    assert error_code(
        lambda: actions.pause_campaign(merchant=merchant, campaign_id=campaign.pk)
    ) == ("campaign_not_sending")
    # Sending it again (a stale page) answers it as it is.
    assert actions.send_campaign(merchant=merchant, campaign_id=campaign.pk).state == "paused"
    actions.resume_campaign(merchant=merchant, campaign_id=campaign.pk)
    actions.deliver_campaign_chunks(campaign_id=campaign.pk)
    assert error_code(
        lambda: actions.pause_campaign(merchant=merchant, campaign_id=campaign.pk)
    ) == ("campaign_not_sending")
    campaign.refresh_from_db()
    assert (campaign.state, campaign.delivered) == ("sent", 10)


def test_another_merchant_cannot_pause_or_resume(paused, make_user):
    other = make_user("rival", kind="merchant", verified=True)
    actions.enrol_merchant(merchant=other)
    for verb in (actions.pause_campaign, actions.resume_campaign):
        assert error_code(lambda verb=verb: verb(merchant=other, campaign_id=paused.pk)) == (
            "campaign_not_found"
        )
    paused.refresh_from_db()
    assert paused.state == "paused"


def test_cancel_while_paused_settles_what_was_delivered(paused, merchant):
    cancelled = actions.cancel_campaign(merchant=merchant, campaign_id=paused.pk)
    assert (cancelled.state, cancelled.delivered) == ("cancelled", 3)
    assert wallet_selectors.campaign_cost(campaign_id=paused.pk) == {"held": 10, "charged": 3}
    assert wallet_selectors.balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == (
        10_000 - 3
    )
    assert wallet_selectors.balance_of(user_id=merchant.pk, kind=AccountKind.CAMPAIGN_HOLD) == 0
    assert error_code(
        lambda: actions.resume_campaign(merchant=merchant, campaign_id=paused.pk)
    ) == ("campaign_not_paused")
    assert deliver_campaign.call(paused.pk) == 0
    assert Receipt.objects.count() == 3


def test_suspending_the_merchant_fails_a_paused_campaign_and_settles_it(paused, merchant):
    assert actions.suspend_merchant(merchant_id=merchant.pk, note="review") is True
    paused.refresh_from_db()
    assert (paused.state, paused.failure_code) == ("failed", "merchant_suspended")
    assert wallet_selectors.campaign_cost(campaign_id=paused.pk) == {"held": 10, "charged": 3}


def test_a_paused_campaign_counts_against_the_days_quota(paused, merchant):
    PlatformSettings.objects.update(campaigns_per_day=1)
    other = actions.create_campaign(merchant=merchant, title="Second", body="Another one.")
    assert error_code(lambda: actions.send_campaign(merchant=merchant, campaign_id=other.pk)) == (
        "campaign_quota_exceeded"
    )


def test_an_operator_pauses_and_resumes_selected_campaigns(committed, paused, merchant):
    draft = actions.create_campaign(merchant=merchant, title="Draft", body="Not sent.")
    assert actions.pause_campaigns(campaign_ids=[paused.pk, draft.pk]) == 0
    with committed():
        assert actions.resume_campaigns(campaign_ids=[paused.pk, draft.pk]) == 1
    assert queued_tasks() == ["deliver_campaign", "deliver_campaign"]
    assert actions.pause_campaigns(campaign_ids=[paused.pk, draft.pk]) == 1
    assert list(Campaign.objects.order_by("pk").values_list("state", flat=True)) == [
        "paused",
        "draft",
    ]


# ---------------------------------------------------------------- the API


def test_pause_and_resume_over_the_api(api_client, no_worker, make_user, merchant, followers):
    client = api_client(merchant)
    campaign = actions.create_campaign(merchant=merchant, title="Spring", body="20% off")
    refused = post(client, f"/api/v1/campaigns/{campaign.pk}/pause")
    assert (refused.status_code, refused.json()) == (
        409,
        {"error": "Only a campaign that is sending can be paused.", "code": "campaign_not_sending"},
    )
    post(client, f"/api/v1/campaigns/{campaign.pk}/send", **{"Idempotency-Key": "k1"})
    actions.deliver_next_chunk(campaign_id=campaign.pk)

    response = post(client, f"/api/v1/campaigns/{campaign.pk}/pause")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["state"], body["title"]) == (campaign.pk, "paused", "Spring")
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/stats").json()["chunks_done"] == 1

    rival = make_user("rival", kind="merchant", verified=True)
    actions.enrol_merchant(merchant=rival)
    for verb in ("pause", "resume"):
        other = post(api_client(rival), f"/api/v1/campaigns/{campaign.pk}/{verb}")
        assert (other.status_code, other.json()["code"]) == (404, "campaign_not_found")
        huge = post(client, f"/api/v1/campaigns/{2**63}/{verb}")
        assert (huge.status_code, huge.json()["code"]) == (404, "campaign_not_found")

    response = post(client, f"/api/v1/campaigns/{campaign.pk}/resume")
    assert (response.status_code, response.json()["state"]) == (200, "sending")
    again = post(client, f"/api/v1/campaigns/{campaign.pk}/resume")
    assert (again.status_code, again.json()["code"]) == (409, "campaign_not_paused")
    assert api_client().post(f"/api/v1/campaigns/{campaign.pk}/pause").status_code == 401


def test_the_openapi_lists_pause_and_resume(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/campaigns/{campaign_id}/pause"]
    assert "post" in paths["/api/v1/campaigns/{campaign_id}/resume"]


# ---------------------------------------------------------------- the campaign page


def page_of(client: Client, campaign: Campaign, **headers) -> str:
    return client.get(f"/messages/campaigns/{campaign.pk}/", headers=headers).content.decode()


def test_the_campaign_page_offers_pause_and_resume_when_the_lifecycle_allows(
    no_worker, merchant, followers, campaign
):
    client = Client()
    client.force_login(merchant)
    draft = page_of(client, campaign)
    assert 'data-testid="pause-campaign"' not in draft
    assert 'data-testid="resume-campaign"' not in draft
    actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    sending = page_of(client, campaign)
    assert 'data-testid="pause-campaign"' in sending
    assert 'data-testid="resume-campaign"' not in sending
    assert 'data-testid="cancel-campaign"' in sending

    paused = client.post(f"/messages/campaigns/{campaign.pk}/pause/", follow=True).content.decode()
    assert "The campaign is paused: no more messages go out until you resume it." in paused
    assert 'data-testid="campaign-state">Paused<' in paused
    assert 'data-testid="pause-campaign"' not in paused
    assert 'data-testid="resume-campaign"' in paused
    assert 'data-testid="cancel-campaign"' in paused
    # Paused, nothing changes by itself: the page stops polling.
    assert (
        "hx-trigger"
        not in client.get(f"/messages/campaigns/{campaign.pk}/progress/").content.decode()
    )
    stale = client.post(f"/messages/campaigns/{campaign.pk}/pause/", follow=True).content.decode()
    assert "Only a campaign that is sending can be paused." in stale

    chinese = page_of(client, campaign, **{"Accept-Language": "zh-hans"})
    assert 'data-testid="campaign-state">已暂停<' in chinese
    assert "继续发送" in chinese

    resumed = client.post(
        f"/messages/campaigns/{campaign.pk}/resume/", follow=True
    ).content.decode()
    assert "Sending resumed." in resumed
    assert 'data-testid="campaign-state">Sending<' in resumed
    campaign.refresh_from_db()
    assert campaign.state == "sending"


def test_another_merchants_campaign_cannot_be_paused_from_the_web(paused, make_user):
    rival = make_user("rival", kind="merchant", verified=True)
    client = Client()
    client.force_login(rival)
    assert client.post(f"/messages/campaigns/{paused.pk}/resume/").status_code == 404
    paused.refresh_from_db()
    assert paused.state == "paused"
