"""In Chromium: a newcomer follows from the empty home timeline, a comment's count moves in
place, and Block is a quiet action that asks first."""

import pytest
from playwright.sync_api import expect

from infoconnect.social import actions
from infoconnect.social.models import Block, Follow


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_newcomer_follows_a_merchant_from_the_empty_home_timeline(page, login, make_user):
    newcomer = make_user("newcomer")
    shop = make_user("teashop", kind="merchant", verified=True, display_name="Tea House")
    actions.create_post(author=shop, text="Spring tea is in")
    login("newcomer")
    suggestions = page.locator("main").get_by_role("region", name="Who to follow")
    expect(suggestions.get_by_role("link", name="Tea House")).to_be_visible()
    suggestions.get_by_role("button", name="Follow").click()
    expect(page.locator(".post", has_text="Spring tea is in")).to_be_visible()
    expect(page.locator("main").get_by_role("region", name="Who to follow")).to_have_count(0)
    assert Follow.objects.filter(follower=newcomer, target=shop).exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_comment_count_moves_in_place_after_commenting(page, login, make_user):
    alice = make_user("alice")
    make_user("bob")
    post = actions.create_post(author=alice, text="Which tea today?")
    login("bob")
    page.goto(f"/posts/{post.pk}/")
    count = page.locator(".focus-post .post-actions .count").first
    expect(count).to_have_text("0")
    page.get_by_role("textbox", name="Your comment").fill("Longjing, always")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator("#comment-list")).to_contain_text("Longjing, always")
    expect(count).to_have_text("1")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_block_is_a_quiet_action_that_asks_first(page, login, make_user):
    alice = make_user("alice")
    spammer = make_user("spammer")
    login("alice")
    page.goto("/@spammer/")
    block = page.get_by_role("button", name="Block")
    assert "quiet" in block.get_attribute("class")
    block.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Block spammer?")
    dialog.get_by_role("button", name="Cancel").click()
    assert not Block.objects.filter(blocker=alice, blocked=spammer).exists()
    block.click()
    page.get_by_role("dialog").get_by_role("button", name="OK").click()
    expect(page.get_by_text("You have blocked this account.")).to_be_visible()
    assert Block.objects.filter(blocker=alice, blocked=spammer).exists()
