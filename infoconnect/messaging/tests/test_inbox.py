"""Private messages, the inbox, read marks, and what recipients do with campaign messages."""

import random
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.messaging import actions, selectors
from infoconnect.messaging.models import (
    Campaign,
    CampaignActivity,
    Conversation,
    Enrolment,
    MarketingPreference,
    Message,
    Participant,
    Receipt,
)
from infoconnect.social.models import Block, Follow, Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_campaign(committed, merchant, followers, campaign):
    with committed():
        actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    return campaign


def test_private_message_lands_in_both_inboxes(make_user):
    alice, bob = make_user("alice"), make_user("bob")
    actions.send_message(sender=alice, recipient_id=bob.pk, body="Hi <b>Bob</b>")
    actions.send_message(sender=alice, recipient_id=bob.pk, body="Are you there?")
    [entry] = selectors.inbox(user=bob)
    assert (entry.other, entry.unread, entry.preview) == (alice, 2, "Are you there?")
    [mine] = selectors.inbox(user=alice)
    assert (mine.other, mine.unread) == (bob, 0)
    assert selectors.unread_total(user=bob) == 2
    actions.mark_conversation_read(user=bob, other_id=alice.pk)
    assert selectors.unread_total(user=bob) == 0
    assert Conversation.objects.count() == 1


def test_inbox_is_newest_first_and_merges_campaigns(make_user, sent_campaign, merchant, followers):
    fan = followers[0]
    friend = make_user("friend")
    actions.send_message(sender=friend, recipient_id=fan.pk, body="Lunch?")
    entries = selectors.inbox(user=fan)
    assert [(e.other.username, e.unread, e.is_campaign) for e in entries] == [
        ("friend", 1, False),
        ("acme", 1, True),
    ]
    assert entries[1].preview == "Spring sale"
    assert selectors.unread_total(user=fan) == 2
    # The fan replies to the campaign: same conversation, the merchant sees it.
    actions.send_message(sender=fan, recipient_id=merchant.pk, body="Do you ship to Beijing?")
    entries = selectors.inbox(user=fan)
    assert [e.other.username for e in entries] == ["acme", "friend"]
    assert entries[0].unread == 1  # the campaign message is still unread
    [merchant_entry] = selectors.inbox(user=merchant)
    assert (merchant_entry.other, merchant_entry.unread) == (fan, 1)
    thread = selectors.thread(user=merchant, other_id=fan.pk)
    assert [(i.campaign is not None, i.message.body) for i in thread.items] == [
        (True, "Everything 20% off this week."),
        (False, "Do you ship to Beijing?"),
    ]
    # The merchant answers: a customer-service channel in the same conversation.
    actions.send_message(sender=merchant, recipient_id=fan.pk, body="Yes, in two days.")
    low, high = sorted([fan.pk, merchant.pk])
    [conversation] = Conversation.objects.filter(user_low_id=low, user_high_id=high)
    assert conversation.messages.count() == 2


def test_opening_marks_campaign_read_once(sent_campaign, merchant, followers):
    fan = followers[0]
    assert actions.mark_conversation_read(user=fan, other_id=merchant.pk) == 1
    assert actions.mark_conversation_read(user=fan, other_id=merchant.pk) == 0
    sent_campaign.refresh_from_db()
    assert sent_campaign.read == 1
    assert CampaignActivity.objects.get(campaign=sent_campaign).reads == 1
    assert selectors.unread_total(user=fan) == 0


def test_click_records_once_and_only_goes_to_the_campaign_link(sent_campaign, followers):
    fan = followers[0]
    token = selectors.click_token(recipient_id=fan.pk, message_id=sent_campaign.message_id)
    recipient_id, message_id = selectors.read_click_token(token)
    assert actions.record_click(recipient_id=recipient_id, message_id=message_id) == (
        "https://shop.example.com/spring"
    )
    actions.record_click(recipient_id=recipient_id, message_id=message_id)
    sent_campaign.refresh_from_db()
    assert (sent_campaign.clicked, sent_campaign.read) == (1, 1)
    flags = Receipt.objects.get(recipient_id=fan.pk, message_id=message_id).flags
    assert flags == Receipt.READ | Receipt.CLICKED
    with pytest.raises(DomainError):
        selectors.read_click_token(token[:-2] + "xx")


