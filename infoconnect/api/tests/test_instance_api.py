"""/api/v1/instance, /api/v2/instance and NodeInfo: what a client reads first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.api.instance import MASTODON_VERSION, SOFTWARE_VERSION
from infoconnect.api.tests.conftest import ACCOUNT_FIELDS, BASE
from infoconnect.social.models import Post

pytestmark = pytest.mark.django_db

ICON = f"{BASE}/static/api/instance-icon.png"
LIMITS = {
    "statuses": {
        "max_characters": 2000,
        "max_media_attachments": 9,
        "characters_reserved_per_url": 0,
    },
    "media_attachments": {
        "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
        "image_size_limit": 10485760,
        "image_matrix_limit": 12000000,
        "description_limit": 1500,
        "video_size_limit": 0,
        "video_frame_rate_limit": 0,
        "video_matrix_limit": 0,
    },
    "accounts": {"max_featured_tags": 0},
    "polls": {
        "max_options": 4,
        "max_characters_per_option": 50,
        "min_expiration": 300,
        "max_expiration": 2_592_000,
    },
}


@pytest.fixture
def site(make_user, make_post):
    """Three people (one who last posted three months ago, one deactivated) and three posts."""
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    make_post(alice, "one")
    make_post(alice, "two")
    old = make_post(bob, "long ago")
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=100))
    gone = make_user("gone", is_active=False)
    make_post(gone, "hidden")
    return alice, bob, carol


def test_instance_v1_is_complete(site, api_client):
    response = api_client().get("/api/v1/instance")

    assert response.status_code == 200
    assert response.json() == {
        "uri": "testserver",
        "title": "InfoConnect",
        "short_description": "A microblog where merchants meet their followers.",
        "description": "A microblog where merchants meet their followers.",
        "email": "",
        "version": MASTODON_VERSION,
        "urls": {"streaming_api": "ws://testserver"},
        "stats": {"user_count": 3, "status_count": 3, "domain_count": 0},
        "thumbnail": ICON,
        "languages": ["en", "zh"],
        "registrations": True,
        "approval_required": False,
        "invites_enabled": False,
        "configuration": LIMITS,
        "contact_account": None,
        "rules": [],
    }
    assert api_client().get("/api/v1/instance/").json() == response.json()


def test_instance_v2_is_complete(site, api_client, settings):
    settings.INSTANCE_CONTACT_EMAIL = "help@example.com"
    settings.INSTANCE_CONTACT_USERNAME = "Alice"

    body = api_client().get("/api/v2/instance", secure=True).json()

    contact = body["contact"].pop("account")
    assert set(contact) == ACCOUNT_FIELDS and contact["username"] == "alice"
    icon = ICON.replace("http:", "https:")
    assert body == {
        "domain": "testserver",
        "title": "InfoConnect",
        "version": MASTODON_VERSION,
        "source_url": "",
        "description": "A microblog where merchants meet their followers.",
        # Alice posted this month; Bob three months ago.
        "usage": {"users": {"active_month": 1}},
        "thumbnail": {"url": icon, "blurhash": None, "versions": {}},
        "icon": [{"src": icon, "size": "512x512"}],
        "languages": ["en", "zh"],
        "configuration": {
            **LIMITS,
            "urls": {"streaming": "wss://testserver", "status": None},
            "translation": {"enabled": False},
        },
        "registrations": {
            "enabled": True,
            "approval_required": False,
            "message": None,
            "url": "https://testserver/accounts/signup/",
        },
        "contact": {"email": "help@example.com"},
        "rules": [],
        "api_versions": {"mastodon": 2},
    }


def test_an_unknown_contact_account_is_none(site, api_client, settings):
    settings.INSTANCE_CONTACT_USERNAME = "nobody"
    assert api_client().get("/api/v2/instance").json()["contact"]["account"] is None


def test_nodeinfo_is_linked_and_counts_usage(site, api_client):
    links = api_client().get("/.well-known/nodeinfo")

    assert links.status_code == 200
    assert links["Access-Control-Allow-Origin"] == "*"
    assert links.json() == {
        "links": [
            {
                "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                "href": f"{BASE}/nodeinfo/2.0",
            }
        ]
    }
    response = api_client().get("/nodeinfo/2.0")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.0#"'
    )
    assert response.json() == {
        "version": "2.0",
        "software": {"name": "infoconnect", "version": SOFTWARE_VERSION},
        "protocols": [],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": True,
        "usage": {
            "users": {"total": 3, "activeMonth": 1, "activeHalfyear": 2},
            "localPosts": 3,
        },
        "metadata": {"nodeName": "InfoConnect"},
    }


def test_nodeinfo_is_read_only(api_client):
    assert api_client().post("/nodeinfo/2.0").status_code == 405
    assert api_client().post("/.well-known/nodeinfo").status_code == 405


def test_a_login_counts_as_activity(make_user, api_client):
    make_user("dora", last_login=timezone.now() - timedelta(days=3))
    make_user("ed", last_login=timezone.now() - timedelta(days=90))

    users = api_client().get("/nodeinfo/2.0").json()["usage"]["users"]

    assert users == {"total": 2, "activeMonth": 1, "activeHalfyear": 2}
