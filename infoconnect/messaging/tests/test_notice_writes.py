"""Notices to many members: the messages and both participants' counters written in a fixed
handful of statements, the recipients' unread counts raised and the sender's left alone."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infoconnect.messaging.actions.direct import send_notices
from infoconnect.messaging.models import Conversation, Message, Participant

pytestmark = pytest.mark.django_db


def test_notices_raise_each_recipients_unread_count_and_not_the_senders(make_user):
    voice = make_user("voice")
    readers = [make_user(f"reader{n}") for n in range(3)]
    send_notices(sender=voice, recipient_ids=[readers[0].pk], body="First")
    sent = send_notices(
        sender=voice, recipient_ids=[r.pk for r in readers] + [voice.pk], body="Second"
    )
    assert [m.pk for m in sent] == [
        m.pk for m in Message.objects.filter(body="Second").order_by("pk")
    ]
    assert all(not m._state.adding for m in sent)
    unread = dict(
        Participant.objects.filter(other=voice).values_list("user__username", "unread_count")
    )
    assert unread == {"reader0": 2, "reader1": 1, "reader2": 1}
    assert set(Participant.objects.filter(user=voice).values_list("unread_count", flat=True)) == {0}
    last = set(Participant.objects.values_list("last_message_at", flat=True))
    assert last == {sent[0].created_at}
    assert set(Conversation.objects.values_list("last_message_at", flat=True)) == last
    for message, reader in zip(sent, readers, strict=True):
        conversation = Conversation.objects.get(pk=message.conversation_id)
        assert reader.pk in (conversation.user_low_id, conversation.user_high_id)


def test_notices_to_known_conversations_take_a_fixed_number_of_statements(make_user):
    voice = make_user("voice")
    readers = [make_user(f"reader{n}") for n in range(5)]
    send_notices(sender=voice, recipient_ids=[r.pk for r in readers], body="Hello")
    with CaptureQueriesContext(connection) as queries:
        send_notices(sender=voice, recipient_ids=[r.pk for r in readers], body="Again")
    # The conversations' read, then the writes: one statement on PostgreSQL, three elsewhere.
    writes = 1 if connection.vendor == "postgresql" else 3
    assert len(queries.captured_queries) == 1 + writes
    assert Message.objects.filter(body="Again").count() == 5
    assert set(Participant.objects.filter(other=voice).values_list("unread_count", flat=True)) == {
        2
    }


def test_no_recipient_but_the_sender_writes_nothing(make_user):
    voice = make_user("voice")
    assert send_notices(sender=voice, recipient_ids=[voice.pk], body="Self") == []
    assert not Message.objects.exists()
