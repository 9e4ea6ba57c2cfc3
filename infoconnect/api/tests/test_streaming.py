"""The streaming API against a real ASGI server (uvicorn, the application `manage.py serve`
runs): a WebSocket client (the websockets library) and server-sent events read off the socket,
receiving what other accounts post, as each stream's visibility, blocks and mutes allow."""

import asyncio
import json
import urllib.error
import urllib.request

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.db import transaction
from playwright.sync_api import expect

from conftest import TEST_PASSWORD
from infoconnect.accounts.models import AccessToken
from infoconnect.accounts.tokens import new_token_key
from infoconnect.core.testing import run_async
from infoconnect.messaging import streams as messaging_streams
from infoconnect.messaging.actions import direct as direct_actions
from infoconnect.social import actions, followed_tags, lists, streams
from infoconnect.social.actions import posts as post_actions
from infoconnect.social.edits import edit_post
from infoconnect.social.models import Post

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 10.0
# How long a test listens to be sure that something does not arrive.
QUIET = 0.6


def token_for(user) -> str:
    key = new_token_key()
    AccessToken.objects.create(
        user=user, name="streaming", key_hash=AccessToken.hash_key(key), hint=key[:7]
    )
    return key


def post_as(author, text: str, visibility: str = "public") -> Post:
    """A post as the actions write it, with the visibility a client chose."""
    if visibility == "public":
        return actions.create_post(author=author, text=text)
    with transaction.atomic():
        post = Post.objects.create(author=author, text=text, visibility=visibility)
        post_actions._attach_tags_and_mentions(post, author)
        streams.status_created(post)
    return post


async def receive_json(ws, timeout: float = WAIT) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def nothing_more(ws) -> None:
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(ws.recv(), QUIET)


# WebSocket ------------------------------------------------------------------------------


