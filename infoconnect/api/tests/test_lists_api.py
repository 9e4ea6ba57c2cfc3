"""/api/v1/lists: CRUD, members (only accounts one follows) and the list timeline."""

import json

import pytest

from infoconnect.api.tests.conftest import BASE, STATUS_FIELDS, VIEWER_FIELDS, error, links
from infoconnect.social import actions
from infoconnect.social.models import LISTS_PER_ACCOUNT, List, ListAccount, Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


@pytest.fixture
def carol(make_user):
    return make_user("carol")


def make_list(owner, title="Friends", **fields):
    return List.objects.create(owner=owner, title=title, **fields)


def test_create_a_list_from_a_form_and_from_json(api_client, alice):
    client = api_client(alice)

    form = client.post("/api/v1/lists", {"title": "  Tea   people ", "replies_policy": "none"})
    as_json = client.post(
        "/api/v1/lists", json.dumps({"title": "Shops"}), content_type="application/json"
    )

    assert form.status_code == 200, form.content
    first = List.objects.get(title="Tea people")
    assert form.json() == {
        "id": str(first.pk),
        "title": "Tea people",
        "replies_policy": "none",
        "exclusive": False,
    }
    second = List.objects.get(title="Shops")
    assert as_json.json() == {
        "id": str(second.pk),
        "title": "Shops",
        "replies_policy": "list",
        "exclusive": False,
    }
    assert [row["title"] for row in client.get("/api/v1/lists").json()] == ["Tea people", "Shops"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"title": "   "}, "list_title_invalid"),
        ({"title": "x" * 101}, "list_title_invalid"),
        ({"title": "Friends", "replies_policy": "everyone"}, "list_replies_policy_invalid"),
        ({"title": "Friends", "exclusive": "sometimes"}, "validation_error"),
        ({"title": 12}, "validation_error"),
    ],
)
def test_a_bad_list_is_refused_and_nothing_is_made(api_client, alice, body, code):
    response = api_client(alice).post(
        "/api/v1/lists", json.dumps(body), content_type="application/json"
    )

    assert response.status_code == 422
    assert error(response)["code"] == code
    assert not List.objects.exists()


def test_an_exclusive_list_takes_its_members_off_the_home_timeline(api_client, alice, make_user):
    bob, carol = make_user("bob"), make_user("carol")
    for target in (bob, carol):
        actions.follow(follower=alice, target=target)
    client = api_client(alice)
    created = client.post("/api/v1/lists", {"title": "Shops", "exclusive": "true"})
    assert created.json()["exclusive"] is True
    list_id = created.json()["id"]
    client.post(f"/api/v1/lists/{list_id}/accounts", {"account_ids[]": [str(bob.pk)]})
    from_bob = actions.create_post(author=bob, text="Sale on tea")
    actions.create_post(author=carol, text="Hello")

    home = client.get("/api/v1/timelines/home").json()
    assert [s["content"] for s in home] == ["<p>Hello</p>"]
    on_list = client.get(f"/api/v1/timelines/list/{list_id}").json()
    assert [s["id"] for s in on_list] == [str(from_bob.pk)]
    # No longer exclusive: Bob is home again.
    updated = client.put(
        f"/api/v1/lists/{list_id}", json.dumps({"exclusive": False}), "application/json"
    )
    assert updated.json()["exclusive"] is False
    home = client.get("/api/v1/timelines/home").json()
    assert [s["content"] for s in home] == ["<p>Hello</p>", "<p>Sale on tea</p>"]


def test_at_most_fifty_lists(api_client, alice):
    List.objects.bulk_create([List(owner=alice, title=f"L{n}") for n in range(LISTS_PER_ACCOUNT)])

    response = api_client(alice).post("/api/v1/lists", {"title": "One more"})

    assert response.status_code == 422
    assert error(response) == {
        "error": "You can have at most 50 lists.",
        "code": "list_limit_reached",
    }
    assert List.objects.filter(owner=alice).count() == LISTS_PER_ACCOUNT


def test_update_changes_what_is_sent_and_keeps_the_rest(api_client, alice):
    found = make_list(alice, replies_policy="followed")

    response = api_client(alice).put(
        f"/api/v1/lists/{found.pk}", json.dumps({"title": "Close friends"}), "application/json"
    )

    assert response.json() == {
        "id": str(found.pk),
        "title": "Close friends",
        "replies_policy": "followed",
        "exclusive": False,
    }
    found.refresh_from_db()
    assert (found.title, found.replies_policy) == ("Close friends", "followed")
    as_form = api_client(alice).put(
        f"/api/v1/lists/{found.pk}", "replies_policy=none", "application/x-www-form-urlencoded"
    )
    assert as_form.json()["replies_policy"] == "none"
    assert as_form.json()["title"] == "Close friends"


def test_a_bad_update_changes_nothing(api_client, alice):
    found = make_list(alice)

    response = api_client(alice).put(
        f"/api/v1/lists/{found.pk}",
        json.dumps({"title": "New", "replies_policy": "all"}),
        "application/json",
    )

    assert error(response)["code"] == "list_replies_policy_invalid"
    found.refresh_from_db()
    assert (found.title, found.replies_policy) == ("Friends", "list")


def test_another_persons_list_is_not_found_for_every_verb(api_client, alice, bob):
    found = make_list(alice)
    client = api_client(bob)
    path = f"/api/v1/lists/{found.pk}"

    for response in (
        client.get(path),
        client.put(path, json.dumps({"title": "Mine"}), "application/json"),
        client.delete(path),
        client.get(f"{path}/accounts"),
        client.post(f"{path}/accounts", {"account_ids[]": [str(alice.pk)]}),
        client.get(f"/api/v1/timelines/list/{found.pk}"),
    ):
        assert response.status_code == 404
        assert error(response) == {"error": "That list does not exist.", "code": "list_not_found"}
    found.refresh_from_db()
    assert found.title == "Friends"
    assert api_client(bob).get("/api/v1/lists").json() == []
    assert api_client().get("/api/v1/lists").status_code == 401


