"""Editing a post: PUT /api/v1/statuses/{id}, its history and source, and the web page."""

import json
import re
from urllib.parse import urlencode

import pytest
from django.test import Client

from conftest import TEST_PASSWORD
from infoconnect.api.tests.conftest import ISO_RE, error
from infoconnect.social import actions, media
from infoconnect.social.models import (
    Mention,
    Notification,
    Post,
    PostEdit,
    PostTag,
    Visibility,
)
from infoconnect.social.tests.test_media_views import picture

pytestmark = pytest.mark.django_db


def put(client, path, data, *, form=False):
    if form:
        return client.put(path, urlencode(data, doseq=True), "application/x-www-form-urlencoded")
    return client.put(path, json.dumps(data), "application/json")


@pytest.fixture
def people(make_user):
    return make_user("alice"), make_user("bob"), make_user("carol")


def test_an_edit_changes_the_status_and_keeps_the_original(people, api_client):
    alice, bob, carol = people
    post = actions.create_post(author=alice, text="Hello @bob #spring")
    client = api_client(alice)
    response = put(
        client,
        f"/api/v1/statuses/{post.pk}",
        {"status": "Hello @carol #summer", "spoiler_text": "weather", "sensitive": True,
         "language": "en"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["content"] == (
        '<p>Hello <a class="mention" href="http://testserver/@carol/">@carol</a> '
        '<a class="hashtag" href="http://testserver/tags/summer/">#summer</a></p>'
    )
    assert (body["spoiler_text"], body["sensitive"], body["language"]) == ("weather", True, "en")
    assert re.match(ISO_RE, body["edited_at"])
    assert [m["username"] for m in body["mentions"]] == ["carol"]
    assert [t["name"] for t in body["tags"]] == ["summer"]
    post.refresh_from_db()
    assert post.edited_at is not None
    assert list(PostTag.objects.filter(post=post).values_list("tag__name", flat=True)) == ["summer"]
    assert list(Mention.objects.filter(post=post).values_list("user_id", flat=True)) == [carol.pk]
    # Only the newly mentioned account is told.
    mentions = Notification.objects.filter(kind=Notification.Kind.MENTION, post=post)
    assert sorted(mentions.values_list("recipient_id", flat=True)) == [bob.pk, carol.pk]

    history = client.get(f"/api/v1/statuses/{post.pk}/history").json()
    assert [(v["content"], v["spoiler_text"], v["sensitive"]) for v in history] == [
        (
            '<p>Hello <a class="mention" href="http://testserver/@bob/">@bob</a> '
            '<a class="hashtag" href="http://testserver/tags/spring/">#spring</a></p>',
            "",
            False,
        ),
        (body["content"], "weather", True),
    ]
    assert history[0]["account"]["username"] == "alice"
    assert history[1]["created_at"] == body["edited_at"]
    assert client.get(f"/api/v1/statuses/{post.pk}/source").json() == {
        "id": str(post.pk),
        "text": "Hello @carol #summer",
        "spoiler_text": "weather",
    }


def test_a_form_edit_and_an_unchanged_edit(people, api_client):
    alice, _bob, _carol = people
    post = actions.create_post(author=alice, text="first")
    client = api_client(alice)
    response = put(client, f"/api/v1/statuses/{post.pk}", {"status": "second"}, form=True)
    assert response.json()["content"] == "<p>second</p>"
    again = put(client, f"/api/v1/statuses/{post.pk}", {"status": "second"}, form=True)
    assert again.status_code == 200
    assert PostEdit.objects.filter(post=post).count() == 1
    history = client.get(f"/api/v1/statuses/{post.pk}/history").json()
    assert [v["content"] for v in history] == ["<p>first</p>", "<p>second</p>"]


def test_a_never_edited_status_has_one_version(people, api_client):
    alice, _bob, _carol = people
    post = actions.create_post(author=alice, text="only")
    history = api_client().get(f"/api/v1/statuses/{post.pk}/history").json()
    assert [v["content"] for v in history] == ["<p>only</p>"]


@pytest.mark.parametrize(
    ("data", "status", "code", "message"),
    [
        ({"status": ""}, 422, "post_empty", "Write something first."),
        ({"status": "x" * 2001}, 422, "post_too_long", "A post can have at most 2,000 characters."),
        ({"status": "ok", "language": "english"}, 422, "invalid_edit",
         "The language must be an ISO 639 code such as en or zh."),
        ({"status": "ok", "spoiler_text": "w" * 501}, 422, "invalid_edit",
         "A content warning can have at most 500 characters."),
        ({"status": "ok", "media_ids": ["1"]}, 422, "unsupported_parameter",
         "InfoConnect does not support the parameter media_ids in a status edit."),
        ({"status": "ok", "poll": {"options": ["a", "b"]}}, 422, "unsupported_parameter",
         "InfoConnect does not support the parameter poll in a status edit."),
        ({"status": "ok", "sensitive": "maybe"}, 422, "validation_error",
         "sensitive must be true or false."),
        ({"status": 5}, 422, "validation_error", "status must be text."),
    ],
)  # fmt: skip
def test_a_bad_edit_changes_nothing(people, api_client, data, status, code, message):
    alice, _bob, _carol = people
    post = actions.create_post(author=alice, text="as it was #tag")
    response = put(api_client(alice), f"/api/v1/statuses/{post.pk}", data)
    assert response.status_code == status
    assert error(response) == {"error": message, "code": code}
    post.refresh_from_db()
    assert (post.text, post.edited_at, PostEdit.objects.count()) == ("as it was #tag", None, 0)
    assert PostTag.objects.filter(post=post).count() == 1


def test_the_same_pictures_may_be_sent_again(people, api_client):
    alice, _bob, _carol = people
    first = media.upload_media(owner=alice, upload=picture("a.jpg"))
    second = media.upload_media(owner=alice, upload=picture("b.jpg"))
    post = actions.create_post(author=alice, text="pictures", media_ids=[first.pk, second.pk])
    client = api_client(alice)
    same = put(client, f"/api/v1/statuses/{post.pk}",
               {"status": "still pictures", "media_ids": [str(first.pk), str(second.pk)]})  # fmt: skip
    assert same.status_code == 200, same.content
    swapped = put(client, f"/api/v1/statuses/{post.pk}",
                  {"status": "again", "media_ids": [str(second.pk), str(first.pk)]})  # fmt: skip
    assert error(swapped)["code"] == "unsupported_parameter"
    # Pictures alone make a post: its text may go.
    assert put(client, f"/api/v1/statuses/{post.pk}", {"status": ""}).status_code == 200


def test_only_the_author_edits(people, api_client):
    alice, bob, _carol = people
    post = actions.create_post(author=alice, text="mine")
    response = put(api_client(bob), f"/api/v1/statuses/{post.pk}", {"status": "yours"})
    assert (response.status_code, error(response)["code"]) == (403, "not_your_post")
    source = api_client(bob).get(f"/api/v1/statuses/{post.pk}/source")
    assert (source.status_code, error(source)["code"]) == (403, "not_your_post")
    assert put(api_client(), f"/api/v1/statuses/{post.pk}", {"status": "x"}).status_code == 401
    missing = put(api_client(alice), "/api/v1/statuses/99999999", {"status": "x"})
    assert (missing.status_code, error(missing)["code"]) == (404, "post_not_found")
    plain = actions.repost(user=bob, post_id=post.pk)
    refused = put(api_client(bob), f"/api/v1/statuses/{plain.pk}", {"status": "x"})
    assert (refused.status_code, error(refused)["code"]) == (422, "cannot_edit_repost")
    post.refresh_from_db()
    assert (post.text, PostEdit.objects.count()) == ("mine", 0)


def test_a_direct_post_is_private_and_keeps_its_recipients(people, api_client):
    alice, bob, carol = people
    post = Post.objects.create(author=alice, text="@bob secret", visibility=Visibility.DIRECT)
    Mention.objects.create(post=post, user=bob)
    for path in (f"/api/v1/statuses/{post.pk}/history", f"/api/v1/statuses/{post.pk}/source"):
        for client in (api_client(carol), api_client()):
            response = client.get(path)
            if response.status_code == 401:
                continue
            assert (response.status_code, error(response)["code"]) == (404, "post_not_found")
    stranger = put(api_client(carol), f"/api/v1/statuses/{post.pk}", {"status": "@bob x"})
    assert (stranger.status_code, error(stranger)["code"]) == (404, "post_not_found")
    assert len(api_client(bob).get(f"/api/v1/statuses/{post.pk}/history").json()) == 1
    moved = put(api_client(alice), f"/api/v1/statuses/{post.pk}", {"status": "@carol secret"})
    assert (moved.status_code, error(moved)["code"]) == (422, "direct_recipients_fixed")
    reworded = put(api_client(alice), f"/api/v1/statuses/{post.pk}", {"status": "@bob a secret"})
    assert (reworded.status_code, reworded.json()["visibility"]) == (200, "direct")


def web_client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def test_the_web_edit_page(people):
    alice, bob, _carol = people
    post = actions.create_post(author=alice, text="typo here")
    client = web_client(alice)
    page = client.get(f"/posts/{post.pk}/").content.decode()
    assert f'href="/posts/{post.pk}/edit/">' in page and '<span class="sr-only">Edit</span>' in page
    assert "post-edited" not in page
    form = client.get(f"/posts/{post.pk}/edit/").content.decode()
    assert "typo here</textarea>" in form
    saved = client.post(
        f"/posts/{post.pk}/edit/", {"text": "fixed here", "spoiler_text": "", "language": "en"}
    )
    assert saved.status_code == 302 and saved["Location"] == f"/posts/{post.pk}/"
    page = client.get(f"/posts/{post.pk}/").content.decode()
    assert "fixed here" in page and "Your post is edited." in page
    assert '<span class="post-edited muted"' in page and ">edited</span>" in page
    empty = client.post(f"/posts/{post.pk}/edit/", {"text": "  "})
    assert empty.status_code == 422
    assert "Write something first." in empty.content.decode()
    # Someone else sees no Edit link and may not open the page.
    other = web_client(bob)
    assert "/edit/" not in other.get(f"/posts/{post.pk}/").content.decode()
    refused = other.get(f"/posts/{post.pk}/edit/")
    assert refused.status_code == 403
    assert "You can only edit your own posts." in refused.content.decode()
    post.refresh_from_db()
    assert (post.text, post.language) == ("fixed here", "en")
