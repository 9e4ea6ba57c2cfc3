"""The merchant's campaign editor and follower list: the live estimate of an unsaved audience,
the follower's-eye preview, "Send now" naming its cost, progress in recipients, and tagging
many followers at once."""

import re

import pytest
from django.utils import timezone

from infoconnect.core.models import PlatformSettings
from infoconnect.messaging import actions, selectors
from infoconnect.messaging.models import Campaign, FollowerTag
from infoconnect.messaging.tests.test_views import client_for
from infoconnect.shop.tests.conftest import make_product
from infoconnect.social.models import Follow

pytestmark = pytest.mark.django_db

ESTIMATE = "/messages/campaigns/estimate/"
BULK = "/messages/campaigns/followers/tag/"


def squashed(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# ---------------------------------------------------------------- the live estimate


def test_the_estimate_counts_the_unsaved_audience(merchant, followers):
    client = client_for(merchant)
    everyone = client.post(ESTIMATE, {})
    assert everyone.status_code == 200
    assert "Estimated recipients: 10 · estimated cost: ¥0.10" in squashed(everyone)
    shanghai = client.post(ESTIMATE, {"regions": ["SH"], "title": "ignored"})
    assert "Estimated recipients: 5 · estimated cost: ¥0.05" in squashed(shanghai)
    FollowerTag.objects.create(merchant=merchant, follower=followers[1], tag="vip")
    tagged = client.post(ESTIMATE, {"regions": ["SH"], "tags": ["vip", ""]})
    assert "Estimated recipients: 1 · estimated cost: ¥0.01" in squashed(tagged)
    # Counting saves nothing.
    assert not Campaign.objects.exists()


def test_the_estimate_is_the_one_a_saved_draft_gets(merchant, followers, campaign):
    """One count for both: the draft's estimate and the form's, for the same audience."""
    PlatformSettings.objects.update_or_create(pk=1, defaults={"price_per_message_fen": 150})
    saved = actions.estimate_campaign(merchant=merchant, campaign_id=campaign.pk)
    assert saved == selectors.audience_estimate(merchant_id=merchant.pk, audience={})
    assert (saved["recipients"], saved["cost_fen"], saved["hold_fen"]) == (10, 1500, 1500)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"followed_within_days": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"regions": ["XX"]}, "Select a valid choice. XX is not one of the available choices."),
        ({"tags": ["x" * 31]}, "A tag has 1 to 30 characters."),
    ],
)
def test_an_audience_that_cannot_be_counted_says_why(merchant, followers, data, reason):
    refused = client_for(merchant).post(ESTIMATE, data)
    assert refused.status_code == 422
    html = squashed(refused)
    assert 'data-error-code="invalid_audience"' in html
    assert f"No estimate yet: {reason}" in html


def test_only_the_merchant_counts_its_audience(make_user, merchant, followers):
    assert client_for(make_user("bob")).post(ESTIMATE, {}).status_code == 404
    assert client_for(merchant).get(ESTIMATE).status_code == 405


def test_the_form_picks_regions_and_the_merchants_own_tags_as_chips(make_user, merchant, followers):
    rival = make_user("rival", kind="merchant", verified=True)
    Follow.objects.create(follower=followers[0], target=rival)
    FollowerTag.objects.create(merchant=merchant, follower=followers[0], tag="vip")
    FollowerTag.objects.create(merchant=rival, follower=followers[0], tag="rivals-own")
    html = squashed(client_for(merchant).get("/messages/campaigns/new/"))
    assert (
        '<label class="chip"><input type="checkbox" name="tags" value="vip" id="id_tags_0"> vip'
        "</label>"
    ) in html
    assert "rivals-own" not in html
    assert (
        '<label class="chip"><input type="checkbox" name="regions" value="SH"' in html
        and "Shanghai</label>" in html
    )
    assert f'hx-post="{ESTIMATE}" hx-trigger="load, change"' in html
    # Saving the chips keeps them: a campaign to the tag, in Shanghai.
    client_for(merchant).post(
        "/messages/campaigns/new/",
        {"title": "VIP", "body": "For you", "tags": ["vip"], "regions": ["SH"]},
    )
    assert Campaign.objects.get().audience == {"tags": ["vip"], "regions": ["SH"]}
    campaign = Campaign.objects.get()
    edit = squashed(client_for(merchant).get(f"/messages/campaigns/{campaign.pk}/edit/"))
    assert 'name="tags" value="vip" id="id_tags_0" checked>' in edit


