"""The compose box in a real Chromium: @-mention suggestions as an ARIA combobox, the Topic
picker and #-suggestions that write #topic#, the emoji picker, and a counter that counts as
the server does (an emoji or a Chinese character is one) and stops a post over the limit."""

import re

import pytest
from playwright.sync_api import expect

from infoconnect.social import actions
from infoconnect.social.models import Post

DELAY_LI = """
window.lateAnswers = 0;
const fetchNow = window.fetch;
window.fetch = function (url, options) {
  if (String(url).indexOf("q=li&") < 0) { return fetchNow(url, options); }
  return new Promise(function (done) { setTimeout(done, 1000); })
    .then(function () { return fetchNow(url); })
    .then(function (answer) { window.lateAnswers += 1; return answer; });
};
"""


def suggestions(page):
    return page.get_by_role("listbox", name="Accounts to mention")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_typing_at_and_two_letters_offers_accounts_to_mention(page, login, make_user):
    make_user("zhang", display_name="Zhang Wei")
    make_user("lily", display_name="Lily Chen")
    make_user("lina", display_name="Lina Wu")
    make_user("bob", display_name="Bob")
    login("zhang")
    page.set_viewport_size({"width": 390, "height": 844})
    compose = page.get_by_role("combobox", name="What's happening?")
    expect(compose).to_have_attribute("aria-expanded", "false")

    compose.press_sequentially("Tea with @l")
    # One letter is not enough to ask.
    page.wait_for_timeout(400)
    expect(suggestions(page)).to_be_hidden()
    compose.press_sequentially("i")
    options = suggestions(page).get_by_role("option")
    expect(options).to_have_count(2)
    expect(options).to_have_text(["Lily Chen @lily", "Lina Wu @lina"])
    # Each with its avatar, which the name beside it already says.
    expect(options.first.locator("img")).to_have_attribute("alt", "")
    expect(compose).to_have_attribute("aria-expanded", "true")
    expect(compose).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    expect(options.first).to_have_attribute("aria-selected", "true")

    compose.press("ArrowDown")
    expect(compose).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    compose.press("Enter")
    expect(compose).to_have_value("Tea with @lina ")
    expect(suggestions(page)).to_be_hidden()
    expect(compose).to_have_attribute("aria-expanded", "false")

    # Escape closes the list and leaves the text as typed; a click picks.
    compose.press_sequentially("and @bo")
    expect(suggestions(page).get_by_role("option")).to_have_text(["Bob @bob"])
    compose.press("Escape")
    expect(suggestions(page)).to_be_hidden()
    expect(compose).to_have_value("Tea with @lina and @bo")
    compose.press("Backspace")
    compose.press_sequentially("o")
    suggestions(page).get_by_role("option").filter(has_text="@bob").click()
    expect(compose).to_have_value("Tea with @lina and @bob ")
    expect(compose).to_be_focused()

    # Tab picks too; the post mentions both.
    compose.press_sequentially("cc @li")
    expect(options).to_have_count(2)
    compose.press("Tab")
    expect(compose).to_have_value("Tea with @lina and @bob cc @lily ")
    page.get_by_role("button", name="Post", exact=True).click()
    first = page.locator("#timeline > article").first
    expect(first.locator(".post-text a.mention")).to_have_text(["@lina", "@bob", "@lily"])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_late_answer_for_an_earlier_query_is_not_shown(page, login, make_user):
    make_user("zhang")
    make_user("lily", display_name="Lily Chen")
    make_user("lina", display_name="Lina Wu")
    # The answer for "li" comes a second after the one for "lin", whatever asks to drop it.
    page.add_init_script(DELAY_LI)
    login("zhang")
    compose = page.get_by_role("combobox", name="What's happening?")
    compose.press_sequentially("@li")
    page.wait_for_timeout(250)
    compose.press_sequentially("n")
    options = suggestions(page).get_by_role("option")
    expect(options).to_have_text(["Lina Wu @lina"])
    page.wait_for_function("() => window.lateAnswers === 1")
    expect(options).to_have_text(["Lina Wu @lina"])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_topic_picker_and_hash_suggestions_write_weibo_topics(page, login, make_user):
    bob = make_user("bob")
    for text in ("#春茶# 龙井到了", "#春茶# 碧螺春", "#茶具# 新到"):
        actions.create_post(author=bob, text=text)
    make_user("zhang")
    login("zhang")
    compose = page.get_by_role("combobox", name="What's happening?")
    compose.fill("今天喝 ")

    topic = page.get_by_role("button", name="Topic", exact=True)
    expect(topic).to_have_attribute("aria-expanded", "false")
    topic.click()
    expect(topic).to_have_attribute("aria-expanded", "true")
    picker = page.get_by_role("group", name="Trending topics")
    expect(picker.get_by_role("button")).to_have_text(["New topic", "#春茶#", "#茶具#"])
    picker.get_by_role("button", name="#春茶#").click()
    expect(picker).to_be_hidden()
    expect(compose).to_have_value("今天喝 #春茶#")
    expect(compose).to_be_focused()

    # "New topic" opens #…# with the cursor inside; typing there offers matching topics.
    topic.click()
    picker.get_by_role("button", name="New topic").click()
    expect(compose).to_have_value("今天喝 #春茶###")
    compose.press_sequentially("茶")
    options = page.get_by_role("listbox", name="Matching topics").get_by_role("option")
    expect(options).to_have_text(["#茶具#"])
    compose.press("Enter")
    expect(compose).to_have_value("今天喝 #春茶##茶具# ")

    page.get_by_role("button", name="Post", exact=True).click()
    first = page.locator("#timeline > article").first
    expect(first.locator(".post-text a.hashtag")).to_have_text(["#春茶#", "#茶具#"])
    post = Post.objects.filter(author__username="zhang").get()
    assert sorted(post.tags.values_list("name", flat=True)) == ["春茶", "茶具"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_emoji_picker_inserts_at_the_cursor(page, login, make_user):
    make_user("zhang")
    login("zhang")
    compose = page.get_by_role("combobox", name="What's happening?")
    compose.fill("Tea time")
    compose.evaluate("field => field.setSelectionRange(3, 3)")
    emoji = page.get_by_role("button", name="Emoji", exact=True)
    emoji.click()
    grid = page.get_by_role("group", name="Emoji")
    expect(grid.get_by_role("button")).to_have_count(40)
    # Escape closes the grid and gives the focus back to its button.
    page.keyboard.press("Escape")
    expect(grid).to_be_hidden()
    expect(emoji).to_be_focused()
    emoji.click()
    grid.get_by_role("button", name="🍵").click()
    expect(compose).to_have_value("Tea🍵 time")
    expect(page.locator("#id_text-count")).to_have_text("9 / 2000")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_counter_counts_as_the_server_and_stops_a_post_over_the_limit(page, login, make_user):
    make_user("zhang")
    login("zhang")
    compose = page.get_by_role("combobox", name="What's happening?")
    counter = page.locator("#id_text-count")
    post = page.get_by_role("button", name="Post", exact=True)

    compose.fill("茶😀")
    expect(counter).to_have_text("2 / 2000")
    # Lines and the white space around the text count as the server counts them.
    compose.fill("  茶\n😀\n\n")
    expect(counter).to_have_text("3 / 2000")

    # 2,000 characters, a third of them emoji and a third line breaks: as many as a post holds.
    text = "茶😀\n" * 666 + "茶😀"
    compose.fill(text)
    expect(counter).to_have_text("0 left")
    expect(post).to_be_enabled()
    compose.press("Control+End")
    compose.press_sequentially("好")
    expect(counter).to_have_text("1 over the limit")
    expect(counter).to_have_class(re.compile(r"\bcomposer-count-over\b"))
    expect(compose).to_have_attribute("aria-invalid", "true")
    expect(post).to_be_disabled()
    compose.press("Backspace")
    expect(counter).to_have_text("0 left")
    expect(compose).not_to_have_attribute("aria-invalid", "true")
    compose.press("Backspace")
    expect(counter).to_have_text("1 left")
    compose.press_sequentially("😀")
    expect(counter).to_have_text("0 left")
    post.click()

    first = page.locator("#timeline > article").first
    expect(first.locator(".post-text")).to_contain_text("茶😀")
    expect(compose).to_have_value("")
    expect(counter).to_have_text("0 / 2000")
    assert Post.objects.get().text == text
