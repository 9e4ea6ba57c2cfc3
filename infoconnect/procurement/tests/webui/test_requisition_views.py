"""The requisition pages: the product page's add form, the cart with its details and which
rule would fire, submit, the list's tabs, one requisition and its buttons; each for the right
people, a refused POST shows the code's message and writes nothing."""

from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils.html import escape

from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import approvals
from infoconnect.procurement.actions import requisitions as actions
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import (
    Membership,
    Requisition,
    RequisitionLine,
    RequisitionOrder,
    Role,
)
from infoconnect.procurement.tests.factories import add, grant
from infoconnect.procurement.tests.organisation.conftest import remove
from infoconnect.procurement.tests.requisitions.world import draft, submitted
from infoconnect.procurement.tests.webui.conftest import act_for
from infoconnect.wallet import actions as wallet_actions

pytestmark = pytest.mark.django_db


def cart_url(world, suffix=""):
    return f"/companies/{world.company.pk}/requisitions/cart/{suffix}"


def req_url(world, requisition, suffix=""):
    return f"/companies/{world.company.pk}/requisitions/{requisition.pk}/{suffix}"


def page_of(response) -> str:
    return response.content.decode()


def says(response, code) -> bool:
    """Whether the page shows the error's message."""
    return escape(DomainError(code).message) in page_of(response)


# --- the product page and the header ----------------------------------------------------------


def test_a_buyer_acting_for_the_company_sees_the_add_form_and_the_cart_link(client, world):
    act_for(client, world.buyer, world.company)
    page = page_of(client.get(reverse("shop:product", args=[world.sku_a.product_id])))
    assert 'data-testid="requisition-add"' in page
    assert f"Add to requisition for {world.company.legal_name}" in page
    assert "Add to cart" in page  # their own buy buttons stay
    assert 'id="nav-requisition-cart"' in page


def test_no_add_form_for_oneself_nor_without_the_buyer_role(client, world):
    client.force_login(world.buyer)
    page = page_of(client.get(reverse("shop:product", args=[world.sku_a.product_id])))
    assert "requisition-add" not in page and "nav-requisition-cart" not in page
    act_for(client, world.approver, world.company)
    page = page_of(client.get(reverse("shop:product", args=[world.sku_a.product_id])))
    assert "requisition-add" not in page and "nav-requisition-cart" not in page


def test_adding_puts_the_sku_in_the_cart_and_goes_back(client, world):
    act_for(client, world.buyer, world.company)
    product_url = reverse("shop:product", args=[world.sku_a.product_id])
    response = client.post(
        cart_url(world, "add/"), {"sku": world.sku_a.pk, "quantity": "2", "next": product_url}
    )
    assert response.status_code == 302 and response.url == product_url
    line = RequisitionLine.objects.get()
    assert line.quantity == 2 and line.requisition.requester == world.buyer
    page = page_of(client.get(product_url))
    assert f"Added Laser printer to the requisition for {world.company.legal_name}." in page
    assert '<span class="badge">1</span>' in page


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"quantity": "0"}, ProcurementError.QUANTITY_INVALID),
        ({"quantity": "lots"}, ProcurementError.QUANTITY_INVALID),
        ({"sku": "999999"}, ProcurementError.PRODUCT_UNAVAILABLE),
    ],
)
def test_a_refused_add_says_why_and_writes_nothing(client, world, form, message):
    act_for(client, world.buyer, world.company)
    data = {"sku": world.sku_a.pk, "quantity": "1"} | form
    response = client.post(cart_url(world, "add/"), data, follow=True)
    assert says(response, message)
    assert not RequisitionLine.objects.exists()


def test_who_may_not_add(client, world, outsider):
    client.force_login(outsider)
    response = client.post(cart_url(world, "add/"), {"sku": world.sku_a.pk})
    assert response.status_code == 404
    client.force_login(world.approver)
    response = client.post(cart_url(world, "add/"), {"sku": world.sku_a.pk})
    assert response.status_code == 403
    remove(Membership.objects.get(company=world.company, user=world.buyer))
    client.force_login(world.buyer)
    assert client.post(cart_url(world, "add/"), {"sku": world.sku_a.pk}).status_code == 404
    assert not RequisitionLine.objects.exists()