def test_unsubscribe_in_one_click_stops_the_next_campaign(
    committed, sent_campaign, merchant, followers
):
    fan = followers[0]
    preference = actions.unsubscribe(user=fan, message_id=sent_campaign.message_id)
    actions.unsubscribe(user=fan, message_id=sent_campaign.message_id)
    assert (preference.accepts_marketing, preference.source) == (False, "unsubscribe")
    sent_campaign.refresh_from_db()
    assert sent_campaign.unsubscribed == 1
    assert Follow.objects.filter(follower=fan, target=merchant).exists()
    Campaign.objects.filter(pk=sent_campaign.pk).update(
        send_day=timezone.localdate() - timedelta(days=1)
    )
    follow_up = actions.create_campaign(merchant=merchant, title="Next", body="Next")
    with committed():
        actions.send_campaign(merchant=merchant, campaign_id=follow_up.pk)
    follow_up.refresh_from_db()
    assert (follow_up.delivered, follow_up.skipped_unsubscribed) == (9, 1)


def test_only_the_recipient_can_unsubscribe_or_report(sent_campaign, make_user):
    stranger = make_user("stranger")
    for act in (actions.unsubscribe, actions.report_spam):
        with pytest.raises(DomainError) as error:
            act(user=stranger, message_id=sent_campaign.message_id)
        assert error.value.code == "message_not_found"
    assert MarketingPreference.objects.count() == 0


def test_spam_reports_past_the_threshold_suspend_the_merchant(sent_campaign, merchant, followers):
    # Defaults: at least 3 reports and 20 per thousand deliveries; 3 of 10 passes.
    actions.report_spam(user=followers[0], message_id=sent_campaign.message_id)
    actions.report_spam(user=followers[0], message_id=sent_campaign.message_id)
    actions.report_spam(user=followers[1], message_id=sent_campaign.message_id)
    assert Enrolment.objects.get(merchant=merchant).status == "enrolled"
    actions.report_spam(user=followers[2], message_id=sent_campaign.message_id)
    sent_campaign.refresh_from_db()
    assert sent_campaign.reported == 3
    enrolment = Enrolment.objects.get(merchant=merchant)
    assert enrolment.status == "suspended"
    assert "passed the threshold" in enrolment.note
    with pytest.raises(DomainError) as error:
        actions.create_campaign(merchant=merchant, title="More", body="More")
    assert error.value.code == "not_enrolled"


def test_who_can_message_me(make_user):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    bob.message_policy = "following"
    bob.save(update_fields=["message_policy"])
    with pytest.raises(DomainError) as error:
        actions.send_message(sender=alice, recipient_id=bob.pk, body="hi")
    assert (error.value.code, error.value.status) == ("not_accepting_messages", 403)
    Follow.objects.create(follower=bob, target=alice)
    actions.send_message(sender=alice, recipient_id=bob.pk, body="hi")
    Block.objects.create(blocker=carol, blocked=alice)
    for sender, recipient in ((alice, carol), (carol, alice)):
        with pytest.raises(DomainError) as error:
            actions.send_message(sender=sender, recipient_id=recipient.pk, body="hi")
        assert error.value.code == "blocked"
    assert Message.objects.count() == 1


def test_a_follower_may_answer_a_merchant_that_only_hears_from_followed(
    sent_campaign, merchant, followers
):
    merchant.message_policy = "following"
    merchant.save(update_fields=["message_policy"])
    actions.send_message(sender=followers[0], recipient_id=merchant.pk, body="Question")
    assert Message.objects.filter(sender=followers[0]).count() == 1


def test_thirty_new_conversations_an_hour(make_user):
    sender = make_user("chatty")
    people = [make_user(f"p{i:02d}") for i in range(31)]
    for person in people[:30]:
        actions.send_message(sender=sender, recipient_id=person.pk, body="hi")
    with pytest.raises(DomainError) as error:
        actions.send_message(sender=sender, recipient_id=people[30].pk, body="hi")
    assert (error.value.code, error.value.status) == ("conversation_rate_limited", 429)
    # Existing conversations go on.
    actions.send_message(sender=sender, recipient_id=people[0].pk, body="again")
    assert Conversation.objects.count() == 30
    Conversation.objects.update(created_at=timezone.now() - timedelta(hours=2))
    actions.send_message(sender=sender, recipient_id=people[30].pk, body="hi")


