"""In Chromium: a merchant sends a campaign; the follower's badge changes without a reload,
the follower opens the message and clicks its link; the merchant sees 1 read and 1 click."""

import pytest
from playwright.sync_api import expect

from infoconnect.messaging import actions
from infoconnect.social.models import Follow


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_campaign_reaches_the_follower_live(
    browser, live_server, page, login, make_user, fund_balance
):
    merchant = make_user("acme", kind="merchant", verified=True)
    actions.enrol_merchant(merchant=merchant)
    fan = make_user("fan")
    Follow.objects.create(follower=fan, target=merchant)

    login("fan")
    page.goto("/messages/")
    expect(page.locator("#nav-messages")).to_be_visible()
    expect(page.get_by_test_id("messages-badge")).to_have_count(0)

    shop_context = browser.new_context(base_url=live_server.url, locale="en-US")
    shop = shop_context.new_page()
    login("acme", target=shop)
    shop.goto("/messages/campaigns/new/")
    shop.get_by_label("Title").fill("Spring sale")
    shop.get_by_label("Message").fill("Everything 20% off this week.")
    shop.get_by_label("Link").fill(f"{live_server.url}/messages/preferences/")
    shop.get_by_role("button", name="Save draft").click()
    expect(shop.get_by_test_id("estimate")).to_contain_text("Estimated recipients: 1")
    expect(shop.get_by_test_id("estimate-hold")).to_have_text(
        "Sending holds ¥0.01 from your merchant balance until the campaign ends."
    )
    # An empty merchant balance cannot pay for the campaign: it stays a draft.
    shop.get_by_role("button", name="Send now").click()
    shop.get_by_role("button", name="Yes, start sending").click()
    expect(
        shop.get_by_text(
            "Your merchant balance (¥0.00) is too low: sending holds ¥0.01, a message's price"
            " for each follower in the audience; you pay only for those delivered. Top up and"
            " send again."
        )
    ).to_be_visible()
    expect(shop.get_by_test_id("campaign-state")).to_have_text("Draft")
    fund_balance(merchant, 100)
    shop.reload()
    expect(shop.get_by_test_id("merchant-balance")).to_have_text("¥1.00")
    shop.get_by_role("button", name="Send now").click()
    shop.get_by_role("button", name="Yes, start sending").click()
    expect(shop.get_by_test_id("campaign-state")).to_have_text("Sent")
    expect(shop.get_by_test_id("cost-held")).to_have_text("¥0.01")
    expect(shop.get_by_test_id("cost-charged")).to_have_text("¥0.01")

    # The follower's page was not reloaded: the header badge polls.
    expect(page.get_by_test_id("messages-badge")).to_have_text("1", timeout=15_000)
    page.locator("#nav-messages").click()
    page.get_by_test_id("conversation-acme").click()
    expect(page.get_by_test_id("campaign-title")).to_have_text("Spring sale")
    page.get_by_test_id("campaign-link").click()
    page.wait_for_url("**/messages/preferences/")

    shop.reload()
    expect(shop.get_by_test_id("stat-delivered")).to_have_text("1")
    expect(shop.get_by_test_id("stat-read")).to_have_text("1")
    expect(shop.get_by_test_id("stat-clicked")).to_have_text("1")
    shop_context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_campaign_page_follows_the_send_and_drops_cancel_when_it_ends(
    settings, page, login, make_user, fund_balance
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    merchant = make_user("acme", kind="merchant", verified=True)
    actions.enrol_merchant(merchant=merchant)
    fund_balance(merchant, 100)
    for n in range(3):
        Follow.objects.create(follower=make_user(f"fan{n}"), target=merchant)
    campaign = actions.create_campaign(merchant=merchant, title="Spring sale", body="20% off")

    login("acme")
    page.goto(f"/messages/campaigns/{campaign.pk}/")
    page.get_by_role("button", name="Send now").click()
    page.get_by_role("button", name="Yes, start sending").click()
    # No worker has written anything yet.
    expect(page.get_by_test_id("campaign-state")).to_have_text("Sending")
    expect(page.get_by_test_id("cancel-campaign")).to_be_visible()

    actions.deliver_campaign_chunks(campaign_id=campaign.pk)
    # The page was not reloaded: the polled part shows the end and takes Cancel away.
    expect(page.get_by_test_id("campaign-state")).to_have_text("Sent")
    expect(page.get_by_test_id("stat-delivered")).to_have_text("3")
    expect(page.get_by_test_id("cost-charged")).to_have_text("¥0.03")
    expect(page.get_by_test_id("cancel-campaign")).to_have_count(0)
    # The live figures and the sales below them read as one column.
    figures = page.get_by_test_id("stat-delivered").bounding_box()
    sales = page.get_by_test_id("stat-orders").bounding_box()
    assert figures["x"] == sales["x"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_merchant_pauses_and_resumes_a_sending_campaign(
    settings, page, login, make_user, fund_balance
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MESSAGING_CHUNK_SIZE = 1
    merchant = make_user("acme", kind="merchant", verified=True)
    actions.enrol_merchant(merchant=merchant)
    fund_balance(merchant, 100)
    for n in range(3):
        Follow.objects.create(follower=make_user(f"fan{n}"), target=merchant)
    campaign = actions.create_campaign(merchant=merchant, title="Spring sale", body="20% off")

    login("acme")
    page.goto(f"/messages/campaigns/{campaign.pk}/")
    expect(page.get_by_test_id("pause-campaign")).to_have_count(0)
    page.get_by_role("button", name="Send now").click()
    page.get_by_role("button", name="Yes, start sending").click()
    expect(page.get_by_test_id("campaign-state")).to_have_text("Sending")
    expect(page.get_by_test_id("resume-campaign")).to_have_count(0)
    actions.deliver_next_chunk(campaign_id=campaign.pk)
    expect(page.get_by_test_id("stat-delivered")).to_have_text("1")

    page.get_by_role("button", name="Pause sending").click()
    expect(page.get_by_text("The campaign is paused")).to_be_visible()
    expect(page.get_by_test_id("campaign-state")).to_have_text("Paused")
    expect(page.get_by_test_id("pause-campaign")).to_have_count(0)
    expect(page.get_by_test_id("cancel-campaign")).to_be_visible()
    # A worker that runs while it is paused writes nothing more.
    assert actions.deliver_campaign_chunks(campaign_id=campaign.pk) == 0
    page.reload()
    expect(page.get_by_test_id("campaign-state")).to_have_text("Paused")
    expect(page.get_by_test_id("stat-delivered")).to_have_text("1")

    page.get_by_role("button", name="Resume sending").click()
    expect(page.get_by_text("Sending resumed.")).to_be_visible()
    expect(page.get_by_test_id("campaign-state")).to_have_text("Sending")
    expect(page.get_by_test_id("resume-campaign")).to_have_count(0)
    actions.deliver_campaign_chunks(campaign_id=campaign.pk)
    # The page polls while it sends: the end shows without a reload, with no buttons left.
    expect(page.get_by_test_id("campaign-state")).to_have_text("Sent")
    expect(page.get_by_test_id("stat-delivered")).to_have_text("3")
    expect(page.get_by_test_id("pause-campaign")).to_have_count(0)
    expect(page.get_by_test_id("cancel-campaign")).to_have_count(0)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_writes_to_someone_new_from_the_inbox(page, login, make_user):
    make_user("alice")
    make_user("bob", display_name="Bob Chen")
    login("alice")
    page.goto("/messages/")
    page.get_by_label("New message to").fill("nobody")
    page.get_by_role("button", name="Write").click()
    expect(page.get_by_text("No account has that username.")).to_be_visible()
    page.get_by_label("New message to").fill("@bob")
    page.get_by_role("button", name="Write").click()
    expect(page.get_by_role("heading", name="Conversation with Bob Chen")).to_be_visible()
    page.get_by_label("Message").fill("Hello Bob")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_test_id("message")).to_contain_text("Hello Bob")
    page.goto("/messages/")
    expect(page.get_by_test_id("conversation-bob")).to_contain_text("Hello Bob")
