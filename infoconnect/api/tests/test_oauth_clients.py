"""Real Mastodon clients log in with OAuth against a live server: Mastodon.py through the
whole authorization-code flow in Chromium against the ASGI server, then posting pictures,
editing, bookmarking, a list, a poll and the user stream; the toot CLI with the token it
stores, for posts with pictures, bookmarks, lists and tags."""

import json
import os
import queue
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from mastodon import Mastodon, StreamListener
from oauth2_provider.models import AccessToken as OAuthAccessToken
from oauth2_provider.models import Application
from PIL import Image

from infoconnect.api.tests.test_mastodon_py import OneConnectionPerRequest
from infoconnect.social import actions
from infoconnect.social.actions import polls as poll_actions
from infoconnect.social.models import ListAccount, Post

pytestmark = pytest.mark.django_db(transaction=True)

OOB = "urn:ietf:wg:oauth:2.0:oob"
SCOPES = ["read", "write", "follow"]
TOOT = Path(sys.executable).with_name("toot")


def _session() -> requests.Session:
    session = requests.Session()
    session.mount("http://", OneConnectionPerRequest())
    return session


class Heard(StreamListener):
    """What a Mastodon.py stream delivers, for the test to wait on."""

    def __init__(self) -> None:
        super().__init__()
        self.updates: queue.Queue = queue.Queue()
        self.notifications: queue.Queue = queue.Queue()

    def on_update(self, status) -> None:
        self.updates.put(status)

    def on_notification(self, notification) -> None:
        self.notifications.put(notification)


@pytest.mark.browser
def test_mastodon_py_logs_in_through_the_authorize_page_and_posts(
    server, page, make_user, tmp_path
):
    # The ASGI server, which also serves the streaming API.
    base = f"http://{server}"
    make_user("alice")
    client_id, client_secret = Mastodon.create_app(
        "Mastodon.py test",
        scopes=SCOPES,
        redirect_uris=OOB,
        website="https://github.com/halcy/Mastodon.py",
        api_base_url=base,
        session=_session(),
        request_timeout=20,
    )
    mastodon = Mastodon(
        client_id=client_id,
        client_secret=client_secret,
        api_base_url=base,
        session=_session(),
        request_timeout=20,
        version_check_mode="none",
    )
    url = mastodon.auth_request_url(redirect_uris=OOB, scopes=SCOPES, allow_http=True)
    assert url.startswith(f"{base}/oauth/authorize?")

    page.goto(url)
    # Not logged in yet: the log-in form first, then back to the authorize page.
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Authorize Mastodon.py test?").wait_for()
    assert page.get_by_test_id("app-scopes").locator("li").all_inner_texts() == [
        "read all your data",
        "change all your data",
        "follow, mute and block accounts",
    ]
    page.get_by_role("button", name="Authorize").click()
    code = page.get_by_test_id("oauth-code").inner_text()

    token = mastodon.log_in(code=code, redirect_uri=OOB, scopes=SCOPES, allow_http=True)
    assert OAuthAccessToken.objects.get().scope == "read write follow"
    assert token == mastodon.access_token
    assert mastodon.account_verify_credentials().username == "alice"
    assert mastodon.app_verify_credentials().name == "Mastodon.py test"

    status = mastodon.status_post("posted through OAuth")
    assert status.account.username == "alice"
    assert [s.id for s in mastodon.timeline_home()] == [status.id]
    mastodon.status_delete(status.id)
    assert not Post.objects.filter(pk=status.id).exists()

    # Two pictures, an edit, a bookmark and a list, as an app's user does them.
    pictures = [
        mastodon.media_post(_png(tmp_path / f"{name}.png", colour), description=name)
        for name, colour in (("green", (0, 128, 0)), ("black", (0, 0, 0)))
    ]
    status = mastodon.status_post(
        "Two cups", media_ids=[m.id for m in pictures], visibility="private"
    )
    assert [m.description for m in status.media_attachments] == ["green", "black"]
    assert status.visibility == "private"
    edited = mastodon.status_update(status.id, "Two cups of tea")
    assert edited.content == "<p>Two cups of tea</p>"
    assert len(edited.media_attachments) == 2
    assert [h.content for h in mastodon.status_history(status.id)] == [
        "<p>Two cups</p>",
        "<p>Two cups of tea</p>",
    ]
    mastodon.status_bookmark(status.id)
    assert [s.id for s in mastodon.bookmarks()] == [status.id]
    bob = make_user("bob")
    mastodon.account_follow(bob.pk)
    tea = mastodon.list_create("Tea people")
    mastodon.list_accounts_add(tea.id, [bob.pk])
    assert [a.username for a in mastodon.list_accounts(tea.id)] == ["bob"]
    oolong = actions.create_post(author=bob, text="Oolong is in")
    assert [int(s.id) for s in mastodon.timeline_list(tea.id)] == [oolong.pk]

    # A poll, and bob's vote in it.
    asked = mastodon.status_post(
        "Which tea?", poll=mastodon.make_poll(["Green", "Oolong", "Pu'er"], expires_in=3600)
    )
    assert [o.title for o in asked.poll.options] == ["Green", "Oolong", "Pu'er"]
    poll_actions.vote(user=bob, poll_id=int(asked.poll.id), choices=[1])
    counted = mastodon.poll(asked.poll.id)
    assert [o.votes_count for o in counted.options] == [0, 1, 0]
    assert counted.voted is True  # the author sees the results

    # The user stream, through the token the OAuth flow gave: a followed account's post and
    # a notification arrive as they happen.
    # (A session of its own: the test session reads each answer to its end, and a stream has
    # none.)
    listening = Mastodon(
        access_token=token, api_base_url=base, request_timeout=20, version_check_mode="none"
    )
    heard = Heard()
    stream = listening.stream_user(heard, run_async=True, timeout=20)
    try:
        deadline = time.monotonic() + 10
        while not stream.is_receiving() and time.monotonic() < deadline:
            time.sleep(0.05)
        actions.create_post(author=bob, text="Fresh oolong, live")
        assert heard.updates.get(timeout=10).content == "<p>Fresh oolong, live</p>"
        actions.like(user=bob, post_id=int(asked.id))
        notification = heard.notifications.get(timeout=10)
        assert (notification.type, notification.account.username) == ("favourite", "bob")
    finally:
        stream.close()

    # The person takes the access back in the settings page; the app is refused at once.
    page.goto(f"{base}/accounts/settings/apps/")
    row = page.locator("tr", has_text="Mastodon.py test")
    assert "read write follow" in row.inner_text()
    row.get_by_role("button", name="Revoke").click()
    page.get_by_text("Mastodon.py test can no longer use your account.").wait_for()
    assert not OAuthAccessToken.objects.exists()


