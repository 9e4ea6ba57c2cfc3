"""The shop and the inbox in Simplified Chinese, as a zh-hans browser sees them."""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from infoconnect.messaging import actions as messaging_actions
from infoconnect.shop import actions
from infoconnect.shop.tests.conftest import make_product

pytestmark = pytest.mark.django_db


class _Text(HTMLParser):
    """The visible text of a page, one string per text node, scripts and styles left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.parts.append(" ".join(data.split()))


def texts(response) -> list[str]:
    parser = _Text()
    parser.feed(response.content.decode())
    return parser.parts


def chinese_client(user) -> Client:
    client = Client(headers={"Accept-Language": "zh-hans"})
    client.force_login(user)
    return client


@pytest.fixture
def acme(make_user):
    return make_user("acme", kind="merchant", verified=True, display_name="Acme")


@pytest.fixture
def alice(make_user):
    return make_user("alice", display_name="Alice")


def test_product_page_speaks_simplified_chinese(acme, alice):
    product, sku = make_product(acme, stock=5, max_per_order=3)
    actions.add_sku(
        merchant=acme, product_id=product.pk, attributes={"colour": "blue"}, price=9_900, stock=0
    )
    client = chinese_client(alice)
    response = client.get(reverse("shop:product", args=[product.pk]))
    assert response.status_code == 200
    parts = texts(response)
    assert '<html lang="zh-Hans">' in response.content.decode()
    # The header links the shop and messaging apps add; "Sell" is for merchants only.
    for label in ("商城", "订单", "私信"):
        assert label in parts
    assert "卖家中心" not in parts
    assert "选择规格" in parts
    assert "库存 5 件" in parts and "已售罄" in parts
    assert "数量" in parts and "每单最多 3 件。" in parts
    assert "加入购物车" in parts and "立即购买" in parts
    assert "Add to cart" not in parts and "Shop" not in parts

    response = client.post(
        reverse("shop:cart_add"), {"sku": sku.pk, "quantity": 1, "add": 1}, follow=True
    )
    parts = texts(response)
    assert "已加入购物车。" in parts
    assert "<title>购物车 · 信息通</title>" in response.content.decode()
    # The totals table labels its rows: the lines, shipping (free without a fee), the total.
    assert all(label in parts for label in ("商品", "运费", "包邮", "合计", "结算"))


def test_merchant_sees_sell_link_and_the_archived_state_in_chinese(acme):
    product, _sku = make_product(acme)
    actions.archive_product(merchant=acme, product_id=product.pk)
    parts = texts(chinese_client(acme).get(reverse("shop:product", args=[product.pk])))
    assert "卖家中心" in parts
    assert "未在售（已下架）。" in parts


def test_inbox_speaks_simplified_chinese(acme, alice, make_user):
    messaging_actions.send_message(sender=acme, recipient_id=alice.pk, body="新品上架")
    client = chinese_client(alice)
    response = client.get(reverse("messaging:inbox"))
    assert response.status_code == 200
    body = response.content.decode()
    parts = texts(response)
    assert "<title>私信 · 信息通</title>" in body
    assert "私信" in parts and "收件箱" in parts and "营销消息设置" in parts
    assert "✔ 已认证" in parts
    assert "新品上架" in parts
    assert "Messages" not in parts and "Inbox" not in parts

    empty = texts(chinese_client(make_user("bob")).get(reverse("messaging:inbox")))
    assert "还没有私信。" in empty

    response = client.get(reverse("messaging:conversation", args=["acme"]))
    parts = texts(response)
    assert "与 Acme 的对话" in parts
    assert "消息内容" in parts and "发送" in parts


def test_messaging_flash_message_speaks_simplified_chinese(alice):
    response = chinese_client(alice).post(
        reverse("messaging:preferences"), {"merchant": "nobody"}, follow=True
    )
    parts = texts(response)
    assert "该商家不存在。" in parts
    assert "<title>营销消息设置 · 信息通</title>" in response.content.decode()
    assert "你还没有关注任何商家。" in parts


def test_sku_editing_speaks_simplified_chinese(acme):
    product, sku = make_product(acme)
    client = chinese_client(acme)
    parts = texts(client.get(reverse("shop:product_edit", args=[product.pk])))
    assert "修改规格、价格或上下架" in parts and "保存 SKU" in parts and "在售" in parts
    prefix = f"sku-{sku.pk}"
    response = client.post(
        reverse("shop:sku_edit", args=[sku.pk]),
        {f"{prefix}-attributes": "colour: red", f"{prefix}-price": "10000000.01"},
    )
    assert response.status_code == 422
    assert "价格最高为 ¥10,000,000。" in texts(response)
    response = client.post(
        reverse("shop:sku_edit", args=[sku.pk]),
        {f"{prefix}-attributes": "colour: red", f"{prefix}-price": "99.00"},
        follow=True,
    )
    parts = texts(response)
    assert "SKU 已保存。" in parts and "停售" in parts


def test_the_variant_box_speaks_simplified_chinese(acme):
    product, sku = make_product(acme)
    client = chinese_client(acme)
    parts = texts(client.get(reverse("shop:product_edit", args=[product.pk])))
    assert "每行一个，格式为“名称: 取值”。例如：颜色: 红色" in parts
    prefix = f"sku-{sku.pk}"
    response = client.post(
        reverse("shop:sku_edit", args=[sku.pk]),
        {f"{prefix}-attributes": "颜色=红色", f"{prefix}-price": "99.00"},
    )
    assert response.status_code == 422
    assert "每行填写一个规格，格式为“名称: 取值”。" in texts(response)
    response = client.post(
        reverse("shop:sku_edit", args=[sku.pk]),
        {f"{prefix}-attributes": "颜色：红色, 白色", f"{prefix}-price": "99.00"},
    )
    sku.refresh_from_db()
    assert sku.attributes == {"颜色": "红色, 白色"}


def test_image_deletion_speaks_simplified_chinese(acme):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from infoconnect.shop.tests.conftest import png_bytes

    product, _sku = make_product(acme)
    image = actions.add_product_image(
        merchant=acme,
        product_id=product.pk,
        upload=SimpleUploadedFile("p.png", png_bytes(), content_type="image/png"),
    )
    client = chinese_client(acme)
    assert "删除图片" in texts(client.get(reverse("shop:product_edit", args=[product.pk])))
    url = reverse("shop:image_delete", args=[product.pk, image.pk])
    assert "图片已删除。" in texts(client.post(url, follow=True))
    response = client.post(url)
    assert response.status_code == 404
    assert "该图片不存在。" in texts(response)


def test_refused_text_names_its_field_in_chinese(acme, alice, api_client):
    from infoconnect.shop.tests.conftest import fund, make_address

    _product, sku = make_product(acme)
    fund(alice, 20_000)
    order = actions.buy_now(
        buyer=alice,
        sku_id=sku.pk,
        quantity=1,
        address_id=make_address(alice).pk,
        key="k",
        pay=True,
    )
    shop = api_client(acme)
    response = shop.post(
        f"/api/v1/orders/{order.pk}/ship",
        data={"carrier": " ", "tracking_number": "SF1"},
        content_type="application/json",
        headers={"Accept-Language": "zh-hans"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "请填写快递公司。"
    response = shop.post(
        f"/api/v1/orders/{order.pk}/ship",
        data={"carrier": " ", "tracking_number": "SF1"},
        content_type="application/json",
    )
    assert response.json()["error"] == "Carrier is required."
    actions.ship_order(merchant=acme, order_id=order.pk, carrier="SF", tracking_number="SF1")
    actions.confirm_receipt(buyer=alice, order_id=order.pk)
    actions.request_refund(buyer=alice, order_id=order.pk, reason="破损")
    response = chinese_client(acme).post(
        reverse("shop:order_refund_answer", args=[order.pk]),
        {"answer": "decline", "note": " ", "key": "d"},
        follow=True,
    )
    assert "请告诉买家拒绝退款的原因。" in texts(response)
    assert order.refund_request.__class__.objects.get().state == "requested"
