"""Another app's cards on messages: one loader call per page, the newest message about a thing
drawn in full and earlier ones in short, and nothing for a type no app registered."""

from dataclasses import dataclass

import pytest

from infoconnect.messaging import attachments, selectors
from infoconnect.messaging.actions.direct import send_notices

pytestmark = pytest.mark.django_db


@dataclass
class Card:
    thing_id: int
    viewer_id: int
    template: str = "messaging/_badge.html"


def test_cards_come_from_the_registered_loader_once_a_page(make_user, monkeypatch):
    calls = []

    def loader(viewer, ids):
        calls.append(sorted(ids))
        return {pk: Card(pk, viewer.pk) for pk in ids if pk != 3}

    monkeypatch.setattr(attachments, "_loaders", {"requisition": loader})
    voice, reader = make_user("voice"), make_user("reader")
    for thing_id in (1, 2, 1, 3):
        send_notices(
            sender=voice, recipient_ids=[reader.pk], body=f"About {thing_id}",
            attachment_type="requisition", attachment_id=thing_id,
        )  # fmt: skip
    items = selectors.thread(user=reader, other_id=voice.pk).items
    assert calls == [[1, 2, 3]]
    assert [(i.card and i.card.thing_id, i.card_repeat) for i in items] == [
        (1, True),
        (2, False),
        (1, False),
        (None, False),
    ]
    assert {i.card.viewer_id for i in items if i.card} == {reader.pk}


def test_no_loader_no_card(make_user, monkeypatch):
    monkeypatch.setattr(attachments, "_loaders", {})
    voice, reader = make_user("voice"), make_user("reader")
    send_notices(
        sender=voice, recipient_ids=[reader.pk], body="About 1",
        attachment_type="requisition", attachment_id=1,
    )  # fmt: skip
    [item] = selectors.thread(user=reader, other_id=voice.pk).items
    assert item.card is None and item.card_repeat is False
