"""The company dashboard: what an admin, an approver and a buyer each see, who is told the
company does not exist, and how few queries the page takes."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from infoconnect.procurement.actions import approvals, members
from infoconnect.procurement.dashboard_reads import last_months, today
from infoconnect.procurement.models import Budget, RequisitionOrder
from infoconnect.procurement.tests.dashboard.budgets import month_budget
from infoconnect.procurement.tests.factories import add, make_company, valid_uscc
from infoconnect.procurement.tests.requisitions.world import submitted
from infoconnect.shop.models import Category, Order

SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.django_db


def url(world) -> str:
    return reverse("procurement:dashboard", args=[world.company.pk])


def open_as(client, user, world):
    client.force_login(user)
    return client.get(url(world))


def ordered(world, *items, po_number="PO-2026-001"):
    """A requisition of the buyer's, approved when it needs to be, and so ordered."""
    requisition = submitted(world, *items, po_number=po_number)
    if requisition.state == "pending":
        approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    return requisition


@pytest.fixture
def office(world):
    category = Category.objects.create(name="Office", slug="office")
    world.sku_a.product.category = category
    world.sku_a.product.save(update_fields=["category"])
    return category


def test_the_admin_sees_every_budget_and_the_spend(client, world, office):
    design = month_budget(world.design, 2_000_000)
    operations = month_budget(world.operations, 1_000_000)
    ordered(world, (world.sku_a, 1), (world.sku_b, 2))  # ¥3,100.00 + ¥3,100.00
    response = open_as(client, world.admin, world)
    assert response.status_code == 200
    page = response.context["page"]
    assert [bar.budget for bar in page.budgets] == [design, operations]
    body = response.content.decode()
    assert "¥6,200.00 of ¥20,000.00 used" in body
    assert "¥0.00 of ¥10,000.00 used" in body
    assert 'role="progressbar"' in body and 'aria-valuenow="620000"' in body
    assert 'aria-valuemax="2000000"' in body
    first, last = design.starts_on, design.ends_on - timedelta(days=1)
    assert f"{first:%Y-%m-%d} – {last:%Y-%m-%d}" in body
    charts = {key: [(bar.label, bar.amount) for bar in bars] for key, _t, bars in
              response.context["spend_charts"]}  # fmt: skip
    assert charts["department"] == [("Design", 620_000)]
    assert charts["category"] == [("Office", 310_000), ("Uncategorised", 310_000)]
    assert charts["merchant"] == [("shop_a shop", 310_000), ("shop_b shop", 310_000)]
    months = charts["month"]
    assert len(months) == 12 and months[-1] == (today().strftime("%Y-%m"), 620_000)
    assert sum(amount for _label, amount in months[:-1]) == 0
    assert "¥6,200.00 in the last 12 months" in body
    # The admin asked for nothing and approves nothing here.
    assert page.pending == [] and page.mine == []


