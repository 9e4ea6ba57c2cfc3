"""Mastodon's /api/v1/conversations over InfoConnect's private conversations."""

import re

import pytest

from infoconnect.api.tests.conftest import ACCOUNT_FIELDS, BASE, ISO_RE, STATUS_FIELDS, error, links
from infoconnect.messaging import actions, selectors
from infoconnect.messaging.models import Participant
from infoconnect.social import actions as social_actions
from infoconnect.social.models import Visibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return make_user("alice"), make_user("bob"), make_user("carol")


@pytest.fixture
def direct_post():
    """direct_post(author, text): a post made direct by the post-creating action, as
    create_status makes one for `visibility=direct`."""

    def make(author, text):
        post = social_actions.create_post(author=author, text=text, visibility="direct")
        assert post.visibility == Visibility.DIRECT
        return post

    return make


def test_conversations_are_mastodon_entities(people, api_client, direct_post):
    alice, bob, carol = people
    actions.send_message(sender=bob, recipient_id=alice.pk, body="Hi Alice, https://x.example")
    post = direct_post(carol, "@alice **news**")
    response = api_client(alice).get("/api/v1/conversations")
    assert response.status_code == 200
    newest, older = response.json()
    carol_side = Participant.objects.get(user=alice, other=carol)
    bob_side = Participant.objects.get(user=alice, other=bob)
    assert (newest["id"], newest["unread"]) == (str(carol_side.pk), True)
    assert [a["username"] for a in newest["accounts"]] == ["carol"]
    assert set(newest["accounts"][0]) == ACCOUNT_FIELDS
    status = newest["last_status"]
    # A direct status's own entity: a client can open it and reply to it.
    assert (status["id"], status["visibility"], status["account"]["username"]) == (
        str(post.pk),
        "direct",
        "carol",
    )
    assert status["content"] == (
        '<p><a class="mention" href="http://testserver/@alice/">@alice</a> **news**</p>'
    )
    assert status["mentions"][0]["username"] == "alice"
    assert older["id"] == str(bob_side.pk)
    message_status = older["last_status"]
    assert set(message_status) >= STATUS_FIELDS
    assert message_status["id"].startswith("m")
    assert message_status["visibility"] == "direct"
    assert message_status["url"] == f"{BASE}/messages/@bob/"
    assert re.match(ISO_RE, message_status["created_at"])
    assert message_status["content"] == (
        '<p>Hi Alice, <a href="https://x.example" rel="nofollow noopener ugc" target="_blank">'
        "https://x.example</a></p>"
    )
    assert [m["username"] for m in message_status["mentions"]] == ["alice"]
    # The sender sees the same conversation, read, with the recipient named.
    [mine] = api_client(bob).get("/api/v1/conversations").json()
    assert (mine["unread"], [a["username"] for a in mine["accounts"]]) == (False, ["alice"])


def test_conversations_page_by_last_message(people, api_client):
    alice, bob, carol = people
    actions.send_message(sender=bob, recipient_id=alice.pk, body="one")
    actions.send_message(sender=carol, recipient_id=alice.pk, body="two")
    client = api_client(alice)
    first = client.get("/api/v1/conversations", {"limit": 1})
    [line] = first.json()
    assert line["accounts"][0]["username"] == "carol"
    following = links(first)
    assert set(following) == {"next", "prev"}
    second = client.get(following["next"].removeprefix(BASE))
    assert [c["accounts"][0]["username"] for c in second.json()] == ["bob"]
    assert client.get(links(second)["next"].removeprefix(BASE)).json() == []
    # A newer message moves its conversation to the top.
    actions.send_message(sender=bob, recipient_id=alice.pk, body="three")
    assert [c["accounts"][0]["username"] for c in client.get("/api/v1/conversations").json()] == [
        "bob",
        "carol",
    ]


def test_campaign_messages_are_not_conversations(people, api_client):
    alice, _bob, _carol = people
    assert api_client(alice).get("/api/v1/conversations").json() == []


def test_read_marks_the_inbox_read(people, api_client):
    alice, bob, _carol = people
    actions.send_message(sender=bob, recipient_id=alice.pk, body="one")
    actions.send_message(sender=bob, recipient_id=alice.pk, body="two")
    side = Participant.objects.get(user=alice, other=bob)
    response = api_client(alice).post(f"/api/v1/conversations/{side.pk}/read")
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["unread"]) == (str(side.pk), False)
    assert selectors.unread_total(user=alice) == 0


def test_delete_takes_it_off_the_list_until_a_new_message(people, api_client):
    alice, bob, _carol = people
    actions.send_message(sender=bob, recipient_id=alice.pk, body="one")
    side = Participant.objects.get(user=alice, other=bob)
    client = api_client(alice)
    deleted = client.delete(f"/api/v1/conversations/{side.pk}")
    assert (deleted.status_code, deleted.json()) == (200, {})
    assert client.get("/api/v1/conversations").json() == []
    # The inbox keeps it, and so does bob's list.
    assert [line.other.username for line in selectors.inbox(user=alice)] == ["bob"]
    assert len(api_client(bob).get("/api/v1/conversations").json()) == 1
    actions.send_message(sender=bob, recipient_id=alice.pk, body="two")
    [back] = client.get("/api/v1/conversations").json()
    assert back["last_status"]["content"] == "<p>two</p>"


@pytest.mark.parametrize("verb", ["delete", "read"])
def test_nobody_else_touches_a_conversation(people, api_client, verb):
    alice, bob, carol = people
    actions.send_message(sender=bob, recipient_id=alice.pk, body="private")
    side = Participant.objects.get(user=alice, other=bob)
    client = api_client(carol)
    for conversation_id in (str(side.pk), "x", "0", "99999999"):
        if verb == "delete":
            response = client.delete(f"/api/v1/conversations/{conversation_id}")
        else:
            response = client.post(f"/api/v1/conversations/{conversation_id}/read")
        assert response.status_code == 404, conversation_id
        assert error(response)["code"] == "conversation_not_found"
    assert Participant.objects.get(pk=side.pk).removed_at is None
    assert Participant.objects.get(pk=side.pk).unread_count == 1
    assert api_client(carol).get("/api/v1/conversations").json() == []
    assert api_client().get("/api/v1/conversations").status_code == 401


def test_a_direct_post_is_only_its_recipients_conversation(people, api_client, direct_post):
    alice, bob, carol = people
    social_actions.follow(follower=carol, target=alice)
    direct_post(alice, "@bob secret")
    assert len(api_client(bob).get("/api/v1/conversations").json()) == 1
    assert api_client(carol).get("/api/v1/conversations").json() == []


def test_the_inbox_api_lives_under_inbox(people, api_client):
    alice, bob, _carol = people
    actions.send_message(sender=bob, recipient_id=alice.pk, body="hello")
    [line] = api_client(alice).get("/api/v1/inbox/conversations").json()
    assert (line["account"]["username"], line["preview"], line["unread"]) == ("bob", "hello", 1)
