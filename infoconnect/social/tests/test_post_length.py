"""How long a post may be, as the server counts it and as the compose box's counter shows it:
2,000 code points of the text without its surrounding white space, each line break one
character however the browser sent it (a form sends CR LF), an emoji or a Chinese character
one."""

import pytest
from django.test import Client
from django.urls import reverse

from infoconnect.api.tests.conftest import error
from infoconnect.core.errors import DomainError
from infoconnect.social import actions, edits, text
from infoconnect.social.models import POST_MAX_LENGTH, Post

pytestmark = pytest.mark.django_db

# 2,000 characters as a person sees them: a third emoji, a third Chinese, a third line breaks.
FULL = "茶😀\n" * 666 + "茶😀"
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"}


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("a\r\nb", "a\nb"),
        ("a\rb\n\rc", "a\nb\n\nc"),
        (" \u3000 早上好 \r\n\r\n", "早上好"),
        ("😀", "😀"),
    ],
)
def test_a_post_is_kept_with_one_character_per_line_break_and_no_surrounding_space(typed, kept):
    assert text.clean(typed) == kept


def test_the_limit_counts_code_points():
    assert POST_MAX_LENGTH == 2000
    assert len(FULL) == 2000
    # What a browser's maxlength and JavaScript's length count instead.
    assert len(FULL.encode("utf-16-le")) // 2 == 2667


def test_a_post_of_2000_emoji_chinese_characters_and_crlf_line_breaks_is_kept(make_user):
    alice = make_user("alice")
    post = actions.create_post(author=alice, text=FULL.replace("\n", "\r\n") + "\r\n")
    assert post.text == FULL
    assert Post.objects.get().text == FULL


def test_one_character_more_is_refused_and_nothing_is_written(make_user):
    alice = make_user("alice")
    with pytest.raises(DomainError) as refused:
        actions.create_post(author=alice, text=FULL + "好")
    assert refused.value.code == "post_too_long"
    assert Post.objects.count() == 0


def test_the_web_form_takes_what_the_counter_allows(make_user):
    alice = make_user("alice")
    client = Client()
    client.force_login(alice)
    # A browser sends a textarea's line breaks as CR LF.
    sent = FULL.replace("\n", "\r\n")
    response = client.post(reverse("social:post_create"), {"text": sent}, headers=HTMX)
    assert response.status_code == 200
    assert Post.objects.get().text == FULL

    over = client.post(reverse("social:post_create"), {"text": sent + "好"}, headers=HTMX)
    assert over.status_code == 422
    assert "A post can have at most 2,000 characters." in over.content.decode()
    assert Post.objects.count() == 1


def test_a_repost_with_a_comment_and_an_edit_count_the_same_way(make_user):
    alice, bob = make_user("alice"), make_user("bob")
    original = actions.create_post(author=bob, text="Spring tea")
    quote = actions.repost(user=alice, post_id=original.pk, text=FULL.replace("\n", "\r\n"))
    assert quote.text == FULL
    mine = actions.create_post(author=alice, text="short")
    edited = edits.edit_post(user=alice, post_id=mine.pk, text=FULL.replace("\n", "\r\n"))
    assert edited.text == FULL
    with pytest.raises(DomainError) as refused:
        edits.edit_post(user=alice, post_id=mine.pk, text=FULL + "好")
    assert refused.value.code == "post_too_long"
    assert Post.objects.get(pk=mine.pk).text == FULL


def test_the_api_takes_2000_and_says_so(make_user, api_client):
    client = api_client(make_user("alice"))
    limit = client.get("/api/v2/instance").json()["configuration"]["statuses"]["max_characters"]
    assert limit == POST_MAX_LENGTH
    created = client.post("/api/v1/statuses", {"status": FULL}, content_type="application/json")
    assert created.status_code == 200, created.content
    over = client.post("/api/v1/statuses", {"status": FULL + "😀"}, content_type="application/json")
    assert over.status_code == 422
    assert error(over)["code"] == "post_too_long"
    assert Post.objects.count() == 1
