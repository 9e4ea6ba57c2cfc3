"""Mastodon.py, a real Mastodon client library, driving a live InfoConnect server."""

import pytest
import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonNotFoundError,
    MastodonUnauthorizedError,
)
from requests.adapters import HTTPAdapter

pytestmark = pytest.mark.django_db(transaction=True)


class OneConnectionPerRequest(HTTPAdapter):
    """The test server closes connections on its own schedule; reusing one it is closing
    fails at random, so every request gets a fresh connection."""

    def send(self, request, **kwargs):
        request.headers["Connection"] = "close"
        response = super().send(request, **kwargs)
        response.content  # noqa: B018 - read the body before the connection goes
        self.close()
        return response


def _client(live_server, user=None) -> Mastodon:
    token = None
    if user is not None:
        from infoconnect.accounts.models import AccessToken
        from infoconnect.accounts.tokens import new_token_key

        token = new_token_key()
        AccessToken.objects.create(
            user=user, name="Mastodon.py", key_hash=AccessToken.hash_key(token), hint=token[:7]
        )
    session = requests.Session()
    session.mount("http://", OneConnectionPerRequest())
    return Mastodon(
        access_token=token, api_base_url=live_server.url, request_timeout=20, session=session
    )


def test_mastodon_py_drives_the_api(live_server, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    alice_app, bob_app = _client(live_server, alice), _client(live_server, bob)

    # The library reads the instance first and accepts our version.
    assert alice_app.retrieve_mastodon_version().startswith("4.3.0")

    me = alice_app.account_verify_credentials()
    assert (me.username, me.source.privacy) == ("alice", "public")

    found = bob_app.account_lookup("alice")
    assert bob_app.account_follow(found.id).following is True

    statuses = [alice_app.status_post(f"tea {n} #tea") for n in range(3)]
    reply = bob_app.status_post("lovely", in_reply_to_id=statuses[0].id)
    assert reply.in_reply_to_account_id == me.id

    home = bob_app.timeline_home(limit=2)
    assert [s.id for s in home] == [statuses[2].id, statuses[1].id]
    # Mastodon.py follows our Link header to the next page.
    older = bob_app.fetch_next(home)
    assert [s.id for s in older] == [statuses[0].id]

    assert bob_app.status_favourite(statuses[2].id).favourited is True
    assert bob_app.status_reblog(statuses[1].id).reblog.id == statuses[1].id

    notifications = alice_app.notifications()
    assert [(n.type, n.account.username) for n in notifications] == [
        ("reblog", "bob"),
        ("favourite", "bob"),
        ("mention", "bob"),
        ("follow", "bob"),
    ]
    assert notifications[1].status.id == statuses[2].id

    context = alice_app.status_context(statuses[0].id)
    assert [s.id for s in context.descendants] == [reply.id]
    assert [t.name for t in alice_app.search_v2("tea", result_type="hashtags").hashtags] == ["tea"]
    assert len(_client(live_server).timeline_hashtag("tea")) == 3

    deleted = alice_app.status_delete(statuses[0].id)
    assert deleted.text == "tea 0 #tea"
    with pytest.raises(MastodonNotFoundError):
        alice_app.status(statuses[0].id)
    with pytest.raises(MastodonAPIError) as forbidden:
        bob_app.status_delete(statuses[1].id)
    assert forbidden.value.args[1] == 403
    with pytest.raises(MastodonUnauthorizedError):
        _client(live_server).timeline_home()