# --- the cart ----------------------------------------------------------------------------


def test_the_cart_groups_lines_by_merchant_and_shows_the_rule_that_fires(client, world):
    draft(world, (world.sku_a, 1), (world.sku_b, 2))
    client.force_login(world.buyer)
    response = client.get(cart_url(world))
    assert response.status_code == 200
    page = page_of(response)
    assert page.count('data-testid="merchant-group"') == 2
    assert "shop_a shop" in page and "shop_b shop" in page
    assert "¥3,100.00" in page and "¥3,100.00" in page  # chairs: 2 × ¥1,550.00
    assert '<span data-testid="cart-total">¥6,200.00</span>' in page
    assert "Needs approval by Approver (any one) because the total is at least ¥5,000.00" in page
    assert "PO-2026-001" in page and "Design" in page


def test_below_the_threshold_no_approval_is_needed(client, world):
    draft(world, (world.sku_b, 1))
    client.force_login(world.buyer)
    page = page_of(client.get(cart_url(world)))
    assert "No approval needed: it will be ordered at once." in page


def test_an_empty_cart_says_so(client, world):
    client.force_login(world.buyer)
    page = page_of(client.get(cart_url(world)))
    assert 'data-testid="cart-empty"' in page


def test_the_cart_is_the_buyers_only(client, world, outsider):
    draft(world, (world.sku_a, 1))
    client.force_login(outsider)
    assert client.get(cart_url(world)).status_code == 404
    client.force_login(world.approver)
    response = client.get(cart_url(world))
    assert response.status_code == 403 and "Laser printer" not in page_of(response)


def test_changing_a_quantity_and_removing_a_line(client, world):
    requisition = draft(world, (world.sku_a, 1), (world.sku_b, 1))
    line_a, line_b = requisition.lines.order_by("pk")
    client.force_login(world.buyer)
    response = client.post(cart_url(world, f"lines/{line_a.pk}/"), {"quantity": "3"})
    assert response.status_code == 302
    assert RequisitionLine.objects.get(pk=line_a.pk).quantity == 3
    response = client.post(cart_url(world, f"lines/{line_a.pk}/"), {"quantity": "0"})
    assert response.status_code == 422
    assert says(response, ProcurementError.QUANTITY_INVALID)
    assert RequisitionLine.objects.get(pk=line_a.pk).quantity == 3
    assert client.post(cart_url(world, f"lines/{line_b.pk}/remove/")).status_code == 302
    assert list(requisition.lines.values_list("pk", flat=True)) == [line_a.pk]
    response = client.post(cart_url(world, "lines/999999/remove/"))
    assert response.status_code == 404


def test_saving_the_details(client, world):
    requisition = draft(world, (world.sku_a, 1), po_number="")
    client.force_login(world.buyer)
    response = client.post(
        cart_url(world, "details/"),
        {
            "department": world.design.pk,
            "ship_to": world.ship_to.pk,
            "po_number": "PO-7",
            "note": "Urgent",
        },
    )
    assert response.status_code == 302
    requisition.refresh_from_db()
    assert (requisition.po_number, requisition.note) == ("PO-7", "Urgent")
    assert requisition.ship_to_id == world.ship_to.pk


def test_a_department_change_drops_the_old_departments_address(client, world):
    requisition = draft(world, (world.sku_a, 1))
    client.force_login(world.buyer)
    client.post(
        cart_url(world, "details/"),
        {"department": world.studio.pk, "ship_to": world.ship_to.pk, "po_number": "PO-8"},
    )
    requisition.refresh_from_db()
    # Studio sits under Design: Design's address stays a choice.
    assert requisition.department_id == world.studio.pk
    assert requisition.ship_to_id == world.ship_to.pk


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"po_number": "no spaces please"}, 422, ProcurementError.PO_NUMBER_INVALID),
        ({"department": "operations"}, 403, ProcurementError.ROLE_REQUIRED),
        ({"ship_to": "999999"}, 404, ProcurementError.ADDRESS_NOT_FOUND),
    ],
)
def test_refused_details_say_why_and_write_nothing(client, world, form, status, message):
    requisition = draft(world, (world.sku_a, 1))
    if form.get("department") == "operations":
        form = {"department": world.operations.pk}
    data = {"department": world.design.pk, "ship_to": world.ship_to.pk, "po_number": "PO-9"}
    client.force_login(world.buyer)
    response = client.post(cart_url(world, "details/"), data | form)
    assert response.status_code == status
    assert says(response, message)
    requisition.refresh_from_db()
    assert requisition.po_number == "PO-2026-001"
    assert requisition.department_id == world.design.pk


