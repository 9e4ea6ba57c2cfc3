"""The web pages: inbox, badge, conversation, campaign pages, CSV export, click redirect."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infoconnect.core.models import IdempotencyRecord, PlatformSettings
from infoconnect.messaging import actions, selectors
from infoconnect.messaging.models import (
    Campaign,
    CampaignActivity,
    FollowerTag,
    MarketingPreference,
    Message,
)
from infoconnect.social.models import Mute

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_header_links_to_the_inbox_with_a_polled_badge(make_user):
    alice, bob = make_user("alice"), make_user("bob")
    actions.send_message(sender=alice, recipient_id=bob.pk, body="hi")
    client = client_for(bob)
    page = client.get("/messages/").content.decode()
    assert 'id="nav-messages"' in page
    assert 'hx-get="/messages/badge/"' in page
    assert 'hx-trigger="load, ic-messages from:body, ic-poll from:body"' in page
    assert client.get("/messages/?before=2026-13-45T99:00").status_code == 200
    badge = client.get("/messages/badge/").content.decode()
    assert '<span class="badge" id="messages-badge" data-testid="messages-badge">1</span>' in badge
    assert client_for(alice).get("/messages/badge/").content.decode().strip() == ""


def test_conversation_page_marks_read_and_replies(make_user):
    alice, bob = make_user("alice"), make_user("bob")
    actions.send_message(sender=alice, recipient_id=bob.pk, body="<script>x</script>")
    client = client_for(bob)
    page = client.get("/messages/@alice/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x</script>" not in html
    assert selectors.unread_total(user=bob) == 0
    reply = client.post("/messages/@alice/", {"body": "Hello back"})
    assert reply.status_code == 302
    assert Message.objects.filter(sender=bob, body="Hello back").exists()
    empty = client.post("/messages/@alice/", {"body": ""})
    assert empty.status_code == 422
    assert "Write a message of 1 to 2,000 characters." in empty.content.decode()


def test_campaign_message_page_unsubscribe_report_and_click(
    committed, merchant, followers, campaign
):
    with committed():
        actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    fan = followers[0]
    client = client_for(fan)
    html = client.get("/messages/").content.decode()
    assert "Campaign: Spring sale" in html
    html = client.get("/messages/@acme/").content.decode()
    assert "Everything 20% off this week." in html
    # A token carries the second it was signed, so read the page's own link back.
    [token] = re.findall(r'href="/messages/c/([^/"]+)/"', html)
    assert selectors.read_click_token(token) == (fan.pk, campaign.message_id)
    redirect = Client().get(f"/messages/c/{token}/")
    assert (redirect.status_code, redirect["Location"]) == (302, "https://shop.example.com/spring")
    forged = signing.dumps([fan.pk, campaign.message_id], salt="other")
    assert Client().get(f"/messages/c/{forged}/").status_code == 404
    response = client.post(f"/messages/m/{campaign.message_id}/unsubscribe/")
    assert response.status_code == 302
    assert (
        MarketingPreference.objects.get(follower=fan, merchant=merchant).accepts_marketing is False
    )
    client.post(f"/messages/m/{campaign.message_id}/report/", {"next": "/messages/@acme/"})
    campaign.refresh_from_db()
    assert (campaign.read, campaign.clicked, campaign.unsubscribed, campaign.reported) == (
        1,
        1,
        1,
        1,
    )
    html = client.get("/messages/@acme/").content.decode()
    assert "Unsubscribed" in html and "Reported" in html


def test_campaign_pages_for_the_merchant(committed, merchant, followers):
    client = client_for(merchant)
    assert client.get("/messages/campaigns/").status_code == 200
    created = client.post(
        "/messages/campaigns/new/",
        {
            "title": "Spring sale",
            "body": "20% off",
            "link_url": "https://shop.example.com/s",
            "regions": ["SH"],
            "tags": "",
        },
    )
    campaign = Campaign.objects.get()
    assert created["Location"] == f"/messages/campaigns/{campaign.pk}/"
    page = client.get(f"/messages/campaigns/{campaign.pk}/").content.decode()
    assert f'hx-get="/messages/campaigns/{campaign.pk}/estimate/"' in page
    estimate = client.get(f"/messages/campaigns/{campaign.pk}/estimate/").content.decode()
    assert "Estimated recipients: 5 · estimated cost: ¥0.05" in estimate
    client.post(f"/messages/campaigns/{campaign.pk}/test/")
    assert Message.objects.filter(campaign=campaign, is_test=True).count() == 1
    key = "6f1c1e0e-4a7b-4a43-9c0f-3b1b7a4c2d11"
    with committed():
        client.post(f"/messages/campaigns/{campaign.pk}/send/", {"idempotency_key": key})
    with committed():
        client.post(f"/messages/campaigns/{campaign.pk}/send/", {"idempotency_key": key})
    assert IdempotencyRecord.objects.filter(key=key).count() == 1
    campaign.refresh_from_db()
    assert (campaign.state, campaign.delivered) == ("sent", 5)
    progress = client.get(f"/messages/campaigns/{campaign.pk}/progress/").content.decode()
    assert 'data-testid="stat-delivered">5<' in progress
    assert 'aria-valuenow="100"' in progress
    assert "hx-trigger" not in progress  # polling stops once sent
    csv = client.get(f"/messages/campaigns/{campaign.pk}/export.csv")
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    lines = csv.content.decode().splitlines()
    assert "Delivered,5" in lines and "Skipped: blocked,0" in lines
    assert "Cost of delivered messages,5,¥0.05" in lines


def test_sending_page_polls_progress(settings, merchant, followers, campaign):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    html = client_for(merchant).get(f"/messages/campaigns/{campaign.pk}/").content.decode()
    assert f'hx-get="/messages/campaigns/{campaign.pk}/progress/"' in html
    assert "Cancel campaign" in html


def test_campaign_pages_are_private(make_user, merchant, campaign):
    rival = make_user("rival", kind="merchant", verified=True)
    person = make_user("bob")
    for user in (rival, person):
        client = client_for(user)
        for path in ("", "progress/", "estimate/", "export.csv", "edit/"):
            assert client.get(f"/messages/campaigns/{campaign.pk}/{path}").status_code == 404
        assert client.post(f"/messages/campaigns/{campaign.pk}/cancel/").status_code == 404
    assert client_for(person).get("/messages/campaigns/").status_code == 404
    assert Client().get("/messages/").status_code == 302


def test_bad_campaign_form_shows_errors(merchant):
    response = client_for(merchant).post("/messages/campaigns/new/", {"title": "", "body": "x"})
    assert response.status_code == 400
    assert Campaign.objects.count() == 0


def test_followers_page_tags(merchant, followers):
    client = client_for(merchant)
    client.post("/messages/campaigns/followers/", {"follower": followers[0].pk, "tag": "VIP"})
    assert list(FollowerTag.objects.values_list("tag", flat=True)) == ["vip"]
    assert "vip ×" in client.get("/messages/campaigns/followers/").content.decode()
    client.post(
        "/messages/campaigns/followers/", {"follower": followers[0].pk, "tag": "vip", "remove": "1"}
    )
    assert FollowerTag.objects.count() == 0


@pytest.mark.parametrize("follower", [str(2**63), str(2**70), "-1", "x"])
def test_followers_page_refuses_ids_of_nobody(merchant, followers, follower):
    client = client_for(merchant)
    added = client.post(
        "/messages/campaigns/followers/", {"follower": follower, "tag": "vip"}, follow=True
    )
    assert added.status_code == 200
    assert "Enter a tag of 1 to 30 characters for one of your followers." in (
        added.content.decode()
    )
    # Taking off a tag nobody has is no error.
    removed = client.post(
        "/messages/campaigns/followers/", {"follower": follower, "tag": "vip", "remove": "1"}
    )
    assert (removed.status_code, removed["Location"]) == (
        302,
        "/messages/campaigns/followers/?page=1",
    )
    assert FollowerTag.objects.count() == 0


def test_preferences_page(merchant, followers):
    client = client_for(followers[0])
    assert "Marketing on" in client.get("/messages/preferences/").content.decode()
    client.post("/messages/preferences/", {"merchant": merchant.pk, "accepts_marketing": "0"})
    assert "Marketing off" in client.get("/messages/preferences/").content.decode()


def test_compose_form_attaches_an_image_and_refuses_a_non_image(merchant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from infoconnect.shop.tests.conftest import png_bytes

    client = client_for(merchant)
    refused = client.post(
        "/messages/campaigns/new/",
        {
            "title": "Spring sale",
            "body": "20% off",
            "image": SimpleUploadedFile("x.png", b"not an image", content_type="image/png"),
        },
    )
    assert refused.status_code == 400
    assert "Upload a valid image." in refused.content.decode()
    assert not Campaign.objects.exists()
    created = client.post(
        "/messages/campaigns/new/",
        {
            "title": "Spring sale",
            "body": "20% off",
            "image": SimpleUploadedFile("spring.png", png_bytes(), content_type="image/png"),
        },
    )
    assert created.status_code == 302
    # Stored as the PNG it is, under a name of its own.
    assert re.fullmatch(r"campaigns/[0-9a-f]{24}\.png", Campaign.objects.get().image.name)


def test_edit_form_replaces_and_clears_a_draft_campaign_image(merchant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from infoconnect.shop.tests.conftest import png_bytes

    client = client_for(merchant)
    campaign = actions.create_campaign(merchant=merchant, title="Spring sale", body="20% off")
    edit = f"/messages/campaigns/{campaign.pk}/edit/"
    fields = {"title": "Spring sale", "body": "20% off"}
    refused = client.post(
        edit,
        {
            **fields,
            "title": "Changed",
            "image": SimpleUploadedFile("x.png", b"no", content_type="image/png"),
        },
    )
    assert refused.status_code == 400
    campaign.refresh_from_db()
    assert (campaign.title, campaign.image.name) == ("Spring sale", "")
    added = client.post(
        edit,
        {
            **fields,
            "image": SimpleUploadedFile("spring.png", png_bytes(), content_type="image/png"),
        },
    )
    assert added.status_code == 302
    campaign.refresh_from_db()
    stored = campaign.image.name
    assert re.fullmatch(r"campaigns/[0-9a-f]{24}\.png", stored)
    page = client.get(edit).content.decode()
    assert stored in page and 'name="image-clear"' in page
    # Saving the text again keeps the image.
    assert client.post(edit, {**fields, "title": "Spring sale!"}).status_code == 302
    campaign.refresh_from_db()
    assert (campaign.title, campaign.image.name) == ("Spring sale!", stored)
    assert client.post(edit, {**fields, "image-clear": "on"}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.image.name == ""


def test_edit_form_of_a_sent_campaign_changes_nothing(merchant, followers):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from infoconnect.shop.tests.conftest import png_bytes

    campaign = actions.create_campaign(merchant=merchant, title="Spring sale", body="20% off")
    actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    client = client_for(merchant)
    response = client.post(
        f"/messages/campaigns/{campaign.pk}/edit/",
        {
            "title": "Changed",
            "body": "20% off",
            "image": SimpleUploadedFile("spring.png", png_bytes(), content_type="image/png"),
        },
    )
    assert response.status_code == 400
    campaign.refresh_from_db()
    assert (campaign.title, campaign.image.name) == ("Spring sale", "")


def _export_rows(client, campaign) -> list[list[str]]:
    response = client.get(f"/messages/campaigns/{campaign.pk}/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def priced(merchant, followers):
    """Messages at ¥1.50; one of the ten followers muted the merchant."""
    PlatformSettings.objects.update_or_create(pk=1, defaults={"price_per_message_fen": 150})
    Mute.objects.create(muter=followers[9], muted=merchant)


def test_export_has_held_and_charged_amounts(committed, merchant, followers, campaign, priced):
    with committed():
        actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    actions.mark_conversation_read(user=followers[0], other_id=merchant.pk)
    hour = CampaignActivity.objects.get(campaign=campaign).hour
    assert _export_rows(client_for(merchant), campaign) == [
        ["Figure", "Value", "Amount"],
        ["Title", "Spring sale"],
        ["State", "Sent"],
        ["Targeted", "10"],
        ["Delivered", "9"],
        ["Skipped: muted", "1"],
        ["Skipped: marketing off or unsubscribed", "0"],
        ["Skipped: blocked", "0"],
        ["Skipped: frequency cap", "0"],
        ["Skipped: account deactivated", "0"],
        ["Read", "1"],
        ["Clicked", "0"],
        ["Unsubscribed", "0"],
        ["Reported as spam", "0"],
        ["Price per message", "150", "¥1.50"],
        ["Cost of delivered messages", "1350", "¥13.50"],
        # The whole audience was held as sending started; the muted follower's share came back.
        ["Cost held", "1500", "¥15.00"],
        ["Charged", "1350", "¥13.50"],
        ["Orders", "0"],
        ["Revenue", "0", "¥0.00"],
        ["Refunded orders", "0"],
        ["Refunded", "0", "¥0.00"],
        # Per delivered message: 1 of 9 read; return on spend is revenue ÷ the ¥13.50 charged.
        ["Read rate", "0.1111"],
        ["Click-through rate", "0.0"],
        ["Conversion (orders per delivered message)", "0.0"],
        ["Return on spend", "0.0"],
        ["Revenue per delivered message", "0", "¥0.00"],
        [],
        ["Hour", "Reads", "Clicks"],
        # In the site's time, as the page's chart shows it.
        [timezone.localtime(hour).isoformat(), "1", "0"],
    ]
    assert timezone.localtime(hour).isoformat().endswith("+08:00")


def test_export_in_chinese_while_sending(settings, merchant, followers, campaign, priced):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    client = client_for(merchant)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    assert _export_rows(client, campaign) == [
        ["项目", "数值", "金额"],
        ["标题", "Spring sale"],
        ["状态", "发送中"],
        ["目标人数", "0"],
        ["已送达", "0"],
        ["跳过：已屏蔽", "0"],
        ["跳过：关闭营销消息或已退订", "0"],
        ["跳过：已拉黑", "0"],
        ["跳过：达到频次上限", "0"],
        ["跳过：账号已停用", "0"],
        ["已读", "0"],
        ["已点击", "0"],
        ["已退订", "0"],
        ["被举报为垃圾信息", "0"],
        ["每条消息价格", "150", "¥1.50"],
        ["已送达消息费用", "0", "¥0.00"],
        ["已冻结费用", "1500", "¥15.00"],
        # Not settled until the campaign ends.
        ["已扣费", "", "营销活动结束时结算"],
        ["订单", "0"],
        ["销售额", "0", "¥0.00"],
        ["退款订单", "0"],
        ["已退款", "0", "¥0.00"],
        # Nothing delivered yet: no rate to give.
        ["阅读率", ""],
        ["点击率", ""],
        ["转化率（订单数 ÷ 送达数）", ""],
        ["投入产出比", ""],
        [],
        ["小时", "阅读", "点击"],
    ]


def test_export_of_a_draft_holds_nothing(merchant, campaign):
    rows = _export_rows(client_for(merchant), campaign)
    assert ["State", "Draft"] in rows
    assert ["Cost held", "0", "¥0.00"] in rows
    assert ["Charged", "", "when the campaign ends"] in rows


def test_export_quotes_a_title_a_spreadsheet_would_run(merchant, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(title="=cmd|' /C calc'!A0")
    rows = _export_rows(client_for(merchant), campaign)
    assert ["Title", "'=cmd|' /C calc'!A0"] in rows
    assert ["Cost held", "0", "¥0.00"] in rows


def test_report_goes_back_only_to_a_page_of_this_site(
    committed, make_user, merchant, followers, campaign
):
    with committed():
        actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    report = f"/messages/m/{campaign.message_id}/report/"
    back = client_for(followers[0]).post(report, {"next": "/messages/@acme/"})
    assert (back.status_code, back["Location"]) == (302, "/messages/@acme/")
    forgeries = ["https://evil.example.com/", "//evil.example.com/", "javascript:alert(1)"]
    for fan, forged in zip(followers[1:4], forgeries, strict=True):
        response = client_for(fan).post(report, {"next": forged})
        assert (response.status_code, response["Location"]) == (302, "/messages/")
    # Someone who did not receive the message reports nothing and goes to the inbox.
    refused = client_for(make_user("outsider")).post(
        report, {"next": "/messages/@acme/"}, follow=True
    )
    assert refused.redirect_chain == [("/messages/", 302)]
    assert "That message does not exist." in refused.content.decode()
    campaign.refresh_from_db()
    assert campaign.reported == 4


def test_campaign_cancelled_while_scheduled_shows_it_was_charged_nothing(merchant, campaign):
    actions.schedule_campaign(
        merchant=merchant,
        campaign_id=campaign.pk,
        scheduled_at=timezone.now() + timedelta(days=1),
    )
    client = client_for(merchant)
    scheduled = client.get(f"/messages/campaigns/{campaign.pk}/progress/").content.decode()
    assert 'data-testid="cancel-campaign"' in scheduled
    assert f'hx-trigger="ic-campaign-{campaign.pk} from:body, ic-poll from:body"' in scheduled
    assert client.post(f"/messages/campaigns/{campaign.pk}/cancel/").status_code == 302
    html = client.get(f"/messages/campaigns/{campaign.pk}/").content.decode()
    assert 'data-testid="campaign-state">Cancelled<' in html
    # It never started: no parts to show, nothing held, nothing charged, nothing to cancel.
    assert 'role="progressbar"' not in html and "parts written" not in html
    assert 'data-testid="cost-held">¥0.00<' in html
    assert 'data-testid="cost-charged">¥0.00<' in html
    assert "Cancel campaign" not in html
    assert "/progress/" not in html
    rows = _export_rows(client, campaign)
    assert ["Charged", "0", "¥0.00"] in rows


def test_free_campaign_once_sent_was_charged_nothing(committed, merchant, followers, campaign):
    PlatformSettings.objects.update_or_create(pk=1, defaults={"price_per_message_fen": 0})
    with committed():
        actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    client = client_for(merchant)
    progress = client.get(f"/messages/campaigns/{campaign.pk}/progress/").content.decode()
    assert 'data-testid="campaign-state">Sent<' in progress
    assert 'data-testid="cost-charged">¥0.00<' in progress
    assert 'aria-valuenow="100"' in progress
    # The cancel control goes with the polled part of the page once the campaign ends.
    assert "cancel-campaign" not in progress
    refused = client.post(f"/messages/campaigns/{campaign.pk}/cancel/", follow=True)
    assert "Only a scheduled or sending campaign can be cancelled." in refused.content.decode()


def test_campaign_page_names_the_segment_in_the_readers_language(merchant):
    campaign = actions.create_campaign(
        merchant=merchant,
        title="Spring sale",
        body="20% off",
        audience={
            "tags": ["vip", "tea"],
            "regions": ["SH", "BJ"],
            "followed_within_days": 30,
            "bought_from_me": True,
        },
    )
    client = client_for(merchant)
    html = client.get(f"/messages/campaigns/{campaign.pk}/").content.decode()
    assert (
        '<p class="muted" data-testid="campaign-audience">Audience: Tagged tea, vip;'
        " In Beijing, Shanghai; Followed within the last 30 days; Has bought from me</p>"
    ) in html
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    html = client.get(f"/messages/campaigns/{campaign.pk}/").content.decode()
    assert (
        "受众： 标签为 tea, vip; 地区为 北京, 上海; 最近 30 天内关注; 在我这里购买过</p>"
    ) in html
    everyone = actions.create_campaign(merchant=merchant, title="All", body="Hi")
    html = client_for(merchant).get(f"/messages/campaigns/{everyone.pk}/").content.decode()
    assert "Audience: All followers who accept marketing</p>" in html
    one_day = actions.create_campaign(
        merchant=merchant, title="New", body="Hi", audience={"followed_within_days": 1}
    )
    html = client_for(merchant).get(f"/messages/campaigns/{one_day.pk}/").content.decode()
    assert "Audience: Followed within the last 1 day</p>" in html


def test_inbox_starts_a_conversation_by_username(make_user):
    alice = make_user("alice")
    make_user("Bob")
    make_user("gone", is_active=False)
    client = client_for(alice)
    html = client.get("/messages/").content.decode()
    assert 'action="/messages/new/"' in html
    assert '<a href="/accounts/settings/">Who can message me</a>' in html
    for typed in ("bob", "@Bob", "  BOB "):
        response = client.get("/messages/new/", {"to": typed})
        assert (response.status_code, response["Location"]) == (302, "/messages/@Bob/")
    for typed, error in [
        ("nobody", "No account has that username."),
        ("gone", "No account has that username."),
        ("", "No account has that username."),
        ("alice", "You cannot message yourself."),
    ]:
        response = client.get("/messages/new/", {"to": typed}, follow=True)
        assert response.redirect_chain == [("/messages/", 302)]
        assert error in response.content.decode()
    assert client.post("/messages/new/", {"to": "bob"}).status_code == 405
    assert Client().get("/messages/new/", {"to": "bob"}).status_code == 302
    assert not Message.objects.exists()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    html = client.get("/messages/").content.decode()
    assert '<label for="new-message-to">发私信给</label>' in html
    assert (
        "没有使用该用户名的账号。"
        in client.get("/messages/new/", {"to": "nobody"}, follow=True).content.decode()
    )


def test_header_badge_is_drawn_with_the_page_and_counted_only_for_it(make_user):
    alice, bob = make_user("alice"), make_user("bob")
    actions.send_message(sender=alice, recipient_id=bob.pk, body="hi")
    actions.send_message(sender=alice, recipient_id=bob.pk, body="there")
    client = client_for(bob)
    html = client.get("/notifications/").content.decode()
    assert (
        '<span class="nav-label">Messages</span> <span data-badge-source="nav-messages"'
        ' hx-get="/messages/badge/"'
        ' hx-trigger="load, ic-messages from:body, ic-poll from:body" hx-swap="innerHTML">'
        '<span class="badge">2</span></span></a>'
    ) in html
    # The phone's tab bar shows the same count, kept in step by the page's script.
    assert '<span data-badge-mirror="nav-messages"><span class="badge">2</span></span>' in html
    html = client_for(alice).get("/notifications/").content.decode()
    assert 'hx-swap="innerHTML"></span></a>' in html

    def receipt_counts(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return sum("FROM messaging_receipt" in q["sql"] for q in captured.captured_queries)

    # The polled fragment counts once (itself), not again for a header it does not draw.
    assert receipt_counts("/messages/badge/") == 1
    assert receipt_counts("/notifications/") == 1


def test_campaign_pages_say_when_the_shop_cannot_send(make_user, merchant, campaign):
    newcomer = make_user("newshop", kind="merchant", verified=True)
    client = client_for(newcomer)
    html = client.get("/messages/campaigns/").content.decode()
    assert (
        "Your shop is not in the messaging programme yet: an operator enrols verified shops,"
        " and then you can write and send campaigns."
    ) in html
    assert "/messages/campaigns/new/" not in html
    composing = client.get("/messages/campaigns/new/")
    assert (composing.status_code, composing["Location"]) == (302, "/messages/campaigns/")
    refused = client.post("/messages/campaigns/new/", {"title": "Hi", "body": "Hi"})
    assert refused.status_code == 302
    assert not Campaign.objects.filter(merchant=newcomer).exists()

    client = client_for(merchant)
    html = client.get("/messages/campaigns/").content.decode()
    assert 'data-testid="programme-status"' not in html
    assert '<a class="button" href="/messages/campaigns/new/">New campaign</a>' in html
    assert client.get("/messages/campaigns/new/").status_code == 200
    actions.suspend_merchant(merchant_id=merchant.pk, note="Spam reports")
    for path in ("/messages/campaigns/", f"/messages/campaigns/{campaign.pk}/"):
        html = client.get(path).content.decode()
        assert (
            "Your shop is suspended from the messaging programme pending an operator's review:"
            " it cannot send campaigns until it is reinstated."
        ) in html
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    html = client.get("/messages/campaigns/").content.decode()
    assert "你的店铺已被暂停参加私信营销计划，等待运营人员审核" in html
    assert "/messages/campaigns/new/" not in html


def test_conversation_shares_a_post_by_its_link_or_number(make_user):
    from infoconnect.social.actions import create_post

    alice, bob = make_user("alice"), make_user("bob", display_name="Bob Chen")
    post = create_post(author=bob, text="Tea tasting on Sunday at the West Lake.")
    client = client_for(alice)
    for reference in (f"http://testserver/posts/{post.pk}/", str(post.pk)):
        sent = client.post("/messages/@bob/", {"body": "Look", "post": reference})
        assert sent.status_code == 302
    assert list(Message.objects.values_list("attachment_type", "attachment_id")) == [
        ("post", post.pk),
        ("post", post.pk),
    ]
    html = client_for(bob).get("/messages/@alice/").content.decode()
    assert html.count('data-testid="shared-post"') == 2
    assert "Shared a post · Bob Chen @bob" in html
    assert "Tea tasting on Sunday at the West Lake." in html
    assert f'<a href="/posts/{post.pk}/">Open the post</a>' in html

    for fields, status, error in [
        ({"post": "/posts/abc/"}, 400, "Paste a post&#x27;s link, such as"),
        ({"post": str(2**70)}, 400, "Paste a post&#x27;s link, such as"),
        ({"post": "999999"}, 422, "That post does not exist."),
        (
            {"post": str(post.pk), "link": "https://example.com/"},
            400,
            "Attach one thing: a link, a post or a product.",
        ),
    ]:
        refused = client.post("/messages/@bob/", {"body": "Look", **fields})
        assert refused.status_code == status
        assert error in refused.content.decode()
    assert Message.objects.count() == 2

    post.delete()
    html = client_for(bob).get("/messages/@alice/").content.decode()
    assert html.count("Shared a post that has been deleted.") == 2


def test_schedule_form_says_which_clock_it_reads(merchant, campaign):
    client = client_for(merchant)
    html = client.get(f"/messages/campaigns/{campaign.pk}/").content.decode()
    assert "The site&#x27;s time (Asia/Shanghai)." in html
    # 10:00 typed is 10:00 in Shanghai.
    client.post(
        f"/messages/campaigns/{campaign.pk}/schedule/", {"scheduled_at": "2099-05-01T10:00"}
    )
    campaign.refresh_from_db()
    assert campaign.scheduled_at.isoformat() == "2099-05-01T02:00:00+00:00"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    other = actions.create_campaign(merchant=merchant, title="B", body="B")
    html = client.get(f"/messages/campaigns/{other.pk}/").content.decode()
    assert "按本站时间（Asia/Shanghai）。" in html
    refused = client.post(
        f"/messages/campaigns/{other.pk}/schedule/", {"scheduled_at": "someday"}, follow=True
    )
    assert "请选择日期和时间。" in refused.content.decode()
    other.refresh_from_db()
    assert other.state == "draft"


def test_campaign_list_says_when_each_was_sent_or_is_due(settings, merchant, followers):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    draft = actions.create_campaign(merchant=merchant, title="Draft", body="x")
    Campaign.objects.filter(pk=draft.pk).update(
        created_at=timezone.make_aware(timezone.datetime(2030, 3, 1, 20, 0))
    )
    due = actions.create_campaign(merchant=merchant, title="Due", body="x")
    actions.schedule_campaign(
        merchant=merchant,
        campaign_id=due.pk,
        scheduled_at=timezone.make_aware(timezone.datetime(2099, 5, 1, 10, 30)),
    )
    sending = actions.create_campaign(merchant=merchant, title="Now", body="x")
    actions.send_campaign(merchant=merchant, campaign_id=sending.pk)
    sending.refresh_from_db()
    started = timezone.localtime(sending.started_at).strftime("%Y-%m-%d %H:%M")
    client = client_for(merchant)
    html = client.get("/messages/campaigns/").content.decode()
    assert '<th scope="col">When</th>' in html
    assert '<span class="muted">written 2030-03-01</span>' in html
    assert "<td>Scheduled</td><td>2099-05-01 10:30</td>" in html
    assert f"<td>Sending</td><td>{started}</td>" in html
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    html = client.get("/messages/campaigns/").content.decode()
    assert '<th scope="col">时间</th>' in html and "2030-03-01 撰写" in html