# ---------------------------------------------------------------- preview, confirmation, progress


def test_the_preview_is_what_a_follower_sees(merchant, followers):
    product, _sku = make_product(merchant, title="Silk scarf")
    campaign = actions.create_campaign(
        merchant=merchant,
        title="Spring sale",
        body="Everything 20% off.",
        link_url="https://shop.example.com/spring",
        product_id=product.pk,
    )
    html = squashed(client_for(merchant).get(f"/messages/campaigns/{campaign.pk}/"))
    preview = html[html.index('data-testid="campaign-preview"') :]
    preview = preview[: preview.index("</section>")]
    assert "What your followers will see" in preview
    assert '<h3 data-testid="campaign-title">Spring sale</h3>' in preview
    assert "Everything 20% off." in preview
    assert "Open the offer" in preview
    assert 'data-testid="product-buy"' in preview
    assert "Edit your product" not in preview


def test_send_now_names_the_recipients_and_the_cost(merchant, followers, campaign):
    PlatformSettings.objects.update_or_create(pk=1, defaults={"price_per_message_fen": 150})
    client = client_for(merchant)
    asked = squashed(client.get(f"/messages/campaigns/{campaign.pk}/?ask=send"))
    assert "Send to 10 followers for ¥15.00?</h2>" in asked
    assert "It holds ¥15.00 from your merchant balance" in asked
    # ¥100.00 in the balance covers it: no warning.
    assert "send-confirm-balance" not in asked
    assert Campaign.objects.get(pk=campaign.pk).state == "draft"


def test_send_now_warns_when_the_balance_cannot_hold_the_cost(merchant, followers, campaign):
    PlatformSettings.objects.update_or_create(pk=1, defaults={"price_per_message_fen": 1_500})
    asked = squashed(client_for(merchant).get(f"/messages/campaigns/{campaign.pk}/?ask=send"))
    assert "Send to 10 followers for ¥150.00?" in asked
    assert "Your merchant balance (¥100.00) is too low for that: top it up first." in asked


def test_progress_speaks_of_recipients(settings, merchant, followers, campaign):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    actions.estimate_campaign(merchant=merchant, campaign_id=campaign.pk)
    actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    url = f"/messages/campaigns/{campaign.pk}/progress/"
    client = client_for(merchant)
    assert (
        '<p class="muted" id="campaign-progress-text" data-testid="campaign-progress-text">0 of 10 delivered</p>'
        in squashed(client.get(url))
    )
    Campaign.objects.filter(pk=campaign.pk).update(estimated_recipients=900_000, delivered=412_000)
    html = squashed(client.get(url))
    assert ">412,000 of 900,000 delivered</p>" in html
    assert 'aria-valuetext="412,000 of 900,000 delivered"' in html
    assert 'data-testid="stat-delivered">412,000<' in html
    # Never estimated (sent through the API at once): what was delivered so far.
    Campaign.objects.filter(pk=campaign.pk).update(estimated_recipients=None)
    assert ">412,000 delivered</p>" in squashed(client.get(url))


# ---------------------------------------------------------------- tagging many followers


