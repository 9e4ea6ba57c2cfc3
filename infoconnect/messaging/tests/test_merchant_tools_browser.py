"""In Chromium: the campaign editor's estimate follows the region chips before anything is
saved, "Send now" names the cost, and the progress speaks of recipients."""

import pytest
from playwright.sync_api import expect

from infoconnect.core.models import PlatformSettings
from infoconnect.messaging import actions
from infoconnect.messaging.models import Campaign
from infoconnect.social.models import Follow


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_estimate_follows_the_chips_and_send_now_names_the_cost(
    page, login, make_user, fund_balance
):
    PlatformSettings.objects.update_or_create(pk=1, defaults={"price_per_message_fen": 100})
    merchant = make_user("acme", kind="merchant", verified=True)
    actions.enrol_merchant(merchant=merchant)
    fund_balance(merchant, 10_000)
    for n, region in enumerate(["SH", "SH", "BJ", "GD"]):
        Follow.objects.create(follower=make_user(f"fan{n}", region=region), target=merchant)

    login("acme")
    page.goto("/messages/campaigns/new/")
    estimate = page.get_by_test_id("estimate")
    expect(estimate).to_contain_text("Estimated recipients: 4 · estimated cost: ¥4.00")
    page.get_by_label("Shanghai").check()
    expect(estimate).to_contain_text("Estimated recipients: 2 · estimated cost: ¥2.00")
    # The chips answer the keyboard: Space on a focused chip picks it.
    page.get_by_label("Beijing").focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("Beijing")).to_be_checked()
    expect(estimate).to_contain_text("Estimated recipients: 3 · estimated cost: ¥3.00")
    # An audience out of bounds says why in the estimate's place.
    days = page.get_by_label("Only followers who followed within (days)")
    days.fill("0")
    days.blur()
    expect(estimate).to_contain_text("No estimate yet:")
    days.fill("")
    days.blur()
    expect(estimate).to_contain_text("Estimated recipients: 3 · estimated cost: ¥3.00")
    # All of it before saving anything.
    assert not Campaign.objects.exists()

    page.get_by_label("Title").fill("Spring sale")
    page.get_by_label("Message").fill("Everything 20% off this week.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_test_id("campaign-preview")).to_contain_text("What your followers will see")
    expect(page.get_by_test_id("campaign-title")).to_have_text("Spring sale")
    page.get_by_role("button", name="Send now").click()
    expect(page.get_by_role("heading", name="Send to 3 followers for ¥3.00?")).to_be_visible()
    page.get_by_role("button", name="Yes, start sending").click()
    expect(page.get_by_test_id("campaign-state")).to_have_text("Sent")
    expect(page.get_by_test_id("campaign-progress-text")).to_have_text("3 of 3 delivered")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuetext", "3 of 3 delivered")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_merchant_tags_the_followers_it_ticks(page, login, make_user):
    merchant = make_user("acme", kind="merchant", verified=True)
    fans = [make_user(f"fan{n}", display_name=f"Fan {n}") for n in range(3)]
    for fan in fans:
        Follow.objects.create(follower=fan, target=merchant)
    actions.tag_follower(merchant=merchant, follower_id=fans[0].pk, tag="vip")

    login("acme")
    page.goto("/shop/manage/")
    nav = page.get_by_test_id("seller-nav")
    nav.get_by_role("link", name="Followers").click()
    expect(nav.get_by_role("link", name="Followers")).to_have_attribute("aria-current", "page")
    page.get_by_label("Select Fan 1").check()
    page.get_by_label("Select Fan 2").check()
    page.get_by_label("Tag to add to the followers ticked below").select_option("vip")
    page.get_by_role("button", name="Tag selected").click()
    expect(page.get_by_text("Tagged 2 followers “vip”.")).to_be_visible()
    for username in ("fan0", "fan1", "fan2"):
        expect(page.get_by_test_id(f"follower-row-{username}")).to_contain_text("vip ×")