def test_submitting_from_the_cart(client, world):
    requisition = draft(world, (world.sku_a, 1), (world.sku_b, 2))
    client.force_login(world.buyer)
    response = client.post(req_url(world, requisition, "submit/"), {"key": "k-1"})
    assert response.status_code == 302 and response.url == req_url(world, requisition)
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.PENDING
    # The same form again does nothing more.
    client.post(req_url(world, requisition, "submit/"), {"key": "k-1"})
    assert requisition.steps.count() == 1
    page = page_of(client.get(req_url(world, requisition)))
    assert "Submitted: it waits for approval." in page


def test_a_submit_without_an_address_says_why(client, world):
    requisition = draft(world, (world.sku_a, 1))
    Requisition.objects.filter(pk=requisition.pk).update(ship_to=None)
    client.force_login(world.buyer)
    response = client.post(req_url(world, requisition, "submit/"), {"key": "k-2"}, follow=True)
    assert 'class="flash-error"' in page_of(response)
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.DRAFT and requisition.steps.count() == 0


def test_who_may_not_submit(client, world, outsider):
    requisition = draft(world, (world.sku_a, 1))
    client.force_login(outsider)
    assert client.post(req_url(world, requisition, "submit/"), {"key": "a"}).status_code == 404
    client.force_login(world.approver)
    assert client.post(req_url(world, requisition, "submit/"), {"key": "b"}).status_code == 403
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.DRAFT


# --- the list ----------------------------------------------------------------------------


def list_url(world, tab=""):
    url = f"/companies/{world.company.pk}/requisitions/"
    return f"{url}?tab={tab}" if tab else url


def test_the_list_tabs(client, world):
    requisition = submitted(world, (world.sku_a, 2))
    client.force_login(world.buyer)
    page = page_of(client.get(list_url(world)))
    assert requisition.reference in page and "PO-2026-001" in page and "¥6,200.00" in page
    assert "Design" in page and "Awaiting approval" in page
    local = requisition.submitted_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert local.strftime("%Y-%m-%d %H:%M") in page
    assert requisition.reference not in page_of(client.get(list_url(world, "awaiting")))
    client.force_login(world.approver)
    assert requisition.reference in page_of(client.get(list_url(world, "awaiting")))
    assert requisition.reference in page_of(client.get(list_url(world, "all")))
    assert requisition.reference not in page_of(client.get(list_url(world, "mine")))


def test_a_buyer_sees_only_their_own_in_all_unless_a_role_covers_more(client, world, make_user):
    mine = submitted(world, (world.sku_b, 1))
    other = make_user("colleague")
    add(world.company, world.admin, other, "buyer", department=world.design)
    client.force_login(other)
    assert mine.reference not in page_of(client.get(list_url(world, "all")))
    grant(world.company, world.admin, other, Role.VIEWER, department=world.design)
    page = page_of(client.get(list_url(world, "all")))
    assert mine.reference in page


def test_the_list_is_for_members(client, world, outsider):
    client.force_login(outsider)
    assert client.get(list_url(world)).status_code == 404
    remove(Membership.objects.get(company=world.company, user=world.buyer))
    client.force_login(world.buyer)
    assert client.get(list_url(world)).status_code == 404


def test_the_list_pages_by_fifty(client, world):
    membership = Membership.objects.get(company=world.company, user=world.buyer)
    Requisition.objects.bulk_create(
        [
            Requisition(
                company=world.company,
                requester=world.buyer,
                membership=membership,
                state=Requisition.State.CANCELLED,
            )
            for _ in range(51)
        ]
    )
    client.force_login(world.buyer)
    page = page_of(client.get(list_url(world)))
    assert page.count('data-testid="requisition-row"') == 50
    assert "Page 1 of 2" in page
    page = page_of(client.get(list_url(world) + "?page=2"))
    assert page.count('data-testid="requisition-row"') == 1


