"""The design system's behaviour in Chromium: the confirmation dialog in place of
window.confirm, toasts, badges mirrored into the tab bar, and tables stacked on a phone."""

import pytest
from playwright.sync_api import expect

from infoconnect.social import actions
from infoconnect.social.models import Post

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_deleting_a_post_asks_in_the_pages_own_dialog(page, login, make_user):
    alice = make_user("alice")
    actions.create_post(author=alice, text="Maybe later")
    login("alice")
    post = page.locator(".post", has_text="Maybe later")
    post.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Delete this post? This cannot be undone.")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(post).to_be_visible()
    assert Post.objects.filter(text="Maybe later").exists()

    post.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="OK").click()
    expect(page.locator(".post", has_text="Maybe later")).to_have_count(0)
    assert not Post.objects.filter(text="Maybe later").exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_share_copies_the_posts_link_and_says_so(page, login, make_user):
    alice = make_user("alice")
    post = actions.create_post(author=alice, text="Worth sharing")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    login("alice")
    page.locator(f"#post-{post.pk}").get_by_role("button", name="Share").click()
    expect(page.locator(".toast")).to_have_text("Link copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(f"/posts/{post.pk}/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_table_becomes_labelled_cards_on_a_phone(browser, live_server, login, make_user):
    from infoconnect.shop.tests.conftest import fund

    alice = make_user("alice")
    fund(alice, 39_800)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-US")
    page = context.new_page()
    login("alice", target=page)
    page.goto("/wallet/")
    row = page.locator("main table tbody tr").first
    amount = row.locator("td", has_text="+¥398.00")
    expect(amount).to_have_attribute("data-label", "Amount")
    # The value sits on one line: nothing wraps in the middle of it.
    assert amount.bounding_box()["height"] < 40
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_tab_bar_badge_follows_the_notifications(browser, live_server, login, make_user):
    alice = make_user("alice")
    bob = make_user("bob")
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-US")
    page = context.new_page()
    login("alice", target=page)
    expect(page.locator("#top-notifications .badge")).to_have_count(0)
    from infoconnect.social.models import Follow

    actions.follow(follower=bob, target=alice)
    assert Follow.objects.filter(follower=bob, target=alice).exists()
    # While the live stream is down (the test server has none) the badge is polled.
    expect(page.locator("#top-notifications .badge")).to_have_text("1", timeout=8_000)
    context.close()