def test_bad_messages(make_user):
    alice, bob = make_user("alice"), make_user("bob")
    cases = [
        ({"body": ""}, "invalid_message"),
        ({"body": "   "}, "invalid_message"),
        ({"body": "x" * 2001}, "invalid_message"),
        (
            {"body": "x", "attachment_type": "link", "attachment_url": "ftp://x"},
            "invalid_attachment",
        ),
        ({"body": "x", "attachment_type": "post", "attachment_id": 999}, "invalid_attachment"),
        ({"body": "x", "attachment_type": "video"}, "invalid_attachment"),
    ]
    for kwargs, code in cases:
        with pytest.raises(DomainError) as error:
            actions.send_message(sender=alice, recipient_id=bob.pk, **kwargs)
        assert error.value.code == code, kwargs
    with pytest.raises(DomainError) as error:
        actions.send_message(sender=alice, recipient_id=alice.pk, body="me")
    assert error.value.code == "cannot_message_self"
    with pytest.raises(DomainError) as error:
        actions.send_message(sender=alice, recipient_id=99999, body="who")
    assert error.value.code == "recipient_not_found"
    assert (
        Message.objects.count() == Conversation.objects.count() == Participant.objects.count() == 0
    )


def test_link_attachment(make_user):
    alice, bob = make_user("alice"), make_user("bob")
    message = actions.send_message(
        sender=alice,
        recipient_id=bob.pk,
        body="",
        attachment_type="link",
        attachment_url="https://example.com/a",
    )
    assert (message.attachment_type, message.attachment_url) == ("link", "https://example.com/a")
    assert selectors.inbox(user=bob)[0].preview == "https://example.com/a"


def test_inbox_pages_by_time(make_user):
    me = make_user("me")
    others = [make_user(f"o{i:02d}") for i in range(25)]
    for other in others:
        actions.send_message(sender=other, recipient_id=me.pk, body=f"from {other.username}")
    first = selectors.inbox(user=me)
    assert len(first) == 20
    assert first[0].other.username == "o24"
    second = selectors.inbox(user=me, before=first[-1].last_at)
    assert [e.other.username for e in second] == ["o04", "o03", "o02", "o01", "o00"]


# ---------------------------------------------------------------- every line, page by page

BASE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _received(recipient, merchant, title: str, at: datetime, *, read: bool = False) -> None:
    """A campaign message `merchant` sent `recipient` at `at`, as the fan-out leaves it."""
    campaign = Campaign.objects.create(
        merchant=merchant, title=title, body=title, state="sent", finished_at=at
    )
    message = Message.objects.create(sender=merchant, campaign=campaign, body=title, created_at=at)
    Receipt.objects.create(
        recipient_id=recipient.pk,
        message_id=message.pk,
        created_at=at,
        flags=Receipt.READ if read else 0,
    )


def _private(sender, recipient, body: str, at: datetime) -> None:
    message = actions.send_message(sender=sender, recipient_id=recipient.pk, body=body)
    Message.objects.filter(pk=message.pk).update(created_at=at)
    Participant.objects.filter(conversation_id=message.conversation_id).update(last_message_at=at)


def _all_pages(user) -> list[list[selectors.InboxEntry]]:
    pages, before, before_id = [], None, None
    while True:
        page = selectors.inbox(user=user, before=before, before_id=before_id)
        pages.append(page)
        if len(page) < selectors.INBOX_PAGE:
            return pages
        before, before_id = page[-1].last_at, page[-1].other.pk


def test_inbox_pages_through_lines_that_share_a_time(api_client, make_user):
    """A page boundary inside a run of lines at the same instant loses and repeats none."""
    me = make_user("me")
    shops = [make_user(f"t{i:02d}", kind="merchant", verified=True) for i in range(12)]
    people = [make_user(f"p{i:02d}") for i in range(14)]
    for shop in shops:
        _received(me, shop, f"{shop.username} offer", BASE)
    for person in people:
        _private(person, me, "hello", BASE)
    _private(make_user("newest"), me, "hi", BASE + timedelta(minutes=1))
    pages = _all_pages(me)
    assert [len(page) for page in pages] == [20, 7]
    seen = [e.other.username for page in pages for e in page]
    expected = sorted((u for u in [*shops, *people]), key=lambda u: u.pk, reverse=True)
    assert seen == ["newest", *(u.username for u in expected)]
    # The API's cursor and the web inbox's Older link carry the account id too.
    client = api_client(me)
    first = client.get("/api/v1/inbox/conversations").json()
    second = client.get(
        "/api/v1/inbox/conversations",
        {"before": first[-1]["last_message_at"], "before_id": first[-1]["account"]["id"]},
    ).json()
    assert [c["account"]["username"] for c in first + second] == seen
    bad = client.get("/api/v1/inbox/conversations", {"before": BASE.isoformat(), "before_id": "x"})
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")
    web = Client()
    web.force_login(me)
    html = web.get("/messages/").content.decode()
    older = re.search(r'<a href="\?(before=[^"]+)">Older</a>', html).group(1)
    html = web.get(f"/messages/?{older.replace('&amp;', '&')}").content.decode()
    assert re.findall(r'data-testid="conversation-([^"]+)"', html) == seen[20:]


