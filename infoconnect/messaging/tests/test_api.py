"""The messaging API: campaigns, conversations, marketing preferences."""

import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from infoconnect.messaging.models import Campaign, Message, Receipt
from infoconnect.shop.tests.conftest import png_bytes
from infoconnect.social.models import Follow

pytestmark = pytest.mark.django_db


def post(client, path, data=None, **headers):
    return client.post(
        path, data=json.dumps(data or {}), content_type="application/json", headers=headers
    )


def test_campaign_flow_over_the_api(api_client, committed, merchant, followers):
    client = api_client(merchant)
    created = post(
        client,
        "/api/v1/campaigns",
        {"title": "Spring sale", "body": "20% off", "link_url": "https://shop.example.com/s"},
    )
    assert created.status_code == 201, created.content
    campaign_id = created.json()["id"]
    assert created.json()["state"] == "draft"

    patched = client.patch(
        f"/api/v1/campaigns/{campaign_id}",
        data=json.dumps({"audience": {"regions": ["SH"]}}),
        content_type="application/json",
    )
    assert patched.json()["audience"] == {"regions": ["SH"]}

    estimate = post(client, f"/api/v1/campaigns/{campaign_id}/estimate").json()
    assert estimate == {
        "targeted": 5,
        "recipients": 5,
        "skipped": {"muted": 0, "unsubscribed": 0, "blocked": 0, "capped": 0, "inactive": 0},
        "price_per_message_fen": 1,
        "cost_fen": 5,
        "hold_fen": 5,
        "currency": "CNY",
    }
    test = post(client, f"/api/v1/campaigns/{campaign_id}/test")
    assert test.status_code == 201
    assert test.json()["campaign_title"] == "Spring sale"

    missing_key = post(client, f"/api/v1/campaigns/{campaign_id}/send")
    assert (missing_key.status_code, missing_key.json()["code"]) == (
        400,
        "idempotency_key_missing",
    )
    with committed():
        first = post(client, f"/api/v1/campaigns/{campaign_id}/send", **{"Idempotency-Key": "k1"})
    with committed():
        again = post(client, f"/api/v1/campaigns/{campaign_id}/send", **{"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert Message.objects.filter(campaign_id=campaign_id, is_test=False).count() == 1

    stats = client.get(f"/api/v1/campaigns/{campaign_id}/stats").json()
    assert stats["state"] == "sent"
    assert (stats["targeted"], stats["delivered"], stats["billable_fen"]) == (5, 5, 5)
    assert stats["skipped"] == {
        "muted": 0,
        "unsubscribed": 0,
        "blocked": 0,
        "capped": 0,
        "inactive": 0,
    }
    assert [c["id"] for c in client.get("/api/v1/campaigns").json()] == [campaign_id]

    cancel = post(client, f"/api/v1/campaigns/{campaign_id}/cancel")
    assert (cancel.status_code, cancel.json()["code"]) == (409, "campaign_not_cancellable")


def test_schedule_and_cancel_over_the_api(api_client, merchant, campaign):
    client = api_client(merchant)
    when = (timezone.now() + timedelta(days=1)).isoformat()
    scheduled = post(client, f"/api/v1/campaigns/{campaign.pk}/schedule", {"scheduled_at": when})
    assert scheduled.json()["state"] == "scheduled"
    late = post(
        client,
        f"/api/v1/campaigns/{campaign.pk}/schedule",
        {"scheduled_at": (timezone.now() - timedelta(days=1)).isoformat()},
    )
    assert (late.status_code, late.json()["code"]) == (422, "schedule_in_past")
    cancelled = post(client, f"/api/v1/campaigns/{campaign.pk}/cancel")
    assert cancelled.json()["state"] == "cancelled"


def test_merchants_see_only_their_own_campaigns(api_client, make_user, merchant, campaign):
    from infoconnect.messaging import actions

    rival = make_user("rival", kind="merchant", verified=True)
    actions.enrol_merchant(merchant=rival)
    client = api_client(rival)
    for response in (
        client.get(f"/api/v1/campaigns/{campaign.pk}"),
        client.get(f"/api/v1/campaigns/{campaign.pk}/stats"),
        post(client, f"/api/v1/campaigns/{campaign.pk}/estimate"),
        post(client, f"/api/v1/campaigns/{campaign.pk}/cancel"),
        post(client, f"/api/v1/campaigns/{campaign.pk}/send", **{"Idempotency-Key": "x"}),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "campaign_not_found")
    assert client.get("/api/v1/campaigns").json() == []
    assert api_client().get(f"/api/v1/campaigns/{campaign.pk}/stats").status_code == 401
    campaign.refresh_from_db()
    assert campaign.state == "draft"


def test_people_and_unenrolled_merchants_cannot_create_campaigns(api_client, make_user):
    person = api_client(make_user("bob"))
    response = post(person, "/api/v1/campaigns", {"title": "x", "body": "y"})
    assert (response.status_code, response.json()["code"]) == (403, "not_merchant")
    outsider = api_client(make_user("shop2", kind="merchant", verified=True))
    response = post(outsider, "/api/v1/campaigns", {"title": "x", "body": "y"})
    assert (response.status_code, response.json()["code"]) == (403, "not_enrolled")
    assert Campaign.objects.count() == 0


def test_bad_campaign_input_over_the_api(api_client, merchant):
    client = api_client(merchant)
    for payload, code in (
        ({"body": "no title"}, "validation_error"),
        ({"title": "x", "body": "y", "audience": {"regions": ["ZZ"]}}, "invalid_audience"),
        ({"title": "x", "body": "y", "link_url": "not a url"}, "invalid_campaign"),
        ({"title": "x", "body": "y" * 2001}, "invalid_message"),
    ):
        response = post(client, "/api/v1/campaigns", payload)
        assert response.status_code == 422, payload
        assert response.json()["code"] == code
    assert client.get("/api/v1/campaigns/abc/stats").status_code in (404, 422)
    assert Campaign.objects.count() == 0


def test_conversations_over_the_api(api_client, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    a, b = api_client(alice), api_client(bob)
    sent = post(a, f"/api/v1/inbox/conversations/{bob.pk}/messages", {"body": "<b>hi</b>"})
    assert sent.status_code == 201
    assert sent.json()["body"] == "<b>hi</b>"
    listing = b.get("/api/v1/inbox/conversations").json()
    assert [(c["account"]["username"], c["unread"], c["preview"]) for c in listing] == [
        ("alice", 1, "<b>hi</b>")
    ]
    assert b.get(f"/api/v1/inbox/conversations/{alice.pk}").json()["unread"] == 1
    assert b.get("/api/v1/inbox/conversations/unread_count").json() == {"unread": 1}
    messages = b.get(f"/api/v1/inbox/conversations/{alice.pk}/messages").json()
    assert [m["body"] for m in messages] == ["<b>hi</b>"]
    assert post(b, f"/api/v1/inbox/conversations/{alice.pk}/read").json() == {"unread": 0}
    # Nobody reads another's inbox: carol sees nothing of alice and bob.
    carol = api_client(make_user("carol"))
    assert carol.get("/api/v1/inbox/conversations").json() == []
    assert carol.get(f"/api/v1/inbox/conversations/{alice.pk}/messages").json() == []
    empty = post(a, f"/api/v1/inbox/conversations/{bob.pk}/messages", {"body": ""})
    assert (empty.status_code, empty.json()["code"]) == (422, "invalid_message")
    missing = post(a, "/api/v1/inbox/conversations/99999/messages", {"body": "x"})
    assert (missing.status_code, missing.json()["code"]) == (404, "recipient_not_found")
    assert api_client().get("/api/v1/inbox/conversations").status_code == 401


def test_rate_limit_is_a_429(api_client, make_user):
    sender = make_user("chatty")
    client = api_client(sender)
    people = [make_user(f"p{i:02d}") for i in range(31)]
    for person in people[:30]:
        assert (
            post(
                client, f"/api/v1/inbox/conversations/{person.pk}/messages", {"body": "hi"}
            ).status_code
            == 201
        )
    response = post(client, f"/api/v1/inbox/conversations/{people[30].pk}/messages", {"body": "hi"})
    assert (response.status_code, response.json()["code"]) == (429, "conversation_rate_limited")


def test_campaign_message_actions_over_the_api(
    api_client, committed, merchant, followers, campaign
):
    from infoconnect.messaging import actions

    with committed():
        actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    fan = api_client(followers[0])
    [message] = fan.get(f"/api/v1/inbox/conversations/{merchant.pk}/messages").json()
    assert (message["campaign_title"], message["read"]) == ("Spring sale", False)
    assert message["click_url"].startswith("/messages/c/")
    clicked = fan.get(message["click_url"])
    assert (clicked.status_code, clicked["Location"]) == (302, "https://shop.example.com/spring")
    unsubscribed = post(
        fan, f"/api/v1/inbox/conversations/{merchant.pk}/messages/{message['id']}/unsubscribe"
    )
    assert unsubscribed.json()["accepts_marketing"] is False
    reported = post(
        fan, f"/api/v1/inbox/conversations/{merchant.pk}/messages/{message['id']}/report"
    )
    assert reported.json() == {"reported": True}
    wrong = post(
        fan, f"/api/v1/inbox/conversations/{followers[1].pk}/messages/{message['id']}/report"
    )
    assert wrong.status_code == 404
    stats = api_client(merchant).get(f"/api/v1/campaigns/{campaign.pk}/stats").json()
    assert (stats["read"], stats["clicked"], stats["unsubscribed"], stats["reported"]) == (
        1,
        1,
        1,
        1,
    )
    flags = Receipt.objects.get(recipient_id=followers[0].pk, message_id=message["id"]).flags
    assert flags == 15


def test_marketing_preferences_over_the_api(api_client, merchant, followers, make_user):
    fan = api_client(followers[0])
    response = fan.put(
        f"/api/v1/marketing_preferences/{merchant.pk}",
        data=json.dumps({"accepts_marketing": False}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["accepts_marketing"] is False
    listing = fan.get("/api/v1/marketing_preferences").json()
    assert [(p["merchant"]["username"], p["accepts_marketing"]) for p in listing] == [
        ("acme", False)
    ]
    assert Follow.objects.filter(follower=followers[0], target=merchant).exists()
    person = make_user("notashop")
    bad = fan.put(
        f"/api/v1/marketing_preferences/{person.pk}",
        data=json.dumps({"accepts_marketing": False}),
        content_type="application/json",
    )
    assert (bad.status_code, bad.json()["code"]) == (404, "recipient_not_found")
    invalid = fan.put(
        f"/api/v1/marketing_preferences/{merchant.pk}",
        data=json.dumps({"accepts_marketing": "perhaps"}),
        content_type="application/json",
    )
    assert invalid.status_code == 422


def test_openapi_lists_the_messaging_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/campaigns/{campaign_id}/send",
        "/api/v1/campaigns/{campaign_id}/stats",
        "/api/v1/campaigns/{campaign_id}/image",
        "/api/v1/inbox/conversations/{account_id}/messages",
        "/api/v1/marketing_preferences/{merchant_id}",
        "/api/v1/follower_tags",
        "/api/v1/follower_tags/{account_id}",
    ):
        assert path in paths


# ---------------------------------------------------------------- campaign image


def _png(name: str = "spring.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def _campaign_files(settings) -> list[str]:
    folder = settings.MEDIA_ROOT / "campaigns"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_campaign_image_over_the_api(settings, api_client, committed, merchant, campaign):
    client = api_client(merchant)
    with committed():
        uploaded = client.post(f"/api/v1/campaigns/{campaign.pk}/image", {"file": _png()})
    assert uploaded.status_code == 200, uploaded.content
    first = uploaded.json()["image_url"]
    # Stored under a name of its own, never the uploaded one.
    assert re.fullmatch(r"/media/campaigns/[0-9a-f]{24}\.png", first)
    assert client.get(f"/api/v1/campaigns/{campaign.pk}").json()["image_url"] == first
    assert _campaign_files(settings) == [first.rsplit("/", 1)[1]]
    # Replacing it leaves only the new file.
    with committed():
        replaced = client.post(
            f"/api/v1/campaigns/{campaign.pk}/image", {"file": _png("summer.png")}
        )
    second = replaced.json()["image_url"]
    assert second != first
    assert _campaign_files(settings) == [second.rsplit("/", 1)[1]]
    # The web page shows the image the API attached.
    web = Client()
    web.force_login(merchant)
    page = web.get(f"/messages/campaigns/{campaign.pk}/").content.decode()
    assert f'<img src="{second}"' in page
    with committed():
        removed = client.delete(f"/api/v1/campaigns/{campaign.pk}/image")
    assert (removed.status_code, removed.json()["image_url"]) == (200, None)
    assert _campaign_files(settings) == []
    campaign.refresh_from_db()
    assert campaign.image.name == ""
    # Removing it again is harmless.
    assert client.delete(f"/api/v1/campaigns/{campaign.pk}/image").json()["image_url"] is None


def test_campaign_image_must_be_an_image(settings, api_client, merchant, campaign):
    client = api_client(merchant)
    for upload in (
        SimpleUploadedFile("x.png", b"not an image", content_type="image/png"),
        SimpleUploadedFile("x.png", b"", content_type="image/png"),
    ):
        response = client.post(f"/api/v1/campaigns/{campaign.pk}/image", {"file": upload})
        assert (response.status_code, response.json()["code"]) == (422, "invalid_image")
    missing = client.post(f"/api/v1/campaigns/{campaign.pk}/image", {})
    assert missing.status_code == 422
    bad = client.post(
        f"/api/v1/campaigns/{campaign.pk}/image",
        {"file": SimpleUploadedFile("x.png", b"not an image", content_type="image/png")},
    )
    assert bad.json()["error"] == "Upload a valid image."
    in_chinese = client.post(
        f"/api/v1/campaigns/{campaign.pk}/image",
        {"file": SimpleUploadedFile("x.png", b"not an image", content_type="image/png")},
        headers={"Accept-Language": "zh-hans"},
    )
    assert in_chinese.json() == {
        "error": "请上传有效的图片。",
        "code": "invalid_image",
    }
    campaign.refresh_from_db()
    assert campaign.image.name == ""
    assert _campaign_files(settings) == []


def test_campaign_image_only_on_a_draft(settings, api_client, committed, merchant, campaign):
    from infoconnect.messaging import actions

    client = api_client(merchant)
    with committed():
        client.post(f"/api/v1/campaigns/{campaign.pk}/image", {"file": _png()})
    stored = Campaign.objects.get(pk=campaign.pk).image.name
    with committed():
        actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    for response in (
        client.post(f"/api/v1/campaigns/{campaign.pk}/image", {"file": _png("late.png")}),
        client.delete(f"/api/v1/campaigns/{campaign.pk}/image"),
    ):
        assert (response.status_code, response.json()["code"]) == (409, "campaign_not_draft")
    campaign.refresh_from_db()
    assert campaign.image.name == stored
    assert _campaign_files(settings) == [stored.removeprefix("campaigns/")]


def test_campaign_image_only_by_its_merchant(
    settings, api_client, committed, make_user, merchant, campaign
):
    from infoconnect.messaging import actions

    api_client(merchant).post(f"/api/v1/campaigns/{campaign.pk}/image", {"file": _png()})
    stored = Campaign.objects.get(pk=campaign.pk).image.name
    rival = make_user("rival", kind="merchant", verified=True)
    actions.enrol_merchant(merchant=rival)
    for client in (api_client(rival), api_client(make_user("bob"))):
        for response in (
            client.post(f"/api/v1/campaigns/{campaign.pk}/image", {"file": _png("x.png")}),
            # Even a file that is not an image: the campaign is not found first.
            client.post(
                f"/api/v1/campaigns/{campaign.pk}/image",
                {"file": SimpleUploadedFile("y.png", b"nope", content_type="image/png")},
            ),
            client.delete(f"/api/v1/campaigns/{campaign.pk}/image"),
        ):
            assert (response.status_code, response.json()["code"]) == (404, "campaign_not_found")
    anonymous = api_client().post(f"/api/v1/campaigns/{campaign.pk}/image", {"file": _png()})
    assert anonymous.status_code == 401
    campaign.refresh_from_db()
    assert campaign.image.name == stored
    assert _campaign_files(settings) == [stored.removeprefix("campaigns/")]


@pytest.mark.parametrize("huge", [2**63, 2**70])
def test_ids_no_row_can_have_are_not_found(api_client, merchant, followers, campaign, huge):
    """Every messaging path answers an id beyond the databases' range with a 404 and a code."""
    fan = api_client(followers[0])
    shop = api_client(merchant)
    calls = [
        (shop, "get", f"/api/v1/campaigns/{huge}", "campaign_not_found"),
        (shop, "patch", f"/api/v1/campaigns/{huge}", "campaign_not_found"),
        (shop, "post", f"/api/v1/campaigns/{huge}/estimate", "campaign_not_found"),
        (shop, "post", f"/api/v1/campaigns/{huge}/test", "campaign_not_found"),
        (shop, "post", f"/api/v1/campaigns/{huge}/cancel", "campaign_not_found"),
        (shop, "get", f"/api/v1/campaigns/{huge}/stats", "campaign_not_found"),
        (fan, "get", f"/api/v1/inbox/conversations/{huge}", "recipient_not_found"),
        (fan, "get", f"/api/v1/inbox/conversations/{huge}/messages", "recipient_not_found"),
        (fan, "post", f"/api/v1/inbox/conversations/{huge}/messages", "recipient_not_found"),
        (fan, "post", f"/api/v1/inbox/conversations/{huge}/read", "recipient_not_found"),
        (
            fan,
            "post",
            f"/api/v1/inbox/conversations/{huge}/messages/1/unsubscribe",
            "message_not_found",
        ),
        (fan, "post", f"/api/v1/inbox/conversations/{huge}/messages/1/report", "message_not_found"),
        (
            fan,
            "post",
            f"/api/v1/inbox/conversations/{merchant.pk}/messages/{huge}/report",
            "message_not_found",
        ),
        (fan, "put", f"/api/v1/marketing_preferences/{huge}", "recipient_not_found"),
    ]
    bodies = {"patch": {"title": "x"}, "put": {"accepts_marketing": False}}
    for client, method, path, code in calls:
        if method == "get":
            response = client.get(path)
        else:
            body = json.dumps(bodies.get(method, {"body": "hi"}))
            response = getattr(client, method)(path, data=body, content_type="application/json")
        assert (response.status_code, response.json()["code"]) == (404, code), path
    campaign.refresh_from_db()
    assert (campaign.state, campaign.title) == ("draft", "Spring sale")


def test_misspelt_campaign_fields_are_refused(api_client, merchant, followers, campaign):
    """A field the API does not know is an error, never silently 'every follower'."""
    client = api_client(merchant)
    typo = post(
        client,
        "/api/v1/campaigns",
        {"title": "Shanghai only", "body": "Hi", "audience": {"region": ["SH"]}},
    )
    assert (typo.status_code, typo.json()["code"]) == (422, "validation_error")
    assert typo.json()["fields"] == {"audience.region": ["Extra inputs are not permitted"]}
    outer = post(
        client, "/api/v1/campaigns", {"title": "Shanghai only", "body": "Hi", "audiense": {}}
    )
    assert (outer.status_code, list(outer.json()["fields"])) == (422, ["audiense"])
    patched = client.patch(
        f"/api/v1/campaigns/{campaign.pk}",
        data=json.dumps({"audience": {"tags": ["vip"], "bought": True}}),
        content_type="application/json",
    )
    assert (patched.status_code, patched.json()["code"]) == (422, "validation_error")
    assert Campaign.objects.count() == 1
    campaign.refresh_from_db()
    assert campaign.audience == {}
    good = post(
        client,
        "/api/v1/campaigns",
        {"title": "Shanghai only", "body": "Hi", "audience": {"regions": ["SH"]}},
    )
    assert (good.status_code, good.json()["audience"]) == (201, {"regions": ["SH"]})


def test_follower_tags_over_the_api_make_a_segment(api_client, make_user, merchant, followers):
    client = api_client(merchant)
    fan, other = followers[0], followers[1]

    def put(account_id, tags, as_client=client):
        return as_client.put(
            f"/api/v1/follower_tags/{account_id}",
            data=json.dumps({"tags": tags}),
            content_type="application/json",
        )

    tagged = put(fan.pk, ["VIP", " tea ", "vip"])
    assert (tagged.status_code, tagged.json()) == (
        200,
        {"account_id": fan.pk, "tags": ["tea", "vip"]},
    )
    assert put(other.pk, ["vip"]).status_code == 200
    assert client.get(f"/api/v1/follower_tags/{fan.pk}").json() == {
        "account_id": fan.pk,
        "tags": ["tea", "vip"],
    }
    assert client.get("/api/v1/follower_tags").json() == [
        {"tag": "tea", "followers": 1},
        {"tag": "vip", "followers": 2},
    ]
    # Setting replaces: what is left out is taken off.
    assert put(fan.pk, ["tea"]).json()["tags"] == ["tea"]
    campaign = post(
        client, "/api/v1/campaigns", {"title": "VIPs", "body": "Hi", "audience": {"tags": ["vip"]}}
    ).json()
    estimate = post(client, f"/api/v1/campaigns/{campaign['id']}/estimate").json()
    assert estimate["recipients"] == 1

    for tags, code in [
        (["x" * 31], "invalid_audience"),
        ([""], "invalid_audience"),
        ([f"t{n}" for n in range(21)], "invalid_audience"),
        ("vip", "validation_error"),
    ]:
        refused = put(fan.pk, tags)
        assert (refused.status_code, refused.json()["code"]) == (422, code)
    extra = client.put(
        f"/api/v1/follower_tags/{fan.pk}",
        data=json.dumps({"tags": [], "tag": "x"}),
        content_type="application/json",
    )
    assert (extra.status_code, extra.json()["code"]) == (422, "validation_error")
    stranger = make_user("stranger")
    for account_id, status, code in [
        (stranger.pk, 404, "recipient_not_found"),
        (2**63, 404, "recipient_not_found"),
        (2**70, 404, "recipient_not_found"),
    ]:
        refused = put(account_id, ["vip"])
        assert (refused.status_code, refused.json()["code"]) == (status, code)
        assert client.get(f"/api/v1/follower_tags/{account_id}").status_code == (
            200 if account_id == stranger.pk else 404
        )
    # A person has no followers to tag; a rival merchant sees none of these tags.
    person = api_client(fan)
    for response in (
        person.get("/api/v1/follower_tags"),
        person.get(f"/api/v1/follower_tags/{other.pk}"),
        put(other.pk, ["vip"], as_client=person),
    ):
        assert (response.status_code, response.json()["code"]) == (403, "not_merchant")
    rival = make_user("rival", kind="merchant", verified=True)
    assert api_client(rival).get("/api/v1/follower_tags").json() == []
    assert api_client(rival).get(f"/api/v1/follower_tags/{fan.pk}").json()["tags"] == []
    refused = put(fan.pk, ["vip"], as_client=api_client(rival))
    assert (refused.status_code, refused.json()["code"]) == (404, "recipient_not_found")
    assert client.get(f"/api/v1/follower_tags/{fan.pk}").json()["tags"] == ["tea"]
    assert Client().get("/api/v1/follower_tags").status_code == 401