# --- one requisition ---------------------------------------------------------------------


def test_the_requisition_page_for_the_requester_and_the_approver(client, world):
    requisition = submitted(world, (world.sku_a, 1), (world.sku_b, 2))
    client.force_login(world.buyer)
    page = page_of(client.get(req_url(world, requisition)))
    assert "Over ¥5,000.00" in page and "Approver (Holds the role)" in page
    assert "Withdraw" in page and "Cancel requisition" in page
    assert 'data-testid="decide"' not in page
    client.force_login(world.approver)
    page = page_of(client.get(req_url(world, requisition)))
    assert 'data-testid="decide"' in page and 'name="digest"' in page
    assert "Withdraw" not in page


def test_the_approved_requisition_shows_its_orders_and_decisions(client, world):
    requisition = submitted(world, (world.sku_a, 1), (world.sku_b, 2))
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    decision = requisition.decisions.get()
    client.force_login(world.buyer)
    page = page_of(client.get(req_url(world, requisition)))
    assert page.count('data-testid="requisition-order"') == 2
    assert "shop_a shop" in page and "shop_b shop" in page
    assert decision.digest[:12] in page and decision.digest[:13] not in page
    assert "Ordered" in page
    for placed in RequisitionOrder.objects.filter(requisition=requisition):
        if placed.order.buyer_id == world.buyer.pk:
            assert reverse("shop:order", args=[placed.order_id]) in page


def test_the_requisition_page_is_hidden_from_others(client, world, outsider, make_user):
    requisition = submitted(world, (world.sku_a, 1))
    client.force_login(outsider)
    assert client.get(req_url(world, requisition)).status_code == 404
    other = make_user("colleague")
    add(world.company, world.admin, other, "buyer", department=world.design)
    client.force_login(other)
    assert client.get(req_url(world, requisition)).status_code == 404
    remove(Membership.objects.get(company=world.company, user=world.approver))
    client.force_login(world.approver)
    assert client.get(req_url(world, requisition)).status_code == 404


def test_withdraw_and_cancel(client, world):
    requisition = submitted(world, (world.sku_a, 2))
    client.force_login(world.buyer)
    response = client.post(req_url(world, requisition, "withdraw/"))
    assert response.status_code == 302 and response.url == cart_url(world)
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.DRAFT
    response = client.post(req_url(world, requisition, "withdraw/"))
    assert response.status_code == 409
    assert 'class="flash-error"' in page_of(response)
    assert client.post(req_url(world, requisition, "cancel/")).status_code == 302
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.CANCELLED


def test_who_may_not_withdraw_or_cancel(client, world, outsider):
    requisition = submitted(world, (world.sku_a, 2))
    client.force_login(outsider)
    assert client.post(req_url(world, requisition, "cancel/")).status_code == 404
    client.force_login(world.approver)
    assert client.post(req_url(world, requisition, "withdraw/")).status_code == 403
    assert client.post(req_url(world, requisition, "cancel/")).status_code == 403
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.PENDING


def test_placing_a_requisition_that_waits_for_approval_is_refused(client, world):
    requisition = submitted(world, (world.sku_a, 2))
    client.force_login(world.buyer)
    response = client.post(req_url(world, requisition, "place/"), {"key": "p-1"}, follow=True)
    assert 'class="flash-error"' in page_of(response)
    assert not RequisitionOrder.objects.exists()


def test_another_companys_requisition_under_this_company_is_not_found(client, world, outsider):
    requisition = submitted(world, (world.sku_a, 1))
    client.force_login(world.buyer)
    other_company_id = Membership.objects.get(user=outsider).company_id
    url = f"/companies/{other_company_id}/requisitions/{requisition.pk}/"
    assert client.get(url).status_code == 404


# --- the decisions -------------------------------------------------------------------------


