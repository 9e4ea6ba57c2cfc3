"""The campaign lifecycle: its declared edges and the groups of states built from them, and the
sweep of its one due edge (the scheduled start)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string

from infoconnect.core import sweeps
from infoconnect.messaging import actions
from infoconnect.messaging.lifecycle import ENDED_STATES, QUOTA_STATES, campaigns
from infoconnect.messaging.models import Campaign

pytestmark = pytest.mark.django_db


def test_the_lifecycle_declares_the_moves_and_the_groups_of_states():
    assert campaigns.verbs_from("draft") == ["schedule", "send"]
    assert campaigns.verbs_from("scheduled") == ["start", "cancel", "fail", "suspend"]
    assert campaigns.verbs_from("sending") == ["pause", "finish", "cancel", "suspend"]
    assert campaigns.verbs_from("paused") == ["resume", "cancel", "suspend"]
    assert ENDED_STATES == ("sent", "cancelled", "failed")
    assert [campaigns.verbs_from(state) for state in ENDED_STATES] == [[], [], []]
    assert QUOTA_STATES == ("scheduled", "sending", "paused", "sent")
    start = campaigns.edge("start")
    assert (start.sources, start.target, start.due) == (("scheduled",), "sending", "scheduled_at")
    assert import_string(start.sweep) is actions.start_scheduled
    assert campaigns.edge("finish").hot_path == "infoconnect.messaging.actions.delivery"


def test_a_campaign_has_ended_once_no_edge_leaves_its_state(merchant, campaign):
    assert campaign.has_ended is False
    actions.schedule_campaign(
        merchant=merchant, campaign_id=campaign.pk, scheduled_at=timezone.now() + timedelta(hours=1)
    )
    cancelled = actions.cancel_campaign(merchant=merchant, campaign_id=campaign.pk)
    assert (cancelled.state, cancelled.has_ended) == ("cancelled", True)


def test_the_sweep_starts_a_due_scheduled_campaign(committed, merchant, followers, campaign):
    actions.schedule_campaign(
        merchant=merchant, campaign_id=campaign.pk, scheduled_at=timezone.now() + timedelta(hours=1)
    )
    assert sweeps.run(app_label="messaging") == {"campaign.start": 0}
    Campaign.objects.filter(pk=campaign.pk).update(scheduled_at=timezone.now())
    with committed():
        assert sweeps.run(app_label="messaging") == {"campaign.start": 1}
    campaign.refresh_from_db()
    assert (campaign.state, campaign.delivered) == ("sent", 10)
    assert sweeps.run(app_label="messaging") == {"campaign.start": 0}