def test_inbox_lists_a_merchant_behind_more_than_200_newer_receipts(
    api_client, django_assert_num_queries, make_user
):
    fan = make_user("fan")
    old_shop = make_user("oldshop", kind="merchant", verified=True)
    _received(fan, old_shop, "Winter sale", BASE - timedelta(days=10), read=True)
    _received(fan, old_shop, "Last call", BASE - timedelta(days=9))
    shops = [make_user(f"s{i:02d}", kind="merchant", verified=True) for i in range(30)]
    for i, shop in enumerate(shops):
        for k in range(8):
            at = BASE + timedelta(minutes=8 * i + k)
            _received(fan, shop, f"{shop.username} #{k}", at, read=k < 5)
    assert Receipt.objects.filter(recipient_id=fan.pk).count() == 242
    with django_assert_num_queries(1):
        first = selectors.inbox(user=fan)
    pages = _all_pages(fan)
    assert [len(page) for page in pages] == [20, 11]
    lines = [(e.other.username, e.unread, e.preview, e.is_campaign) for p in pages for e in p]
    assert lines == [
        *((f"s{i:02d}", 3, f"s{i:02d} #7", True) for i in reversed(range(30))),
        ("oldshop", 1, "Last call", True),
    ]
    assert [e.last_at for e in first] == [
        BASE + timedelta(minutes=8 * i + 7) for i in reversed(range(10, 30))
    ]
    assert pages[1][-1].last_at == BASE - timedelta(days=9)
    # The API pages the same way and gives the same count as the conversation itself.
    client = api_client(fan)
    api_first = client.get("/api/v1/inbox/conversations").json()
    api_second = client.get(
        "/api/v1/inbox/conversations", {"before": api_first[-1]["last_message_at"]}
    ).json()
    assert [c["account"]["username"] for c in api_second][-2:] == ["s00", "oldshop"]
    assert (api_second[-1]["unread"], api_second[-1]["preview"]) == (1, "Last call")
    assert client.get(f"/api/v1/inbox/conversations/{old_shop.pk}").json()["unread"] == 1
    # And so does the web inbox, through its Older link.
    web = Client()
    web.force_login(fan)
    first_html = web.get("/messages/").content.decode()
    assert 'data-testid="conversation-oldshop"' not in first_html
    older = re.search(r'<a href="\?(before=[^"]+)">Older</a>', first_html).group(1)
    second_html = web.get(f"/messages/?{older.replace('&amp;', '&')}").content.decode()
    assert 'data-testid="conversation-oldshop"' in second_html
    assert '<span class="badge" data-testid="unread-oldshop">1</span>' in second_html
    assert selectors.unread_total(user=fan) == 30 * 3 + 1


