""" "Send now" spends the estimate: it asks first, on the campaign's page (no JS needed)."""

import re

import pytest

from infoconnect.messaging.models import Campaign
from infoconnect.messaging.tests.test_views import client_for

pytestmark = pytest.mark.django_db


def test_send_now_asks_before_it_spends(merchant, followers, campaign):
    client = client_for(merchant)
    url = f"/messages/campaigns/{campaign.pk}/"
    page = re.sub(r"\s+", " ", client.get(url).content.decode())
    assert (
        '<form method="get" action="#send-campaign" class="inline"><input type="hidden" '
        'name="ask" value="send"><button type="submit">Send now</button></form>'
    ) in page
    assert "<dialog" not in page and f'action="{url}send/"' not in page
    asked = re.sub(r"\s+", " ", client.get(f"{url}?ask=send").content.decode())
    assert '<dialog open id="send-campaign"' in asked
    assert "Sending starts at once and cannot be undone" in asked
    assert f'<form method="post" action="{url}send/" class="inline">' in asked
    assert '<button type="submit">Yes, start sending</button>' in asked
    assert f'<a class="button secondary" href="{url}">Not yet</a>' in asked
    # Asking moved nothing.
    assert Campaign.objects.get(pk=campaign.pk).state == "draft"
