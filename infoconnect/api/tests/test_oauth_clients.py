"""Real Mastodon clients log in with OAuth against a live server: Mastodon.py through the
whole authorization-code flow in Chromium, and the toot CLI with the token it stores."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from mastodon import Mastodon
from oauth2_provider.models import AccessToken as OAuthAccessToken
from oauth2_provider.models import Application

from infoconnect.api.tests.test_mastodon_py import OneConnectionPerRequest
from infoconnect.social.models import Post

pytestmark = pytest.mark.django_db(transaction=True)

OOB = "urn:ietf:wg:oauth:2.0:oob"
SCOPES = ["read", "write", "follow"]
TOOT = Path(sys.executable).with_name("toot")


def _session() -> requests.Session:
    session = requests.Session()
    session.mount("http://", OneConnectionPerRequest())
    return session


@pytest.mark.browser
def test_mastodon_py_logs_in_through_the_authorize_page_and_posts(
    live_server, page, login, make_user
):
    make_user("alice")
    client_id, client_secret = Mastodon.create_app(
        "Mastodon.py test",
        scopes=SCOPES,
        redirect_uris=OOB,
        website="https://github.com/halcy/Mastodon.py",
        api_base_url=live_server.url,
        session=_session(),
        request_timeout=20,
    )
    mastodon = Mastodon(
        client_id=client_id,
        client_secret=client_secret,
        api_base_url=live_server.url,
        session=_session(),
        request_timeout=20,
        version_check_mode="none",
    )
    url = mastodon.auth_request_url(redirect_uris=OOB, scopes=SCOPES, allow_http=True)
    assert url.startswith(f"{live_server.url}/oauth/authorize?")

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

    # The person takes the access back in the settings page; the app is refused at once.
    page.goto("/accounts/settings/apps/")
    row = page.locator("tr", has_text="Mastodon.py test")
    assert "read write follow" in row.inner_text()
    row.get_by_role("button", name="Revoke").click()
    page.get_by_text("Mastodon.py test can no longer use your account.").wait_for()
    assert not OAuthAccessToken.objects.exists()


def _toot(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(TOOT), *args], env=env, capture_output=True, text=True, timeout=120)


def test_toot_posts_and_reads_the_timeline_with_an_oauth_token(live_server, make_user, tmp_path):
    alice = make_user("alice")
    registered = requests.post(
        f"{live_server.url}/api/v1/apps",
        data={"client_name": "toot", "redirect_uris": OOB, "scopes": "read write follow"},
        timeout=20,
        headers={"Connection": "close"},
    ).json()
    application = Application.objects.get(client_id=registered["client_id"])
    # The token a completed authorization gives; toot keeps it in its config file.
    token = OAuthAccessToken.objects.create(
        user=alice,
        application=application,
        token="toot-oauth-access-token",
        scope="read write follow",
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
            f"alice@{instance}": {
                "instance": instance,
                "username": "alice",
                "access_token": token.token,
            }
        },
        "active_user": f"alice@{instance}",
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
