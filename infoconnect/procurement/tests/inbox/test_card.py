"""The requisition card on the company account's messages: who sees it, with or without the
buttons, and that it shows the requisition as it stands now."""

import re

import pytest
from django.test import Client

from infoconnect.core.money import format_money
from infoconnect.procurement.actions import approvals, members, notices, submission
from infoconnect.procurement.actions.notices import company_account
from infoconnect.procurement.inbox_cards import CARD_LINES, requisition_card
from infoconnect.procurement.tests.factories import VALID_2, make_company
from infoconnect.procurement.tests.requisitions.world import submitted
from infoconnect.shop.tests.conftest import make_product

pytestmark = pytest.mark.django_db


def conversation(user, world) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/messages/@{company_account(world.company).username}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_approver_sees_the_card_with_approve_and_reject(world):
    requisition = submitted(world, (world.sku_a, 2))
    page = conversation(world.approver, world)
    assert 'data-testid="requisition-card"' in page
    assert f">R-{requisition.pk}</a>" in page
    assert world.company.legal_name in page
    assert "Requested by Buyer" in page
    assert "for Design" in page
    assert "Laser printer" in page
    assert "<td>2</td><td>¥3,100.00</td><td>¥6,200.00</td>" in page
    assert '<span data-testid="requisition-total">¥6,200.00</span>' in page
    step = requisition.steps.get()
    assert step.explanation in page
    assert '<strong data-testid="requisition-state">Awaiting approval</strong>' in page
    assert f'href="/companies/{world.company.pk}/requisitions/{requisition.pk}/"' in page
    assert f'action="/companies/{world.company.pk}/requisitions/{requisition.pk}/approve/"' in page
    assert f'action="/companies/{world.company.pk}/requisitions/{requisition.pk}/reject/"' in page
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page).group(1)
    assert digest == requisition_card(world.approver, requisition.pk).digest
    assert f'name="next" value="/messages/@company-{world.company.pk}/"' in page


def test_the_requester_sees_the_card_without_the_buttons(world):
    requisition = submitted(world, (world.sku_a, 2))
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    page = conversation(world.buyer, world)
    assert 'data-testid="requisition-card"' in page
    assert '<strong data-testid="requisition-state">Ordered</strong>' in page
    assert 'data-testid="requisition-approve"' not in page
    assert 'name="digest"' not in page


def test_the_card_is_live_the_approver_sees_the_state_not_the_buttons_once_decided(world):
    requisition = submitted(world, (world.sku_a, 2))
    approvals.reject_requisition(
        user=world.approver, requisition_id=requisition.pk, reason="Too dear"
    )
    page = conversation(world.approver, world)
    assert '<strong data-testid="requisition-state">Rejected</strong>' in page
    assert '<span data-testid="requisition-reason">Too dear</span>' in page
    assert 'data-testid="requisition-approve"' not in page


def test_the_requester_may_not_decide_their_own(world):
    requisition = submitted(world, (world.sku_a, 2))
    card = requisition_card(world.buyer, requisition.pk)
    assert card.visible and not card.can_decide and card.digest == ""


def test_another_companys_member_sees_no_card(world, make_user):
    requisition = submitted(world, (world.sku_a, 2))
    stranger = make_user("other_boss")
    make_company(stranger, name="别的公司有限公司", code=VALID_2)
    # Even a message that reached them would show nothing of it.
    notices.tell(requisition, [stranger.pk], "R")
    page = conversation(stranger, world)
    assert "This requisition is no longer available to you." in page
    assert "Laser printer" not in page and "¥6,200.00" not in page
    assert requisition_card(stranger, requisition.pk).requisition is None


def test_a_removed_member_is_told_the_requisition_is_no_longer_available(world):
    submitted(world, (world.sku_a, 2))
    members.remove_member(
        admin_user=world.admin, company_id=world.company.pk, member_user_id=world.approver.pk
    )
    page = conversation(world.approver, world)
    assert "This requisition is no longer available to you." in page
    assert 'data-testid="requisition-card"' not in page
    assert "Laser printer" not in page


def test_earlier_messages_about_the_same_requisition_show_it_in_short(world):
    requisition = submitted(world, (world.sku_a, 2))
    line = requisition.lines.get()
    approvals.reject_requisition(
        user=world.approver, requisition_id=requisition.pk, reason="One fewer", line_ids=[line.pk]
    )
    submission.submit_requisition(user=world.buyer, requisition_id=requisition.pk)
    page = conversation(world.approver, world)
    # Asked twice: the newer message has the card and its buttons, the older a short line.
    assert page.count('data-testid="requisition-card"') == 1
    assert page.count('data-testid="requisition-approve"') == 1
    assert page.count('data-testid="requisition-card-short"') == 1
    assert page.index("requisition-card-short") < page.index('data-testid="requisition-card"')
    assert f">R-{requisition.pk}</a> · Awaiting approval</p>" in page


def test_a_long_requisition_shows_ten_lines_then_how_many_more(world):
    skus = [
        make_product(world.merchant_a, title=f"Pen {number}", price=100_000, stock=5)[1]
        for number in range(CARD_LINES + 2)
    ]
    requisition = submitted(world, *[(sku, 1) for sku in skus])
    page = conversation(world.approver, world)
    assert page.count('data-testid="requisition-line"') == CARD_LINES
    assert "Pen 9" in page and "Pen 10" not in page
    assert "and 2 more lines" in page
    assert format_money(requisition.total) == "¥12,000.00"
    assert '<span data-testid="requisition-total">¥12,000.00</span>' in page


def test_the_card_speaks_chinese(world):
    requisition = submitted(world, (world.sku_a, 2))
    client = Client()
    client.force_login(world.approver)
    page = client.get(
        f"/messages/@{company_account(world.company).username}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "申请人：Buyer" in page
    assert "部门：Design" in page
    assert '<button type="submit" data-testid="requisition-approve">批准</button>' in page
    assert "打开请购单" in page
    assert f">R-{requisition.pk}</a>" in page


def test_a_reply_is_refused_in_chinese(world):
    submitted(world, (world.sku_a, 2))
    client = Client()
    client.force_login(world.approver)
    page = client.get(
        f"/messages/@{company_account(world.company).username}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "此账号只发送通知，不能回复。" in page