def test_approve_and_reject_from_the_page(client, world):
    requisition = submitted(world, (world.sku_a, 2))
    client.force_login(world.approver)
    response = client.post(req_url(world, requisition, "approve/"), {"digest": "0" * 64})
    assert response.status_code == 302
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.PENDING
    page = page_of(client.get(req_url(world, requisition)))
    assert "changed" in page
    response = client.post(req_url(world, requisition, "reject/"), {"reason": ""})
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.PENDING
    response = client.post(req_url(world, requisition, "reject/"), {"reason": "Too dear"})
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.REJECTED
    client.force_login(world.buyer)
    assert "Too dear" in page_of(client.get(req_url(world, requisition)))


def test_the_requester_may_not_decide(client, world):
    requisition = submitted(world, (world.sku_a, 2))
    client.force_login(world.buyer)
    client.post(req_url(world, requisition, "approve/"))
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.PENDING
    assert not requisition.decisions.exists()


def test_returned_lines_show_their_reason_in_the_cart(client, world):
    requisition = submitted(world, (world.sku_a, 1), (world.sku_b, 2))
    line = requisition.lines.get(sku=world.sku_b)
    client.force_login(world.approver)
    client.post(
        req_url(world, requisition, "reject/"), {"reason": "One chair", "line_ids": line.pk}
    )
    client.force_login(world.buyer)
    page = page_of(client.get(cart_url(world)))
    assert "Returned: One chair" in page and 'class="returned"' in page


def test_no_approval_needed_orders_at_once(client, world):
    requisition = draft(world, (world.sku_b, 1))
    client.force_login(world.buyer)
    client.post(req_url(world, requisition, "submit/"), {"key": "k-3"})
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.ORDERED
    page = page_of(client.get(req_url(world, requisition)))
    assert "Submitted: no approval needed." in page
    assert "No rule fired: no approval was needed." in page


# --- in Chinese ------------------------------------------------------------------------------


