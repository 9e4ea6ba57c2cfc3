"""The frame's own pages: the right column (who to follow, trends, the cart), a newcomer's
empty home timeline with accounts to follow, and the Me page."""

import pytest
from django.test import Client

from infoconnect.social import actions
from infoconnect.social.discovery import suggested_accounts

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(make_user):
    newcomer = make_user("newcomer", region="SH")
    shop = make_user("teashop", kind="merchant", verified=True, display_name="Tea House")
    local = make_user("local", region="SH")
    far = make_user("far", region="BJ")
    quiet = make_user("quiet")  # never posted: not suggested
    actions.create_post(author=local, text="Hello from Shanghai")
    actions.create_post(author=far, text="Hello from Beijing")
    return newcomer, shop, local, far, quiet


def test_suggestions_put_merchants_then_the_viewers_region_first(world):
    newcomer, shop, local, far, quiet = world
    assert suggested_accounts(viewer=newcomer) == [shop, local, far]


def test_suggestions_leave_out_whom_the_viewer_follows_blocks_or_is_blocked_by(world, make_user):
    newcomer, shop, local, far, _quiet = world
    actions.follow(follower=newcomer, target=shop)
    actions.block(blocker=far, target=newcomer)
    assert suggested_accounts(viewer=newcomer) == [local]
    actions.mute(muter=newcomer, target=local)
    assert suggested_accounts(viewer=newcomer) == []


def test_an_empty_home_timeline_offers_accounts_to_follow(world):
    newcomer, shop, *_ = world
    page = client_for(newcomer).get("/").content.decode()
    assert "Who to follow" in page
    assert 'action="/@teashop/follow/"' in page
    actions.follow(follower=newcomer, target=shop)
    actions.create_post(author=shop, text="New tea")
    assert "Who to follow" not in client_for(newcomer).get("/").content.decode()


def test_the_right_column_for_a_person(world, django_assert_max_num_queries):
    newcomer, *_ = world
    actions.create_post(author=world[2], text="#spring tea")
    client = client_for(newcomer)
    with django_assert_max_num_queries(12):
        response = client.get("/frame/rail/", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Who to follow" in page and "@teashop" in page
    assert ">#spring#</a>" in page
    assert "Your cart is empty." in page


def test_the_right_column_for_a_visitor_has_only_the_trends(world):
    page = Client().get("/frame/rail/").content.decode()
    assert "Trending topics" in page
    assert "Who to follow" not in page and "Your cart" not in page


def test_the_right_column_answers_only_a_get(world):
    assert client_for(world[0]).post("/frame/rail/").status_code == 405


def test_the_me_page_lists_everything_the_side_navigation_holds(world):
    newcomer, *_ = world
    page = client_for(newcomer).get("/me/").content.decode()
    for link in (
        'href="/@newcomer/"',
        'href="/notifications/"',
        'href="/messages/"',
        'href="/shop/"',
        'href="/wallet/"',
        'href="/accounts/settings/"',
    ):
        assert link in page, link
    assert 'action="/accounts/logout/"' in page
    assert "简体中文" in page and "English" in page


def test_the_me_page_needs_a_log_in():
    response = Client().get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/me/")
