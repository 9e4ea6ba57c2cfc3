"""A direct status arrives as a private message in each mentioned account's inbox, under
the inbox's rules; one refused recipient refuses the whole status."""

import json

import pytest
from django.db import transaction

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.messaging import actions, selectors
from infoconnect.messaging.models import Conversation, Message, Participant
from infoconnect.social import actions as social_actions
from infoconnect.social.models import Mention, Post, Visibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return make_user("alice"), make_user("bob"), make_user("carol")


def direct_post(author, text):
    """A post of visibility direct delivered in its own transaction, as create_post does."""
    with transaction.atomic():
        post = Post.objects.create(author=author, text=text, visibility=Visibility.DIRECT)
        return post, actions.deliver_direct_post(post=post)


def test_a_direct_post_reaches_each_mentioned_inbox(people):
    alice, bob, carol = people
    post, messages = direct_post(alice, "@bob @Carol lunch at noon?")
    assert [(m.conversation.participants.count(), m.body, m.post_id) for m in messages] == [
        (2, "@bob @Carol lunch at noon?", post.pk),
        (2, "@bob @Carol lunch at noon?", post.pk),
    ]
    for person in (bob, carol):
        [line] = selectors.inbox(user=person)
        assert (line.other.username, line.preview, line.unread) == (
            "alice",
            "@bob @Carol lunch at noon?",
            1,
        )
    post.refresh_from_db()
    assert post.visibility == "direct"


def test_a_public_post_is_not_delivered(people):
    alice, _bob, _carol = people
    post = Post.objects.create(author=alice, text="@bob hello")
    assert actions.deliver_direct_post(post=post) == []
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("@bob @nobody hi", "recipient_not_found", "No account is called @nobody"),
        ("just me @alice", "no_recipient", "mention at least one other account"),
    ],
)
def test_a_direct_post_without_its_recipients_is_refused(people, text, code, message):
    alice, _bob, _carol = people
    with pytest.raises(DomainError) as refused:
        direct_post(alice, text)
    assert (refused.value.code, refused.value.status) == (code, 422)
    assert message in refused.value.message
    assert (Post.objects.count(), Message.objects.count()) == (0, 0)


def test_who_may_message_me_refuses_the_whole_post(people):
    alice, bob, carol = people
    User.objects.filter(pk=carol.pk).update(message_policy=User.MessagePolicy.FOLLOWING)
    with pytest.raises(DomainError) as refused:
        direct_post(alice, "@bob @carol hi")
    assert (refused.value.code, refused.value.status) == ("not_accepting_messages", 422)
    assert refused.value.message == "@carol only accepts messages from accounts it follows."
    # bob's message (lower id) was written first: it went with the post.
    assert bob.pk < carol.pk
    assert (Post.objects.count(), Message.objects.count(), Conversation.objects.count()) == (
        0,
        0,
        0,
    )


def test_a_block_either_way_refuses_the_post(people):
    alice, bob, _carol = people
    social_actions.block(blocker=bob, target=alice)
    with pytest.raises(DomainError) as refused:
        direct_post(alice, "@bob hi")
    assert (refused.value.code, refused.value.status) == ("blocked", 422)
    assert refused.value.message == "You cannot message @bob."
    assert Message.objects.count() == 0


def test_the_new_conversation_limit_applies(people):
    alice, _bob, _carol = people
    row = PlatformSettings.current()
    row.new_conversations_per_hour = 1
    row.save(update_fields=["new_conversations_per_hour"])
    direct_post(alice, "@bob hi")
    with pytest.raises(DomainError) as refused:
        direct_post(alice, "@carol hi")
    assert (refused.value.code, refused.value.status) == ("conversation_rate_limited", 429)
    # An existing conversation is no new one.
    direct_post(alice, "@bob again")
    assert Message.objects.filter(sender=alice).count() == 2


def test_create_post_delivers_a_direct_post(people):
    alice, bob, _carol = people
    post = social_actions.create_post(
        author=alice, text="@bob see you #soon", visibility=Visibility.DIRECT
    )
    [message] = Message.objects.all()
    assert (message.sender_id, message.post_id, message.body) == (alice.pk, post.pk, post.text)
    assert Participant.objects.get(user=bob).unread_count == 1
    assert list(Mention.objects.values_list("user_id", flat=True)) == [bob.pk]


def test_a_refused_direct_status_writes_nothing(people, api_client):
    alice, _bob, carol = people
    User.objects.filter(pk=carol.pk).update(message_policy=User.MessagePolicy.FOLLOWING)
    response = api_client(alice).post(
        "/api/v1/statuses",
        data=json.dumps({"status": "@carol psst", "visibility": "direct"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": "@carol only accepts messages from accounts it follows.",
        "code": "not_accepting_messages",
    }
    assert (Post.objects.count(), Message.objects.count(), Mention.objects.count()) == (0, 0, 0)