@pytest.mark.parametrize("with_decision", [False, True])
def test_the_pages_speak_chinese(client, world, settings, with_decision):
    requisition = draft(world, (world.sku_a, 1), (world.sku_b, 2))
    client.force_login(world.buyer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    if not with_decision:
        page = page_of(client.get(cart_url(world)))
        assert "会触发哪条规则？" in page and "提交请购单" in page and "保存详情" in page
        for english in ("Which rule would fire?", "Submit requisition", "Unit price", "Ship to"):
            assert english not in page
        return
    client.post(req_url(world, requisition, "submit/"), {"key": "zh-1"})
    page = page_of(client.get(req_url(world, requisition)))
    assert "待审批" in page and "撤回" in page and "审批" in page
    for english in ("Awaiting approval", "Withdraw", "Trail", "Who may decide", "Submitted"):
        assert english not in page
    page = page_of(client.get(list_url(world)))
    assert "我的" in page and "待我审批" in page and "Awaiting my approval" not in page


# --- placing again, withdrawing beside a new cart ---------------------------------------------


def short_of_funds(world) -> Requisition:
    """Approved for ¥52,700.00 with ¥50,000.00 in the company wallet: not placed yet."""
    requisition = submitted(world, (world.sku_a, 17))
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.APPROVED and requisition.placing_error
    return requisition


def test_placing_again_after_the_wallet_was_short(client, world):
    requisition = short_of_funds(world)
    client.force_login(world.finance)
    page = page_of(client.get(req_url(world, requisition)))
    assert "Place orders again" in page and 'data-testid="placing-error"' in page
    response = client.post(req_url(world, requisition, "place/"), {"key": "p-2"}, follow=True)
    assert says(response, ProcurementError.INSUFFICIENT_COMPANY_FUNDS)
    assert not RequisitionOrder.objects.exists()
    transfer = wallet_actions.open_bank_transfer(
        user=world.admin, company_id=world.company.pk, amount=500_000
    )
    wallet_actions.simulate_bank_transfer(
        code=transfer.code,
        amount=transfer.amount,
        payer_name=world.company.legal_name,
        notification_id="evt_webui_topup",
    )
    client.force_login(world.buyer)
    response = client.post(req_url(world, requisition, "place/"), {"key": "p-3"}, follow=True)
    assert "Orders placed." in page_of(response)
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.ORDERED
    assert RequisitionOrder.objects.filter(requisition=requisition).count() == 1


def test_who_may_not_place_again(client, world):
    requisition = short_of_funds(world)
    client.force_login(world.approver)
    page = page_of(client.get(req_url(world, requisition)))
    assert "Place orders again" not in page
    response = client.post(req_url(world, requisition, "place/"), {"key": "p-4"}, follow=True)
    assert says(response, ProcurementError.ROLE_REQUIRED)
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.APPROVED


def test_an_approval_the_wallet_cannot_pay_leaves_it_approved_and_says_so(client, world):
    requisition = submitted(world, (world.sku_a, 17))
    client.force_login(world.approver)
    client.post(req_url(world, requisition, "approve/"), follow=True)
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.APPROVED
    assert requisition.placing_error == "insufficient_company_funds"
    assert not RequisitionOrder.objects.exists()


def test_withdrawing_beside_a_new_cart_takes_the_cart_in(client, world):
    requisition = submitted(world, (world.sku_a, 2))
    actions.add_to_requisition(user=world.buyer, company_id=world.company.pk, sku_id=world.sku_b.pk)
    client.force_login(world.buyer)
    client.post(req_url(world, requisition, "withdraw/"), follow=True)
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.DRAFT
    assert sorted(requisition.lines.values_list("sku_id", flat=True)) == sorted(
        [world.sku_a.pk, world.sku_b.pk]
    )
    assert Requisition.objects.filter(requester=world.buyer, state="draft").count() == 1


def test_sending_lines_back_beside_a_new_cart_takes_the_cart_in(client, world):
    requisition = submitted(world, (world.sku_a, 2))
    actions.add_to_requisition(user=world.buyer, company_id=world.company.pk, sku_id=world.sku_a.pk)
    line = requisition.lines.get()
    client.force_login(world.approver)
    client.post(
        req_url(world, requisition, "reject/"), {"reason": "One", "line_ids": line.pk}, follow=True
    )
    requisition.refresh_from_db()
    line.refresh_from_db()
    assert requisition.state == Requisition.State.DRAFT
    assert (line.quantity, line.returned_reason) == (3, "One")
    assert Requisition.objects.filter(requester=world.buyer, state="draft").count() == 1


def test_a_department_that_is_not_a_number_is_refused(client, world):
    requisition = draft(world, (world.sku_a, 1))
    client.force_login(world.buyer)
    response = client.post(cart_url(world, "details/"), {"department": "x", "ship_to": "y"})
    assert response.status_code == 404
    requisition.refresh_from_db()
    assert requisition.department_id == world.design.pk


def test_an_approver_acting_for_the_company_finds_waiting_approvals_in_the_header(client, world):
    requisition = submitted(world, (world.sku_a, 2))
    act_for(client, world.approver, world.company)
    page = page_of(client.get(f"/companies/{world.company.pk}/"))
    assert 'id="nav-approvals"' in page
    assert f"/companies/{world.company.pk}/requisitions/?tab=awaiting" in page
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    assert 'id="nav-approvals"' not in page_of(client.get(f"/companies/{world.company.pk}/"))


def test_submitting_from_the_details_form_keeps_what_was_typed(client, world):
    requisition = draft(world, (world.sku_a, 2), po_number="")
    Requisition.objects.filter(pk=requisition.pk).update(ship_to=None, department=None)
    client.force_login(world.buyer)
    page = page_of(client.get(cart_url(world)))
    assert "<optgroup" in page  # every address is there before a department is chosen
    response = client.post(
        req_url(world, requisition, "submit/"),
        {
            "department": world.design.pk,
            "ship_to": world.ship_to.pk,
            "po_number": "PO-TYPED",
            "note": "Typed, then submitted",
            "key": "typed-1",
        },
        follow=True,
    )
    assert "Submitted: it waits for approval." in page_of(response)
    requisition.refresh_from_db()
    assert (requisition.state, requisition.po_number, requisition.note) == (
        "pending",
        "PO-TYPED",
        "Typed, then submitted",
    )


def test_a_department_with_one_address_has_it_chosen(client, world):
    requisition = draft(world, (world.sku_a, 1))
    Requisition.objects.filter(pk=requisition.pk).update(ship_to=None)
    client.force_login(world.buyer)
    page = page_of(client.get(cart_url(world)))
    assert f'<option value="{world.ship_to.pk}" selected>' in page
