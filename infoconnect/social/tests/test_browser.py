"""The microblog's core loop in a real Chromium on a phone-sized screen."""

import pytest
from playwright.sync_api import expect

from conftest import TEST_PASSWORD
from infoconnect.social import actions


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_new_person_follows_a_merchant_posts_and_sees_the_merchants_new_post(page, make_user):
    merchant = make_user("teashop", kind="merchant", verified=True, display_name="Tea House")
    actions.create_post(author=merchant, text="Welcome to Tea House")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill("newbie")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_label("Password again").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/")
    expect(page.locator(".flash")).to_have_text("Welcome to InfoConnect, @newbie!")
    expect(page.locator("#timeline")).to_have_text(
        "Your timeline is empty. Follow some accounts or write your first post."
    )

    page.goto("/@teashop/")
    profile = page.locator(".profile")
    expect(profile.locator("h1")).to_have_text("Tea House @teashop Verified")
    expect(page.locator("#timeline .post-text")).to_have_text(["Welcome to Tea House"])
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.locator(".flash")).to_have_text("You now follow Tea House.")
    expect(profile.get_by_role("link", name="1 follower")).to_be_visible()
    expect(page.get_by_role("button", name="Unfollow")).to_be_visible()

    page.goto("/")
    compose = page.get_by_label("What's happening?")
    page.get_by_role("button", name="Post", exact=True).click()
    errors = page.locator(".compose .htmx-errors")
    expect(errors).to_have_text("Write something first.")
    compose.fill("Hello from my phone #tea")
    expect(page.locator("#id_text-count")).to_have_text("24 / 2000")
    page.get_by_role("button", name="Post", exact=True).click()
    # The new post arrives through htmx at the top of the timeline, without a reload.
    first = page.locator("#timeline > article").first
    expect(first.locator(".post-text")).to_have_text("Hello from my phone #tea")
    expect(first.locator(".account-name")).to_have_text("newbie @newbie")
    expect(compose).to_have_value("")
    expect(page.locator("#id_text-count")).to_have_text("0 / 2000")
    expect(page.locator(".flash")).to_have_count(0)
    expect(errors).to_have_text("")

    actions.create_post(author=merchant, text="Spring oolong is in: 20% off this week")
    page.reload()
    texts = page.locator("#timeline .post-text")
    expect(texts).to_have_text(
        [
            "Spring oolong is in: 20% off this week",
            "Hello from my phone #tea",
            "Welcome to Tea House",
        ]
    )
    newest = page.locator("#timeline > article").first
    expect(newest.locator(".account-name")).to_have_text("Tea House @teashop Verified")
    newest.get_by_role("button", name="Like").click()
    expect(newest.locator(".post-actions button[aria-pressed=true]")).to_have_text("Liked 1")
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_follower_messages_a_merchant_from_its_profile(page, make_user, login):
    make_user("teashop", kind="merchant", verified=True, display_name="Tea House")
    make_user("alice")
    login("alice")
    page.goto("/@teashop/")
    page.get_by_role("link", name="Message", exact=True).click()
    page.wait_for_url("**/messages/@teashop/")
    expect(page.locator("h1")).to_contain_text("Tea House")
    page.get_by_label("Message").fill("Do you ship to Chengdu?")
    page.get_by_role("button", name="Send").click()
    mine = page.locator("[data-testid=message].mine")
    expect(mine.locator(".post-text")).to_have_text("Do you ship to Chengdu?")
    # Your own messages stand apart from the other side's.
    assert mine.evaluate("e => getComputedStyle(e).marginLeft") != "0px"