def test_tag_selected_tags_every_follower_ticked(merchant, followers):
    FollowerTag.objects.create(merchant=merchant, follower=followers[0], tag="vip")
    client = client_for(merchant)
    page = squashed(client.get("/messages/campaigns/followers/"))
    assert '<option value="vip">vip (1 follower)</option>' in page
    assert f'name="followers" value="{followers[3].pk}" form="bulk-tag"' in page
    ticked = [followers[0].pk, followers[3].pk, followers[4].pk]
    done = client.post(f"{BULK}?page=1", {"followers": ticked, "tag": "vip"}, follow=True)
    assert done.redirect_chain == [("/messages/campaigns/followers/?page=1", 302)]
    assert "Tagged 3 followers “vip”." in squashed(done)
    assert sorted(
        FollowerTag.objects.filter(merchant=merchant, tag="vip").values_list("follower", flat=True)
    ) == sorted(ticked)


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({"tag": "vip"}, 422, "invalid_audience"),
        ({"followers": ["{fan}"], "tag": "nobody-has-it"}, 422, "unknown_tag"),
        ({"followers": ["{fan}"], "tag": ""}, 422, "invalid_audience"),
        ({"followers": ["{fan}", "x"], "tag": "vip"}, 404, "not_a_follower"),
        ({"followers": ["{fan}", str(2**70)], "tag": "vip"}, 404, "not_a_follower"),
    ],
)
def test_tag_selected_refuses_bad_input_and_tags_nobody(merchant, followers, data, status, code):
    FollowerTag.objects.create(merchant=merchant, follower=followers[0], tag="vip")
    fan = str(followers[5].pk)
    data = {
        k: [fan if v == "{fan}" else v for v in vs] if k == "followers" else vs
        for k, vs in data.items()
    }
    refused = client_for(merchant).post(BULK, data)
    assert refused.status_code == status
    assert f'data-error-code="{code}"' in squashed(refused)
    assert list(FollowerTag.objects.values_list("follower", "tag")) == [(followers[0].pk, "vip")]


def test_tag_selected_refuses_another_merchants_follower(make_user, merchant, followers):
    FollowerTag.objects.create(merchant=merchant, follower=followers[0], tag="vip")
    stranger = make_user("stranger")
    rival = make_user("rival", kind="merchant", verified=True)
    Follow.objects.create(follower=stranger, target=rival)
    refused = client_for(merchant).post(
        BULK, {"followers": [followers[1].pk, stranger.pk], "tag": "vip"}
    )
    assert refused.status_code == 404
    html = squashed(refused)
    assert 'data-error-code="not_a_follower"' in html
    assert "One of the accounts chosen does not follow you: nobody was tagged." in html
    # The choice is kept for another try.
    assert (
        f'value="{followers[1].pk}" form="bulk-tag" id="select-{followers[1].pk}" checked>' in html
    )
    # Nobody was tagged, not even the merchant's own follower chosen with the stranger.
    assert FollowerTag.objects.filter(merchant=merchant).count() == 1
    # Nor may a person, or the rival with a "vip" tag of its own, tag the merchant's followers.
    FollowerTag.objects.create(merchant=rival, follower=stranger, tag="vip")
    for other in (stranger, rival):
        refused = client_for(other).post(BULK, {"followers": [followers[1].pk], "tag": "vip"})
        assert refused.status_code == 404
    assert FollowerTag.objects.filter(follower=followers[1]).count() == 0


def test_the_follower_list_is_a_table_with_avatars_and_tags(merchant, followers):
    FollowerTag.objects.create(merchant=merchant, follower=followers[2], tag="tea")
    html = squashed(client_for(merchant).get("/messages/campaigns/followers/"))
    assert (
        '<thead><tr><th scope="col"><span class="sr-only">Select</span></th>'
        '<th scope="col">Follower</th><th scope="col">Region</th>'
        '<th scope="col">Following since</th><th scope="col">Tags</th>'
        '<th scope="col">Add a tag</th></tr></thead>'
    ) in html
    row = html[html.index('data-testid="follower-row-fan02"') :]
    row = row[: row.index("</tr>")]
    assert re.search(r'<span class="avatar avatar-initial[^"]*" aria-hidden="true">F</span>', row)
    assert "tea ×" in row and "Beijing" in row
    assert timezone.localdate().isoformat() in row