def test_delete_a_list(api_client, alice):
    found = make_list(alice)

    response = api_client(alice).delete(f"/api/v1/lists/{found.pk}")

    assert (response.status_code, response.json()) == (200, {})
    assert not List.objects.exists()
    assert api_client(alice).get(f"/api/v1/lists/{found.pk}").status_code == 404
    assert api_client(alice).get("/api/v1/lists/abc").status_code == 404


def test_members_are_accounts_one_follows(api_client, alice, bob, carol):
    actions.follow(follower=alice, target=bob)
    actions.follow(follower=alice, target=carol)
    found = make_list(alice)
    client = api_client(alice)

    added = client.post(
        f"/api/v1/lists/{found.pk}/accounts", {"account_ids[]": [str(bob.pk), str(carol.pk)]}
    )

    assert (added.status_code, added.json()) == (200, {})
    members = client.get(f"/api/v1/lists/{found.pk}/accounts")
    assert [row["username"] for row in members.json()] == ["carol", "bob"]
    assert [row["id"] for row in client.get(f"/api/v1/accounts/{bob.pk}/lists").json()] == [
        str(found.pk)
    ]
    first = client.get(f"/api/v1/lists/{found.pk}/accounts?limit=1")
    assert [row["username"] for row in first.json()] == ["carol"]
    assert "max_id=" in links(first)["next"]
    assert [row["username"] for row in client.get(links(first)["next"]).json()] == ["bob"]
    everyone = client.get(f"/api/v1/lists/{found.pk}/accounts?limit=0")
    assert len(everyone.json()) == 2
    assert "Link" not in everyone


def test_an_account_not_followed_adds_no_one(api_client, alice, bob, carol):
    actions.follow(follower=alice, target=bob)
    found = make_list(alice)

    response = api_client(alice).post(
        f"/api/v1/lists/{found.pk}/accounts",
        json.dumps({"account_ids": [bob.pk, carol.pk]}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert error(response) == {
        "error": "You can only add accounts you follow to a list.",
        "code": "list_needs_follow",
    }
    assert not ListAccount.objects.exists()
    for ids in ([], ["nope"], [True]):
        bad = api_client(alice).post(
            f"/api/v1/lists/{found.pk}/accounts",
            json.dumps({"account_ids": ids}),
            content_type="application/json",
        )
        assert bad.status_code == 422
    assert not ListAccount.objects.exists()


def test_remove_members_by_query_or_body_and_unfollowing_removes_them(
    api_client, alice, bob, carol
):
    actions.follow(follower=alice, target=bob)
    actions.follow(follower=alice, target=carol)
    found = make_list(alice)
    ListAccount.objects.create(list=found, account=bob)
    ListAccount.objects.create(list=found, account=carol)
    client = api_client(alice)

    response = client.delete(f"/api/v1/lists/{found.pk}/accounts?account_ids[]={bob.pk}")

    assert (response.status_code, response.json()) == (200, {})
    assert list(ListAccount.objects.values_list("account__username", flat=True)) == ["carol"]
    actions.unfollow(follower=alice, target=carol)
    assert not ListAccount.objects.exists()


def test_the_list_timeline_shows_members_posts_their_followers_may_read(
    api_client, alice, bob, carol, make_post
):
    actions.follow(follower=alice, target=bob)
    actions.follow(follower=alice, target=carol)
    found = make_list(alice)
    ListAccount.objects.create(list=found, account=bob)
    public = make_post(bob, "public")
    followers_only = make_post(bob, "followers only")
    direct = make_post(bob, "direct")
    Post.objects.filter(pk=followers_only.pk).update(visibility="private")
    Post.objects.filter(pk=direct.pk).update(visibility="direct")
    make_post(carol, "not on the list")
    make_post(alice, "own post")

    response = api_client(alice).get(f"/api/v1/timelines/list/{found.pk}")

    assert response.status_code == 200
    body = response.json()
    assert [row["content"] for row in body] == ["<p>followers only</p>", "<p>public</p>"]
    assert set(body[0]) == STATUS_FIELDS | VIEWER_FIELDS
    assert links(response)["next"] == (
        f"{BASE}/api/v1/timelines/list/{found.pk}?max_id={public.pk}"
    )


def test_the_list_timeline_follows_the_replies_policy(api_client, alice, bob, carol, make_post):
    actions.follow(follower=alice, target=bob)
    actions.follow(follower=alice, target=carol)
    found = make_list(alice, replies_policy="list")
    ListAccount.objects.create(list=found, account=bob)
    own = make_post(bob, "bob's post")
    carols = make_post(carol, "carol's post")
    make_post(bob, "reply to self", in_reply_to=own)
    make_post(bob, "reply to carol", in_reply_to=carols)
    client = api_client(alice)

    def contents():
        return [row["content"] for row in client.get(f"/api/v1/timelines/list/{found.pk}").json()]

    assert contents() == ["<p>reply to self</p>", "<p>bob&#x27;s post</p>"]
    List.objects.filter(pk=found.pk).update(replies_policy="followed")
    assert contents() == [
        "<p>reply to carol</p>",
        "<p>reply to self</p>",
        "<p>bob&#x27;s post</p>",
    ]
    List.objects.filter(pk=found.pk).update(replies_policy="none")
    assert contents() == ["<p>bob&#x27;s post</p>"]
