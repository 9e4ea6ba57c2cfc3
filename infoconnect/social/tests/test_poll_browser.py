"""A poll made in the compose box and voted on, in a real Chromium on a phone-sized screen."""

import pytest
from playwright.sync_api import expect

from infoconnect.social.models import Poll


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_posts_a_poll_and_a_reader_votes_in_place(page, login, make_user):
    make_user("alice")
    make_user("bob")
    page.set_viewport_size({"width": 390, "height": 844})
    login("alice")

    page.get_by_label("What's happening?").fill("Which tea this afternoon?")
    page.get_by_text("Add a poll").click()
    page.get_by_label("Choice 1").fill("Green tea")
    page.get_by_label("Choice 2").fill("Oolong")
    page.get_by_label("Choice 3").fill("Pu'er")
    page.get_by_label("Poll runs for").select_option(label="1 hour")
    page.get_by_role("button", name="Post", exact=True).click()
    first = page.locator("#timeline > article").first
    expect(first.locator(".post-text")).to_have_text("Which tea this afternoon?")
    results = first.locator(".poll-results li .poll-title")
    expect(results).to_have_text(["Green tea", "Oolong", "Pu'er"])
    expect(first.locator(".poll-meta")).to_contain_text("0 people voted · Ends in")
    expect(page.get_by_label("Choice 1")).to_have_value("")
    post_id = Poll.objects.get().post_id

    page.context.clear_cookies()
    login("bob")
    page.goto(f"/posts/{post_id}/")
    poll = page.locator(f"#poll-{post_id}")
    expect(poll.locator("legend")).to_have_text("Poll: choose one")
    poll.get_by_label("Oolong").check()
    poll.get_by_role("button", name="Vote").click()
    # The results replace the ballot without a reload.
    expect(poll.locator(".poll-chosen .poll-title")).to_have_text("Oolong (your choice)")
    expect(poll.locator(".poll-percent")).to_have_text(["0%", "100%", "0%"])
    expect(poll.locator(".poll-meta")).to_contain_text("1 person voted")
    expect(poll.get_by_role("button", name="Vote")).to_have_count(0)
