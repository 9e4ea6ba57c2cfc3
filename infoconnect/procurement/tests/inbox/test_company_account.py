"""A company's account is the voice of its notices, not a person: no one finds, follows or
replies to it, and the API carries each requisition message's live card."""

import pytest
from django.test import Client

from infoconnect.accounts.models import User
from infoconnect.messaging.actions import send_message
from infoconnect.messaging.models import Message
from infoconnect.procurement.actions import approvals, members
from infoconnect.procurement.actions.notices import company_account
from infoconnect.procurement.inbox_cards import requisition_card
from infoconnect.procurement.tests.requisitions.world import submitted
from infoconnect.social.models import Follow
from infoconnect.social.selectors import search_accounts

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_members_reply_to_the_company_account_is_refused(world):
    submitted(world, (world.sku_a, 2))
    account = company_account(world.company)
    client = client_for(world.approver)
    page = client.get(f"/messages/@{account.username}/").content.decode()
    assert "This account only sends notices: you cannot reply to it." in page
    assert 'name="body"' not in page
    before = Message.objects.count()
    response = client.post(f"/messages/@{account.username}/", {"body": "Thanks!"})
    assert response.status_code == 403
    assert "This account only sends notices: you cannot reply to it." in response.content.decode()
    assert Message.objects.count() == before


def test_the_api_refuses_a_reply_with_its_code(world, api_client):
    submitted(world, (world.sku_a, 2))
    account = company_account(world.company)
    before = Message.objects.count()
    response = api_client(world.approver).post(
        f"/api/v1/inbox/conversations/{account.pk}/messages",
        {"body": "Thanks!"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json() == {
        "error": "This account only sends notices: you cannot reply to it.",
        "code": "notices_only",
    }
    assert Message.objects.count() == before


def test_the_company_account_is_not_found_by_search_profile_or_follow(world, make_user):
    account = company_account(world.company)
    make_user("huaxia_fan", display_name="Huaxia fan")
    assert [u.username for u in search_accounts(query="Huaxia", viewer=world.buyer)] == [
        "huaxia_fan"
    ]
    assert search_accounts(query=account.username, viewer=world.buyer) == []
    client = client_for(world.buyer)
    assert client.get(f"/@{account.username}/").status_code == 404
    assert client.post(f"/@{account.username}/follow/").status_code == 404
    assert not Follow.objects.filter(target=account).exists()


def test_the_mastodon_api_has_no_company_account(world, api_client):
    account = company_account(world.company)
    client = api_client(world.buyer)
    assert client.get(f"/api/v1/accounts/{account.pk}").status_code == 404
    assert client.get(f"/api/v1/accounts/lookup?acct={account.username}").status_code == 404
    assert client.post(f"/api/v1/accounts/{account.pk}/follow").status_code == 404
    found = client.get("/api/v2/search?q=company-&type=accounts").json()
    assert found["accounts"] == []


def test_people_still_message_each_other(world):
    message = send_message(sender=world.buyer, recipient_id=world.approver.pk, body="Hi")
    assert message.body == "Hi"
    assert User.objects.filter(company_account_of__isnull=False).count() == 0


def _requisition_messages(client, account) -> list[dict]:
    response = client.get(f"/api/v1/inbox/conversations/{account.pk}/messages")
    assert response.status_code == 200
    return [m for m in response.json() if m["attachment_type"] == "requisition"]


def test_the_api_carries_the_live_requisition_card(world, api_client):
    requisition = submitted(world, (world.sku_a, 2))
    account = company_account(world.company)
    [message] = _requisition_messages(api_client(world.approver), account)
    assert message["attachment_id"] == requisition.pk
    assert message["requisition"] == {
        "id": requisition.pk,
        "company_id": world.company.pk,
        "reference": f"R-{requisition.pk}",
        "state": "pending",
        "total": 620_000,
        "currency": "CNY",
        "can_decide": True,
        "digest": requisition_card(world.approver, requisition.pk).digest,
    }
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    [message] = _requisition_messages(api_client(world.approver), account)
    assert message["requisition"]["state"] == "ordered"
    assert message["requisition"]["can_decide"] is False
    assert message["requisition"]["digest"] == ""
    [ordered] = _requisition_messages(api_client(world.buyer), account)
    assert ordered["requisition"]["state"] == "ordered"
    assert ordered["requisition"]["can_decide"] is False


def test_the_api_shows_no_card_to_a_removed_member(world, api_client):
    submitted(world, (world.sku_a, 2))
    account = company_account(world.company)
    members.remove_member(
        admin_user=world.admin, company_id=world.company.pk, member_user_id=world.approver.pk
    )
    [message] = _requisition_messages(api_client(world.approver), account)
    assert message["requisition"] is None
