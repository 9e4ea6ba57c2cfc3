"""The microblog and the shared page frame in Simplified Chinese, as a zh-hans browser sees them."""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from infoconnect.social import actions

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


def chinese_client(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def people(make_user):
    alice = make_user("alice", display_name="Alice")
    bob = make_user("bob", display_name="Bob", region="SH")
    carol = make_user("carol", display_name="Carol")
    actions.follow(follower=alice, target=bob)
    actions.follow(follower=bob, target=alice)
    original = actions.create_post(author=carol, text="来自 carol 的第一条")
    actions.repost(user=bob, post_id=original.pk)
    actions.create_post(author=bob, text="今天天气不错")
    return alice, bob, carol


def test_home_page_speaks_simplified_chinese(people):
    alice, _bob, _carol = people
    response = chinese_client(alice).get(reverse("social:home"))
    assert response.status_code == 200
    body = response.content.decode()
    parts = texts(response)
    assert '<html lang="zh-Hans">' in body
    assert "<title>首页 · 信息通</title>" in body
    # The shared navigation from core's base.html.
    for label in ("首页", "通知", "搜索", "设置"):
        assert label in parts
    assert "有什么新鲜事想告诉大家？" in parts
    assert "发布" in parts
    # A plain repost by someone alice follows, and each post's action bar.
    assert "Bob 转发了" in parts
    assert "评论" in parts and "转发" in parts and "赞" in parts
    assert "转发并评论" in parts
    assert '<label class="sr-only" for="language-footer">语言</label>' in body
    assert "Home" not in parts and "Notifications" not in parts


def test_landing_page_for_a_visitor_speaks_simplified_chinese(db):
    response = chinese_client().get(reverse("social:home"))
    parts = texts(response)
    assert "<title>欢迎 · 信息通</title>" in response.content.decode()
    assert "信息通" in parts
    assert (
        "关注你喜欢的人和店铺，和他们聊天，看中他们展示的商品，不用离开对话就能直接购买。" in parts
    )
    # In the side navigation and the landing page; the phone's top bar has 登录 too.
    assert parts.count("注册") == 2 and parts.count("登录") == 3
    assert 'placeholder="搜索账号、话题和微博"' in response.content.decode()


def test_profile_page_speaks_simplified_chinese(people):
    alice, bob, _carol = people
    response = chinese_client(alice).get(reverse("social:profile", args=["bob"]))
    assert response.status_code == 200
    parts = texts(response)
    assert "<title>Bob (@bob) · 信息通</title>" in response.content.decode()
    # One plural form in Chinese: the repost and the post make "2 条微博".
    assert "2 条微博" in parts
    assert "关注 1" in parts and "粉丝 1" in parts
    assert "关注了你" in parts
    assert "地区: 上海" in parts
    for button in ("取消关注", "屏蔽", "拉黑"):
        assert button in parts
    assert "今天天气不错" in parts


def test_own_profile_and_empty_follow_list(make_user):
    dora = make_user("dora")
    client = chinese_client(dora)
    parts = texts(client.get(reverse("social:profile", args=["dora"])))
    assert "0 条微博" in parts and "关注 0" in parts and "粉丝 0" in parts
    assert "编辑资料" in parts and "暂无微博。" in parts
    response = client.get(reverse("social:followers", args=["dora"]))
    assert "<title>dora 的粉丝 · 信息通</title>" in response.content.decode()
    assert "还没有粉丝。" in texts(response)


def test_flash_messages_and_notifications_speak_simplified_chinese(people):
    alice, bob, carol = people
    client = chinese_client(carol)
    response = client.post(reverse("social:follow", args=["alice"]), follow=True)
    assert "你已关注 Alice。" in texts(response)
    post = actions.create_post(author=alice, text="hello")
    actions.like(user=carol, post_id=post.pk)

    parts = texts(chinese_client(alice).get(reverse("social:notifications")))
    assert "全部标为已读" in parts
    assert "关注了你" in parts and "赞了你的微博" in parts
    assert "查看微博" in parts and "新" in parts


def test_domain_errors_speak_simplified_chinese(people):
    alice, _bob, _carol = people
    client = chinese_client(alice)
    response = client.post(reverse("social:post_create"), {"text": "   "})
    assert response.status_code == 422
    assert "请先写点什么。" in texts(response)

    response = client.get(reverse("social:profile", args=["nobody"]))
    assert response.status_code == 404
    parts = texts(response)
    assert "该账号不存在。" in parts and "返回首页" in parts

    response = client.post(reverse("social:follow", args=["alice"]))
    assert response.status_code == 422
    assert "你不能关注自己。" in texts(response)


def test_without_a_chinese_browser_the_pages_stay_english(people):
    alice, _bob, _carol = people
    client = Client()
    client.force_login(alice)
    parts = texts(client.get(reverse("social:home")))
    assert "Home" in parts and "Notifications" in parts and "What's happening?" in parts