def test_inbox_pages_merge_conversations_and_campaigns_without_gaps(make_user):
    """45 lines: private only, campaigns only, and both (either newer), whose older half
    sits pages away from the newer, so a page boundary cuts between the two."""
    fan = make_user("fan")
    rng = random.Random(7)
    minutes = rng.sample(range(1, 500), 45)
    expected = []
    for n, minute in enumerate(minutes):
        kind = ("private", "campaign", "campaign_newer", "private_newer")[n % 4]
        other = make_user(f"x{n:02d}", kind="person" if kind == "private" else "merchant")
        newest = BASE + timedelta(minutes=minute)
        older = BASE - timedelta(minutes=minute)
        if kind == "private":
            _private(other, fan, f"hi {n}", newest)
            expected.append((newest, other.username, 1, f"hi {n}", False))
        elif kind == "campaign":
            _received(fan, other, f"sale {n}", newest)
            expected.append((newest, other.username, 1, f"sale {n}", True))
        elif kind == "campaign_newer":
            _private(other, fan, f"hi {n}", older)
            _received(fan, other, f"sale {n}", newest, read=True)
            expected.append((newest, other.username, 1, f"sale {n}", True))
        else:
            _received(fan, other, f"sale {n}", older)
            _private(other, fan, f"hi {n}", newest)
            actions.send_message(sender=other, recipient_id=fan.pk, body=f"more {n}")
            Message.objects.filter(body=f"more {n}").update(created_at=newest)
            Participant.objects.filter(user=fan, other=other).update(last_message_at=newest)
            expected.append((newest, other.username, 3, f"more {n}", False))
    expected.sort(reverse=True)
    pages = _all_pages(fan)
    assert [len(page) for page in pages] == [20, 20, 5]
    lines = [
        (e.last_at, e.other.username, e.unread, e.preview, e.is_campaign) for p in pages for e in p
    ]
    assert lines == expected


def test_a_conversation_pages_back_through_private_and_campaign_messages(api_client, make_user):
    """105 items, some sharing their second: the newest 100 first, then the 5 before them,
    with nothing lost or repeated across the boundary, on the page and in the API."""
    fan = make_user("fan")
    shop = make_user("teashop", kind="merchant", verified=True)
    expected = []
    for i in range(60):
        at = BASE + timedelta(seconds=i // 2)  # two private messages a second
        _private(shop if i % 3 else fan, fan if i % 3 else shop, f"private {i}", at)
        expected.append(f"private {i}")
    for k in range(45):
        _received(fan, shop, f"offer {k}", BASE + timedelta(seconds=30 + k))
        expected.append(f"offer {k}")

    newest = selectors.thread(user=fan, other_id=shop.pk)
    assert len(newest.items) == 100 and newest.earlier is not None
    older = selectors.thread(
        user=fan, other_id=shop.pk, before=newest.earlier[0], before_id=newest.earlier[1]
    )
    assert older.earlier is None

    def text(item):
        return item.message.body

    assert [text(i) for i in older.items + newest.items] == expected

    client = Client()
    client.force_login(fan)
    html = client.get(f"/messages/@{shop.username}/").content.decode()
    link = re.search(r'<a href="\?(before=[^"]+)" data-testid="earlier-messages">', html).group(1)
    html = client.get(f"/messages/@{shop.username}/?{link.replace('&amp;', '&')}").content.decode()
    assert 'data-testid="earlier-messages"' not in html
    assert "private 4" in html and "private 5" not in html

    api = api_client(fan)
    first = api.get(f"/api/v1/inbox/conversations/{shop.pk}/messages").json()
    second = api.get(
        f"/api/v1/inbox/conversations/{shop.pk}/messages",
        {"before": first[0]["created_at"], "before_id": first[0]["id"]},
    ).json()
    assert [m["body"] for m in second + first] == expected
    bad = api.get(f"/api/v1/inbox/conversations/{shop.pk}/messages", {"before": "soon"})
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")


def test_a_shared_post_shows_only_to_whom_may_read_it(make_user):
    """A followers-only post cannot be shared by someone who may not read it, and a post
    shared before it became followers-only no longer shows to a reader outside them."""
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    post = Post.objects.create(author=carol, text="For my followers", visibility="private")
    with pytest.raises(DomainError) as error:
        actions.send_message(
            sender=alice,
            recipient_id=bob.pk,
            body="look",
            attachment_type="post",
            attachment_id=post.pk,
        )
    assert error.value.code == "invalid_attachment"
    assert Message.objects.count() == 0

    Post.objects.filter(pk=post.pk).update(visibility="public")
    actions.send_message(
        sender=alice,
        recipient_id=bob.pk,
        body="look",
        attachment_type="post",
        attachment_id=post.pk,
    )
    [item] = selectors.thread(user=bob, other_id=alice.pk).items
    assert item.post.text == "For my followers"
    Post.objects.filter(pk=post.pk).update(visibility="private")
    [item] = selectors.thread(user=bob, other_id=alice.pk).items
    assert item.post is None
    Follow.objects.create(follower=bob, target=carol)
    [item] = selectors.thread(user=bob, other_id=alice.pk).items
    assert item.post.text == "For my followers"
