import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_chinese_header_says_log_out_not_deregister(make_user):
    client = Client(headers={"Accept-Language": "zh-hans"})
    client.force_login(make_user("alice"))
    page = client.get("/").content.decode()
    assert "退出登录" in page
    assert "注销" not in page


def test_error_pages_are_translated():
    page = Client(headers={"Accept-Language": "zh-hans"}).get("/@nobody_here/")
    assert page.status_code == 404


def test_words_shared_by_two_apps_keep_each_apps_meaning(make_user):
    from django.utils import translation
    from django.utils.translation import pgettext

    client = Client(headers={"Accept-Language": "zh-hans"})
    client.force_login(make_user("acme", kind="merchant", verified=True))
    assert "申请时间" in client.get("/wallet/merchant/").content.decode()
    with translation.override("zh-hans"):
        assert pgettext("refund state", "Requested") == "已申请"
        assert pgettext("attachment type", "Post") == "微博"
