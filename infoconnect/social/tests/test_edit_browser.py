"""Editing one's own post in a real Chromium."""

import pytest
from playwright.sync_api import expect

from infoconnect.social import actions


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_edits_a_post_in_the_browser(page, login, make_user):
    alice = make_user("alice")
    post = actions.create_post(author=alice, text="Helo world")
    # The first page of a fresh live server can take longer than the default on a busy machine.
    page.set_default_navigation_timeout(30_000)
    login("alice")
    page.goto(f"/posts/{post.pk}/")
    page.locator(f"#post-{post.pk}").get_by_role("link", name="Edit").click()
    page.wait_for_url(f"**/posts/{post.pk}/edit/")
    expect(page.get_by_label("Text")).to_have_value("Helo world")
    page.get_by_label("Text").fill("Hello world")
    page.get_by_label("Content warning").fill("greeting")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/posts/{post.pk}/")
    expect(page.locator(".flash")).to_have_text("Your post is edited.")
    focus = page.locator(f".focus-post #post-{post.pk}")
    expect(focus.locator(".post-edited")).to_have_text("edited")
    expect(focus.locator(".post-text")).to_have_text("Hello world")