def test_a_websocket_client_receives_a_status_another_account_posts(server, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    actions.follow(follower=bob, target=alice)
    token = token_for(bob)

    async def scenario():
        url = f"ws://{server}/api/v1/streaming?stream=user&access_token={token}"
        async with websockets.connect(url) as ws:
            await sync_to_async(actions.create_post)(author=alice, text="New stock at noon")
            message = await receive_json(ws)
            status = json.loads(message["payload"])
            assert message["stream"] == ["user"]
            assert message["event"] == "update"
            assert status["content"] == "<p>New stock at noon</p>"
            assert status["account"]["username"] == "alice"
            assert status["visibility"] == "public"
            assert status["url"] == f"http://{server}/posts/{status['id']}/"

    run_async(scenario())


def test_an_edit_reaches_the_stream_as_a_status_update(server, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    actions.follow(follower=bob, target=alice)
    token = token_for(bob)
    post = actions.create_post(author=alice, text="Tea at noon")

    async def scenario():
        url = f"ws://{server}/api/v1/streaming?stream=user&access_token={token}"
        async with websockets.connect(url) as ws:
            await sync_to_async(edit_post)(user=alice, post_id=post.pk, text="Tea at one")
            message = await receive_json(ws)
            status = json.loads(message["payload"])
            assert message["event"] == "status.update"
            assert status["id"] == str(post.pk)
            assert status["content"] == "<p>Tea at one</p>"
            assert status["edited_at"] is not None
            # An edit that changes nothing is told to nobody.
            await sync_to_async(edit_post)(user=alice, post_id=post.pk, text="Tea at one")
            await nothing_more(ws)

    run_async(scenario())


def test_a_list_stream_hears_what_the_list_timeline_shows(server, make_user):
    alice, bob, carol, dan = (make_user(n) for n in ("alice", "bob", "carol", "dan"))
    for target in (alice, carol, dan):
        actions.follow(follower=bob, target=target)
    tea = lists.create_list(owner=bob, title="Tea people")
    lists.add_accounts(owner=bob, list_id=tea.pk, account_ids=[alice.pk, carol.pk])
    followed = lists.create_list(owner=bob, title="Chats", replies_policy="followed")
    lists.add_accounts(owner=bob, list_id=followed.pk, account_ids=[alice.pk])
    dan_post = actions.create_post(author=dan, text="Dan's tea")
    token = token_for(bob)

    async def scenario():
        url = f"ws://{server}/api/v1/streaming?stream=list&list={tea.pk}&access_token={token}"
        async with websockets.connect(url) as ws:
            await ws.send(json.dumps({"type": "subscribe", "stream": "list", "list": followed.pk}))
            # Messages are handled in order: once this one is answered, the list is subscribed.
            await ws.send(json.dumps({"type": "subscribe", "stream": "nonsense"}))
            assert (await receive_json(ws))["status"] == 400
            await sync_to_async(post_as)(alice, "Followers only", "private")
            heard = [await receive_json(ws), await receive_json(ws)]
            assert sorted(m["stream"][1] for m in heard) == sorted([str(tea.pk), str(followed.pk)])
            assert {json.loads(m["payload"])["content"] for m in heard} == {"<p>Followers only</p>"}
            # Dan is on neither list; a reply to him is on the list that shows replies to
            # anyone Bob follows, not on the one that shows replies to its members only.
            await sync_to_async(actions.create_post)(author=dan, text="Not listed")
            await sync_to_async(actions.create_post)(
                author=alice, text="Agreed", in_reply_to_id=dan_post.pk
            )
            message = await receive_json(ws)
            assert message["stream"] == ["list", str(followed.pk)]
            assert json.loads(message["payload"])["content"] == "<p>Agreed</p>"
            await nothing_more(ws)

    run_async(scenario())


def test_an_exclusive_list_s_members_reach_the_list_stream_not_home(server, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    actions.follow(follower=bob, target=alice)
    shops = lists.create_list(owner=bob, title="Shops", exclusive=True)
    lists.add_accounts(owner=bob, list_id=shops.pk, account_ids=[alice.pk])
    token = token_for(bob)

    async def scenario():
        base = f"ws://{server}/api/v1/streaming?access_token={token}"
        async with (
            websockets.connect(base + "&stream=user") as home,
            websockets.connect(base + f"&stream=list&list={shops.pk}") as on_list,
        ):
            await sync_to_async(actions.create_post)(author=alice, text="Sale")
            message = await receive_json(on_list)
            assert json.loads(message["payload"])["content"] == "<p>Sale</p>"
            await nothing_more(home)

    run_async(scenario())


def test_another_person_s_list_is_no_stream(server, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    actions.follow(follower=alice, target=bob)
    hers = lists.create_list(owner=alice, title="Mine")
    token = token_for(bob)

    async def scenario():
        url = f"ws://{server}/api/v1/streaming?stream=list&list={hers.pk}&access_token={token}"
        with pytest.raises(websockets.InvalidStatus):
            async with websockets.connect(url):
                pass
        async with websockets.connect(f"ws://{server}/api/v1/streaming?access_token={token}") as ws:
            for list_id in (hers.pk, "x", ""):
                await ws.send(json.dumps({"type": "subscribe", "stream": "list", "list": list_id}))
                assert await receive_json(ws) == {"error": "No such list", "status": 404}

    run_async(scenario())
    sse = f"http://{server}/api/v1/streaming/list?list={hers.pk}&access_token={token}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(sse, timeout=WAIT)
    assert refused.value.code == 404


def test_a_followed_tag_brings_public_posts_to_the_user_stream_once(server, make_user):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    for reader in (alice, bob):
        followed_tags.follow_tag(user=reader, name="tea")
    actions.follow(follower=bob, target=carol)
    alice_token, bob_token = token_for(alice), token_for(bob)

    async def scenario():
        base = f"ws://{server}/api/v1/streaming?stream=user&access_token="
        async with (
            websockets.connect(base + alice_token) as alice_home,
            websockets.connect(base + bob_token) as bob_home,
        ):
            # One post at a time: the server reads each while the next would be written.
            await sync_to_async(post_as)(carol, "Followers #tea", "private")
            first = json.loads((await receive_json(bob_home))["payload"])
            await sync_to_async(actions.create_post)(author=carol, text="Green #tea")
            second = json.loads((await receive_json(bob_home))["payload"])
            # Bob follows Carol as well: he hears each post once.
            assert [first["visibility"], second["visibility"]] == ["private", "public"]
            # Alice follows only the tag: its public post, not the followers-only one.
            status = json.loads((await receive_json(alice_home))["payload"])
            assert (status["visibility"], status["tags"][0]["name"]) == ("public", "tea")
            assert status["content"].startswith("<p>Green ")
            await nothing_more(bob_home)
            await nothing_more(alice_home)

    run_async(scenario())


def test_the_websocket_takes_the_token_as_its_protocol_and_subscribes(server, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    token = token_for(bob)

    async def scenario():
        url = f"ws://{server}/api/v1/streaming"
        async with websockets.connect(url, subprotocols=[token]) as ws:
            assert ws.subprotocol == token
            await ws.send(json.dumps({"type": "subscribe", "stream": "hashtag", "tag": "Tea"}))
            await ws.send(json.dumps({"type": "subscribe", "stream": "nonsense"}))
            assert await receive_json(ws) == {"error": "Unknown stream type", "status": 400}
            await ws.send("not json")
            assert await receive_json(ws) == {"error": "Invalid JSON", "status": 400}
            # The subscription is in place once the server answered a later message.
            await sync_to_async(actions.create_post)(author=alice, text="Green #tea today")
            message = await receive_json(ws)
            assert message["stream"] == ["hashtag", "tea"]
            assert json.loads(message["payload"])["tags"][0]["name"] == "tea"
            await ws.send(json.dumps({"type": "unsubscribe", "stream": "hashtag", "tag": "tea"}))
            await ws.send(json.dumps({"type": "subscribe", "stream": "list", "list": "1"}))
            assert await receive_json(ws) == {"error": "No such list", "status": 404}
            await sync_to_async(actions.create_post)(author=alice, text="More #tea")
            await nothing_more(ws)

    run_async(scenario())


def test_a_bad_token_or_a_private_stream_without_one_is_refused(server, make_user):
    async def scenario():
        for query in ("stream=user&access_token=ic_wrong", "stream=user", "stream=direct"):
            with pytest.raises(websockets.InvalidStatus) as refused:
                async with websockets.connect(f"ws://{server}/api/v1/streaming?{query}"):
                    pass
            assert refused.value.response.status_code == 403

    run_async(scenario())


def test_notifications_reach_the_user_stream_and_the_notification_stream(server, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    actions.follow(follower=bob, target=alice)
    token = token_for(bob)
    post = actions.create_post(author=bob, text="Selling tea")

    async def scenario():
        url = f"ws://{server}/api/v1/streaming?stream=user:notification&access_token={token}"
        async with websockets.connect(url) as ws:
            await sync_to_async(actions.like)(user=alice, post_id=post.pk)
            message = await receive_json(ws)
            notification = json.loads(message["payload"])
            assert message["stream"] == ["user:notification"]
            assert message["event"] == "notification"
            assert notification["type"] == "favourite"
            assert notification["account"]["username"] == "alice"
            assert notification["status"]["id"] == str(post.pk)
            # A post by someone followed is on `user`, not on `user:notification`.
            await sync_to_async(actions.follow)(follower=alice, target=bob)
            follow = json.loads((await receive_json(ws))["payload"])
            assert follow["type"] == "follow"
            await sync_to_async(actions.create_post)(author=alice, text="Hello")
            await nothing_more(ws)

    run_async(scenario())


def test_user_stream_hears_public_unlisted_and_followers_only_posts_of_followed(server, make_user):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    actions.follow(follower=bob, target=alice)
    bob_token, carol_token = token_for(bob), token_for(carol)

    async def scenario():
        base = f"ws://{server}/api/v1/streaming?access_token="
        async with (
            websockets.connect(base + bob_token + "&stream=user") as bob_home,
            websockets.connect(base + carol_token + "&stream=user") as carol_home,
            websockets.connect(base + carol_token + "&stream=public") as public,
            websockets.connect(base + carol_token + "&stream=direct") as carol_direct,
        ):
            for visibility in ("public", "unlisted", "private"):
                await sync_to_async(post_as)(alice, f"A {visibility} post", visibility)
                status = json.loads((await receive_json(bob_home))["payload"])
                assert (status["content"], status["visibility"]) == (
                    f"<p>A {visibility} post</p>",
                    visibility,
                )
                if visibility == "public":
                    # Read before the next post is written: on SQLite's shared in-memory test
                    # database a write waits for no reader.
                    assert json.loads((await receive_json(public))["payload"])["content"] == (
                        "<p>A public post</p>"
                    )
            # The public stream heard only the public one.
            await nothing_more(public)
            # Carol follows nobody: her home hears nothing of Alice.
            await nothing_more(carol_home)
            # A direct post to Carol reaches her direct stream only.
            await sync_to_async(post_as)(alice, "@carol your order shipped", "direct")
            message = await receive_json(carol_direct)
            conversation = json.loads(message["payload"])
            assert message["event"] == "conversation"
            assert [a["username"] for a in conversation["accounts"]] == ["alice"]
            assert conversation["last_status"]["content"].startswith("<p>")
            await nothing_more(bob_home)
            await nothing_more(public)

    run_async(scenario())


def test_blocks_and_mutes_hide_accounts_from_every_stream(server, make_user):
    alice, bob, carol, dave = (make_user(n) for n in ("alice", "bob", "carol", "dave"))
    actions.block(blocker=alice, target=bob)
    bob_token, carol_token, dave_token = token_for(bob), token_for(carol), token_for(dave)

    async def scenario():
        base = f"ws://{server}/api/v1/streaming?stream=public&access_token="
        async with (
            websockets.connect(base + bob_token) as bob_public,
            websockets.connect(base + carol_token) as carol_public,
            websockets.connect(base + dave_token) as dave_public,
        ):
            await sync_to_async(actions.create_post)(author=alice, text="Hello all")
            assert json.loads((await receive_json(dave_public))["payload"])["content"] == (
                "<p>Hello all</p>"
            )
            assert (await receive_json(carol_public))["event"] == "update"
            # Alice blocks Bob: he does not hear her.
            await nothing_more(bob_public)
            # Carol mutes Alice while connected: from then on she does not hear her either.
            await sync_to_async(actions.mute)(muter=carol, target=alice)
            await asyncio.sleep(0.3)
            await sync_to_async(actions.create_post)(author=alice, text="Second")
            assert (await receive_json(dave_public))["event"] == "update"
            await nothing_more(carol_public)
            await nothing_more(bob_public)

    run_async(scenario())


# Server-sent events ---------------------------------------------------------------------


class EventReader:
    """An SSE response read line by line in a thread (urllib reads the chunked body)."""

    def __init__(self, url: str, token: str = "") -> None:
        request = urllib.request.Request(url)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        self.response = urllib.request.urlopen(request, timeout=WAIT)
        assert self.response.headers["Content-Type"] == "text/event-stream; charset=utf-8"
        # The stream opens with a comment once its subscriptions are in place.
        assert self.response.readline() == b":)\n"
        assert self.response.readline() == b"\n"

    def next_event(self) -> tuple[str, str]:
        event = data = ""
        while True:
            line = self.response.readline().decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data += line[6:]
            elif line == "" and event:
                return event, data

    def close(self) -> None:
        self.response.close()


def test_sse_streams_deliver_statuses_deletes_and_notifications(server, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    actions.follow(follower=bob, target=alice)
    token = token_for(bob)
    mine = actions.create_post(author=bob, text="Mine")
    public = EventReader(f"http://{server}/api/v1/streaming/public")
    home = EventReader(f"http://{server}/api/v1/streaming/user", token)
    tag = EventReader(f"http://{server}/api/v1/streaming/hashtag?tag=sale")
    try:
        post = actions.create_post(author=alice, text="Flash #sale at 8")
        event, data = public.next_event()
        assert event == "update"
        assert json.loads(data)["content"] == (
            f'<p>Flash <a class="hashtag" href="http://{server}/tags/sale/">#sale</a> at 8</p>'
        )
        assert home.next_event()[0] == "update"
        assert json.loads(tag.next_event()[1])["id"] == str(post.pk)
        actions.delete_post(user=alice, post_id=post.pk)
        assert public.next_event() == ("delete", str(post.pk))
        assert home.next_event() == ("delete", str(post.pk))
        actions.repost(user=alice, post_id=mine.pk)
        # Alice's repost of Bob's post: his notification, and the repost on his home.
        received = dict([home.next_event(), home.next_event()])
        assert json.loads(received["notification"])["type"] == "reblog"
        assert json.loads(received["update"])["reblog"]["content"] == "<p>Mine</p>"
    finally:
        for reader in (public, home, tag):
            reader.close()


def test_sse_refuses_what_it_cannot_serve(server, make_user):
    token = token_for(make_user("bob"))
    cases = [
        ("user", "", 401, {"error": "Missing access token"}),
        ("user", "ic_not-a-token", 401, {"error": "Invalid access token"}),
        ("direct", "", 401, {"error": "Missing access token"}),
        ("hashtag", token, 400, {"error": "No tag for stream provided"}),
        ("list?list=3", token, 404, {"error": "No such list"}),
    ]
    for path, key, status, body in cases:
        request = urllib.request.Request(f"http://{server}/api/v1/streaming/{path}")
        if key:
            request.add_header("Authorization", f"Bearer {key}")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=WAIT)
        assert (refused.value.code, json.loads(refused.value.read())) == (status, body)
    with urllib.request.urlopen(f"http://{server}/api/v1/streaming/health") as health:
        assert (health.status, health.read()) == (200, b"OK")


# The web UI's stream --------------------------------------------------------------------


def test_the_web_stream_tells_a_session_of_its_new_messages_and_notifications(
    server, make_user, client
):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    actions.follow(follower=alice, target=bob)
    actions.follow(follower=bob, target=alice)
    client.force_login(bob)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    request = urllib.request.Request(f"http://{server}/live/events", headers={"Cookie": cookie})
    reader = EventReader.__new__(EventReader)
    reader.response = urllib.request.urlopen(request, timeout=WAIT)
    assert reader.response.readline() == b":)\n"
    reader.response.readline()
    try:
        direct_actions.send_message(sender=alice, recipient_id=bob.pk, body="Is it in stock?")
        assert reader.next_event() == ("messages", "{}")
        actions.create_post(author=alice, text="@bob look")
        assert reader.next_event() == ("notifications", "{}")
        # A campaign chunk of a merchant Bob does not follow, or of a range without him,
        # is not his; one with him is.
        messaging_streams.chunk_delivered(merchant_id=carol.pk, low=1, high=bob.pk + 10)
        messaging_streams.chunk_delivered(merchant_id=alice.pk, low=bob.pk + 1, high=bob.pk + 9)
        messaging_streams.campaign_progressed(campaign_id=12, merchant_id=bob.pk)
        assert reader.next_event() == ("campaign", '{"campaign":12}')
        messaging_streams.chunk_delivered(merchant_id=alice.pk, low=bob.pk, high=bob.pk)
        assert reader.next_event() == ("messages", "{}")
    finally:
        reader.close()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"http://{server}/live/events", timeout=WAIT)
    assert refused.value.code == 401


@pytest.mark.browser
def test_the_header_badges_update_from_the_stream_without_polling(server, browser, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    context = browser.new_context(base_url=f"http://{server}", locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("bob")
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        expect(page.locator("body")).to_have_attribute("data-live", "on")
        expect(page.get_by_test_id("messages-badge")).to_have_count(0)
        direct_actions.send_message(sender=alice, recipient_id=bob.pk, body="Still in stock?")
        # Well before the 5-second poll that runs only while the stream is down.
        expect(page.get_by_test_id("messages-badge")).to_have_text("1", timeout=4_000)
        actions.follow(follower=alice, target=bob)
        expect(page.get_by_test_id("notifications-badge")).to_have_text("1", timeout=4_000)
        expect(page.locator("body")).to_have_attribute("data-live", "on")
    finally:
        context.close()