def test_the_approver_sees_what_waits_for_them(client, world):
    requisition = submitted(world, (world.sku_a, 2))
    response = open_as(client, world.approver, world)
    [pending] = response.context["page"].pending
    assert pending == requisition
    body = response.content.decode()
    row = body[body.index(f'id="pending-{requisition.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f'href="/companies/{world.company.pk}/requisitions/{requisition.pk}/"' in row
    assert f"R-{requisition.pk}" in row and "Buyer" in row and "¥6,200.00" in row
    assignee = requisition.steps.get().assignees.get(user=world.approver)
    since = assignee.added_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert since in row
    # Once decided, it waits no more.
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    assert open_as(client, world.approver, world).context["page"].pending == []


def test_the_buyer_sees_their_requisitions_and_only_their_spend(client, world, make_user):
    month_budget(world.design, 2_000_000)
    month_budget(world.operations, 1_000_000)
    mine = ordered(world, (world.sku_b, 1), po_number="PO-1")
    waiting = submitted(world, (world.sku_a, 2), po_number="PO-2")
    colleague = make_user("colleague", display_name="Colleague")
    add(world.company, world.admin, colleague, "buyer", department=world.design)
    world.buyer, buyer = colleague, world.buyer
    theirs = ordered(world, (world.sku_a, 1), po_number="PO-3")
    world.buyer = buyer

    response = open_as(client, buyer, world)
    page = response.context["page"]
    assert [(r.pk, r.state) for r in page.mine] == [
        (waiting.pk, "pending"),
        (mine.pk, "ordered"),
    ]
    assert "Awaiting approval" in response.content.decode()
    # The Design budget their role covers; not Operations'.
    assert [bar.budget.department for bar in page.budgets] == [world.design]
    assert page.spend.total == 155_000
    # The colleague's order is in the company's spend, for the admin.
    admin_page = open_as(client, world.admin, world).context["page"]
    assert admin_page.spend.total == 155_000 + theirs.total


def test_a_department_approver_sees_their_departments_budgets_and_spend(client, world, make_user):
    month_budget(world.design, 2_000_000)
    month_budget(world.operations, 1_000_000)
    ordered(world, (world.sku_b, 1))
    lead = make_user("lead")
    add(world.company, world.admin, lead, "approver", department=world.operations)
    page = open_as(client, lead, world).context["page"]
    assert [bar.budget.department for bar in page.budgets] == [world.operations]
    assert page.spend.total == 0
    assert "No spend yet." in open_as(client, lead, world).content.decode()


def test_spend_leaves_out_what_was_released_and_unpaid_orders(client, world):
    requisition = ordered(world, (world.sku_a, 1), (world.sku_b, 2))
    first, second = RequisitionOrder.objects.filter(requisition=requisition).order_by("pk")
    RequisitionOrder.objects.filter(pk=first.pk).update(released=10_000)
    Order.objects.filter(pk=second.order_id).update(closed_at=second.order.created_at)
    page = open_as(client, world.admin, world).context["page"]
    assert page.spend.total == 620_000 - 10_000


def test_an_over_approved_budget_says_so(client, world):
    budget = month_budget(world.design, 500_000)
    Budget.objects.filter(pk=budget.pk).update(spent=600_000, over_approved=100_000)
    body = open_as(client, world.admin, world).content.decode()
    assert "¥6,000.00 of ¥5,000.00 used" in body
    assert "Over-budget approvals allowed ¥1,000.00 beyond the amount." in body
    assert 'aria-valuenow="500000"' in body  # the bar is full, the text says how far over


def test_another_companys_member_and_a_removed_member_are_told_it_does_not_exist(
    client, world, make_user
):
    other_admin = make_user("other")
    make_company(other_admin, name="Other Co.", code=valid_uscc(3))
    response = open_as(client, other_admin, world)
    assert response.status_code == 404
    assert b"not_a_member" in response.content
    members.remove_member(
        admin_user=world.admin, company_id=world.company.pk, member_user_id=world.buyer.pk
    )
    assert open_as(client, world.buyer, world).status_code == 404
    csv_url = reverse("procurement:dashboard_csv", args=[world.company.pk])
    assert client.get(csv_url).status_code == 404


def test_an_anonymous_visitor_is_asked_to_log_in(client, world):
    response = client.get(url(world))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_company_page_links_the_dashboard(client, world):
    client.force_login(world.buyer)
    response = client.get(reverse("procurement:company", args=[world.company.pk]))
    assert f'href="{url(world)}"'.encode() in response.content


def test_the_page_takes_a_few_queries_however_much_there_is(
    client, world, office, django_assert_max_num_queries
):
    month_budget(world.design, 5_000_000)
    month_budget(world.operations, 1_000_000)
    for n in range(3):
        ordered(world, (world.sku_a, 1), (world.sku_b, 1), po_number=f"PO-{n}")
    for n in range(3):
        submitted(world, (world.sku_a, 2), po_number=f"PO-W{n}")
    # Ten for the dashboard's reads and the session; the rest are the site header's.
    client.force_login(world.approver)
    with django_assert_max_num_queries(16):
        response = client.get(url(world))
    assert len(response.context["page"].pending) == 3
    client.force_login(world.admin)
    with django_assert_max_num_queries(16):
        response = client.get(url(world))
    assert response.context["page"].spend.total == 3 * 465_000


def test_last_months_cross_the_year():
    months = last_months(date(2026, 2, 14))
    assert months[0] == date(2025, 3, 1) and months[-1] == date(2026, 2, 1)
    assert len(months) == 12


def test_the_page_and_the_csv_speak_chinese(world):
    month_budget(world.design, 2_000_000)
    submitted(world, (world.sku_b, 1))
    client = Client(headers={"Accept-Language": "zh-hans"})
    client.force_login(world.admin)
    body = client.get(url(world)).content.decode()
    for text in ("待我审批", "我的请购单", "预算", "支出", "按部门", "按月份"):
        assert text in body
    assert "已用 ¥1,550.00，共 ¥20,000.00" in body
    csv_url = reverse("procurement:dashboard_csv", args=[world.company.pk])
    header = client.get(csv_url).content.decode("utf-8-sig").splitlines()[0]
    assert header == "月份,部门,类目,商家,金额,币种"
    assert "未分类" in client.get(csv_url).content.decode("utf-8-sig")