def _toot(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(TOOT), *args], env=env, capture_output=True, text=True, timeout=120)


def _toot_env(live_server, user, tmp_path, scope: str = "read write follow"):
    """toot's config for ``user``, holding the token a completed authorization gives."""
    registered = requests.post(
        f"{live_server.url}/api/v1/apps",
        data={"client_name": "toot", "redirect_uris": OOB, "scopes": "read write follow"},
        timeout=20,
        headers={"Connection": "close"},
    ).json()
    application = Application.objects.get(client_id=registered["client_id"])
    token = OAuthAccessToken.objects.create(
        user=user,
        application=application,
        token=f"toot-oauth-access-token-{user.username}",
        scope=scope,
        expires=application.created.replace(year=application.created.year + 1),
    )
    instance = live_server.url.removeprefix("http://")
    config = {
        "apps": {
            instance: {
                "instance": instance,
                "base_url": live_server.url,
                "client_id": registered["client_id"],
                "client_secret": registered["client_secret"],
            }
        },
        "users": {
            f"{user.username}@{instance}": {
                "instance": instance,
                "username": user.username,
                "access_token": token.token,
            }
        },
        "active_user": f"{user.username}@{instance}",
    }
    (tmp_path / "toot").mkdir()
    (tmp_path / "toot" / "config.json").write_text(json.dumps(config))
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "NO_COLOR": "1",
        "COLUMNS": "120",
    }
    return env, token


def test_toot_posts_and_reads_the_timeline_with_an_oauth_token(live_server, make_user, tmp_path):
    alice = make_user("alice")
    env, token = _toot_env(live_server, alice, tmp_path)

    posted = _toot(env, "post", "tea from toot")
    assert posted.returncode == 0, posted.stderr
    assert "Toot posted" in posted.stdout
    post = Post.objects.get()
    assert (post.author_id, post.text) == (alice.pk, "tea from toot")

    timeline = _toot(env, "timeline", "--once")
    assert timeline.returncode == 0, timeline.stderr
    assert "tea from toot" in timeline.stdout
    assert "@alice" in timeline.stdout

    # A token without write:statuses cannot post, and toot says so.
    OAuthAccessToken.objects.filter(pk=token.pk).update(scope="read")
    refused = _toot(env, "post", "not allowed")
    assert refused.returncode != 0
    assert "This action is outside the authorized scopes" in refused.stderr + refused.stdout
    assert Post.objects.count() == 1


def _png(path: Path, colour: tuple[int, int, int]) -> Path:
    Image.new("RGB", (64, 48), colour).save(path, "PNG")
    return path


def test_toot_posts_pictures_bookmarks_and_keeps_lists_and_tags(live_server, make_user, tmp_path):
    alice, bob = make_user("alice"), make_user("bob")
    env, _token = _toot_env(live_server, alice, tmp_path)
    green, black = (
        _png(tmp_path / "green.png", (0, 128, 0)),
        _png(tmp_path / "black.png", (0, 0, 0)),
    )

    posted = _toot(
        env, "post", "Two cups #tea", "--media", str(green), "--media", str(black),
        "-d", "Green tea", "-d", "Black tea", "-v", "private",
    )  # fmt: skip
    assert posted.returncode == 0, posted.stderr
    post = Post.objects.get()
    assert (post.text, post.visibility) == ("Two cups #tea", "private")
    assert [m.description for m in post.media.order_by("position")] == ["Green tea", "Black tea"]

    bookmarked = _toot(env, "bookmark", str(post.pk))
    assert bookmarked.returncode == 0, bookmarked.stderr
    bookmarks = _toot(env, "bookmarks", "--once")
    assert bookmarks.returncode == 0, bookmarks.stderr
    assert "Two cups #tea" in bookmarks.stdout

    assert _toot(env, "follow", "bob").returncode == 0
    created = _toot(env, "lists", "create", "Tea people")
    assert created.returncode == 0, created.stderr
    added = _toot(env, "lists", "add", "Tea people", "bob")
    assert added.returncode == 0, added.stderr + added.stdout
    listed = _toot(env, "lists", "list")
    assert "Tea people" in listed.stdout, listed.stderr
    members = _toot(env, "lists", "accounts", "Tea people")
    assert "@bob" in members.stdout, members.stderr

    followed = _toot(env, "tags", "follow", "tea")
    assert followed.returncode == 0, followed.stderr
    tags = _toot(env, "tags", "followed")
    assert "#tea" in tags.stdout, tags.stderr
    assert bob.pk in set(
        ListAccount.objects.filter(list__owner=alice).values_list("account_id", flat=True)
    )
