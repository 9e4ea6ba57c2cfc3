"""/api/v2/filters with keywords and statuses, /api/v1/filters, and filters applied to the
statuses a person reads (warn: `filtered`; hide: left out)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.api.tests.conftest import error
from infoconnect.social import actions
from infoconnect.social.models import Filter, FilterKeyword, FilterStatus

pytestmark = pytest.mark.django_db


def put(client, path, data):
    return client.put(path, json.dumps(data), content_type="application/json")


def post_json(client, path, data):
    return client.post(path, json.dumps(data), content_type="application/json")


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def made(alice, api_client):
    """Alice's filter "Spoilers" (home, thread; warn) with the keyword "finale"."""
    client = api_client(alice)
    body = post_json(
        client,
        "/api/v2/filters",
        {
            "title": "Spoilers",
            "context": ["thread", "home"],
            "keywords_attributes": [{"keyword": "finale", "whole_word": True}],
        },
    ).json()
    return client, body


def test_create_a_filter_from_a_form(alice, api_client):
    response = api_client(alice).post(
        "/api/v2/filters",
        {
            "title": " Politics ",
            "context[]": ["home", "public"],
            "filter_action": "hide",
            "expires_in": "3600",
            "keywords_attributes[][keyword]": ["election", "#vote"],
            "keywords_attributes[][whole_word]": ["false", "true"],
        },
    )

    assert response.status_code == 200, response.content
    row = Filter.objects.get()
    keywords = list(row.keywords.order_by("pk"))
    body = response.json()
    assert body == {
        "id": str(row.pk),
        "title": "Politics",
        "context": ["home", "public"],
        "expires_at": body["expires_at"],
        "filter_action": "hide",
        "keywords": [
            {"id": str(keywords[0].pk), "keyword": "election", "whole_word": False},
            {"id": str(keywords[1].pk), "keyword": "#vote", "whole_word": True},
        ],
        "statuses": [],
    }
    left = row.expires_at - timezone.now()
    assert timedelta(minutes=59) < left <= timedelta(hours=1)


def test_create_a_filter_with_indexed_keywords(alice, api_client):
    response = api_client(alice).post(
        "/api/v2/filters",
        {
            "title": "Tea",
            "context[]": ["notifications"],
            "keywords_attributes[0][keyword]": "oolong",
            "keywords_attributes[1][keyword]": "puer",
            "keywords_attributes[1][whole_word]": "0",
        },
    )

    body = response.json()
    assert body["filter_action"] == "warn" and body["expires_at"] is None
    assert [(k["keyword"], k["whole_word"]) for k in body["keywords"]] == [
        ("oolong", True),
        ("puer", False),
    ]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"context": ["home"]}, "title"),
        ({"title": "  ", "context": ["home"]}, "title"),
        ({"title": "x" * 201, "context": ["home"]}, "title"),
        ({"title": "T"}, "context"),
        ({"title": "T", "context": ["home", "everywhere"]}, "context"),
        ({"title": "T", "context": ["home"], "filter_action": "blur"}, "filter_action"),
        ({"title": "T", "context": ["home"], "expires_in": "soon"}, "expires_in"),
        ({"title": "T", "context": ["home"], "expires_in": -5}, "expires_in"),
        ({"title": "T", "context": ["home"], "keywords_attributes": [{"keyword": " "}]}, "keyword"),
        (
            {"title": "T", "context": ["home"], "keywords_attributes": [{"whole_word": "maybe"}]},
            "whole_word",
        ),
        ({"title": "T", "context": ["home"], "keywords_attributes": "tea"}, "keywords_attributes"),
    ],
)
def test_a_bad_filter_is_refused_and_nothing_is_written(alice, api_client, data, field):
    response = post_json(api_client(alice), "/api/v2/filters", data)

    assert response.status_code == 422
    body = error(response)
    assert body["code"] in ("filter_invalid", "validation_error")
    assert field in body["fields"]
    assert not Filter.objects.exists() and not FilterKeyword.objects.exists()


def test_filters_need_a_token(api_client):
    assert error(api_client().get("/api/v2/filters"))["code"] == "not_authenticated"
    assert api_client().post("/api/v2/filters", {"title": "T"}).status_code == 401
    assert not Filter.objects.exists()


def test_list_get_update_delete(made, make_user, api_client):
    client, body = made
    filter_id = body["id"]
    keyword_id = body["keywords"][0]["id"]

    assert client.get("/api/v2/filters").json() == [body]
    assert client.get(f"/api/v2/filters/{filter_id}").json() == body

    changed = put(
        client,
        f"/api/v2/filters/{filter_id}",
        {
            "title": "Telly",
            "filter_action": "hide",
            "expires_in": 60,
            "keywords_attributes": [
                {"id": keyword_id, "_destroy": True},
                {"keyword": "season two", "whole_word": False},
            ],
        },
    )
    assert changed.status_code == 200, changed.content
    new = FilterKeyword.objects.get()
    assert changed.json() == {
        **body,
        "title": "Telly",
        "filter_action": "hide",
        "expires_at": changed.json()["expires_at"],
        "keywords": [{"id": str(new.pk), "keyword": "season two", "whole_word": False}],
    }
    assert changed.json()["expires_at"] is not None

    # A form PUT, as Mastodon.py sends one; an empty expires_in means never.
    form = client.put(
        f"/api/v2/filters/{filter_id}",
        "expires_in=&context%5B%5D=public",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 200, form.content
    assert form.json()["expires_at"] is None and form.json()["context"] == ["public"]

    assert client.delete(f"/api/v2/filters/{filter_id}").json() == {}
    assert not Filter.objects.exists() and not FilterKeyword.objects.exists()
    assert error(client.get(f"/api/v2/filters/{filter_id}"))["code"] == "filter_not_found"


def test_a_bad_update_changes_nothing(made):
    client, body = made
    response = put(
        client,
        f"/api/v2/filters/{body['id']}",
        {"title": "New", "keywords_attributes": [{"keyword": ""}]},
    )
    assert error(response)["code"] == "filter_invalid"
    assert client.get(f"/api/v2/filters/{body['id']}").json() == body

    missing = put(
        client,
        f"/api/v2/filters/{body['id']}",
        {"title": "New", "keywords_attributes": [{"id": "999999", "keyword": "x"}]},
    )
    assert error(missing)["code"] == "filter_keyword_not_found"
    assert Filter.objects.get().title == "Spoilers"


def test_another_persons_filter_is_not_found(made, make_user, api_client):
    _client, body = made
    bob = api_client(make_user("bob"))
    filter_id, keyword_id = body["id"], body["keywords"][0]["id"]

    assert bob.get("/api/v2/filters").json() == []
    for response in (
        bob.get(f"/api/v2/filters/{filter_id}"),
        put(bob, f"/api/v2/filters/{filter_id}", {"title": "Mine"}),
        bob.delete(f"/api/v2/filters/{filter_id}"),
        bob.get(f"/api/v2/filters/{filter_id}/keywords"),
        post_json(bob, f"/api/v2/filters/{filter_id}/keywords", {"keyword": "x"}),
        bob.get(f"/api/v2/filters/{filter_id}/statuses"),
        bob.get("/api/v2/filters/not-a-number"),
    ):
        assert response.status_code == 404
        assert error(response)["code"] == "filter_not_found"
    for response in (
        bob.get(f"/api/v2/filter_keywords/{keyword_id}"),
        put(bob, f"/api/v2/filter_keywords/{keyword_id}", {"keyword": "mine"}),
        bob.delete(f"/api/v2/filter_keywords/{keyword_id}"),
    ):
        assert error(response)["code"] == "filter_keyword_not_found"
    assert Filter.objects.get().title == "Spoilers"
    assert FilterKeyword.objects.get().keyword == "finale"


def test_keywords(made):
    client, body = made
    filter_id = body["id"]

    added = client.post(f"/api/v2/filters/{filter_id}/keywords", {"keyword": "ending"})
    assert added.status_code == 200
    new_id = added.json()["id"]
    assert added.json() == {"id": new_id, "keyword": "ending", "whole_word": True}
    assert [k["keyword"] for k in client.get(f"/api/v2/filters/{filter_id}/keywords").json()] == [
        "finale",
        "ending",
    ]
    changed = put(client, f"/api/v2/filter_keywords/{new_id}", {"whole_word": False})
    assert changed.json() == {"id": new_id, "keyword": "ending", "whole_word": False}
    assert client.get(f"/api/v2/filter_keywords/{new_id}").json() == changed.json()

    assert error(client.post(f"/api/v2/filters/{filter_id}/keywords", {}))["code"] == (
        "filter_invalid"
    )
    bad = put(client, f"/api/v2/filter_keywords/{new_id}", {"keyword": ""})
    assert error(bad)["code"] == "filter_invalid"
    assert FilterKeyword.objects.get(pk=new_id).keyword == "ending"

    assert client.delete(f"/api/v2/filter_keywords/{new_id}").json() == {}
    assert FilterKeyword.objects.count() == 1


def test_filtered_statuses(made, make_user, make_post, api_client):
    client, body = made
    filter_id = body["id"]
    bob = make_user("bob")
    post = make_post(bob, "a plain post")

    added = client.post(f"/api/v2/filters/{filter_id}/statuses", {"status_id": str(post.pk)})
    assert added.status_code == 200
    row = FilterStatus.objects.get()
    assert added.json() == {"id": str(row.pk), "status_id": str(post.pk)}
    assert client.get(f"/api/v2/filters/{filter_id}/statuses").json() == [added.json()]
    assert client.get(f"/api/v2/filter_statuses/{row.pk}").json() == added.json()
    assert client.get(f"/api/v2/filters/{filter_id}").json()["statuses"] == [added.json()]

    again = client.post(f"/api/v2/filters/{filter_id}/statuses", {"status_id": str(post.pk)})
    assert error(again)["code"] == "filter_status_exists"
    missing = client.post(f"/api/v2/filters/{filter_id}/statuses", {"status_id": "999999"})
    assert error(missing)["code"] == "post_not_found"
    assert error(client.post(f"/api/v2/filters/{filter_id}/statuses", {}))["code"] == (
        "validation_error"
    )
    assert FilterStatus.objects.count() == 1

    carol = api_client(make_user("carol"))
    assert error(carol.get(f"/api/v2/filter_statuses/{row.pk}"))["code"] == (
        "filter_status_not_found"
    )
    assert carol.delete(f"/api/v2/filter_statuses/{row.pk}").status_code == 404

    assert client.delete(f"/api/v2/filter_statuses/{row.pk}").json() == {}
    assert not FilterStatus.objects.exists()


def test_the_v1_view_is_one_filter_per_keyword(made):
    client, body = made
    client.post(f"/api/v2/filters/{body['id']}/keywords", {"keyword": "ending"})
    hidden = post_json(
        client,
        "/api/v2/filters",
        {"title": "H", "context": ["public"], "filter_action": "hide"},
    ).json()
    post_json(client, f"/api/v2/filters/{hidden['id']}/keywords", {"keyword": "crypto"})
    keywords = list(FilterKeyword.objects.order_by("pk"))

    assert client.get("/api/v1/filters").json() == [
        {
            "id": str(keywords[0].pk),
            "phrase": "finale",
            "context": ["home", "thread"],
            "whole_word": True,
            "expires_at": None,
            "irreversible": False,
        },
        {
            "id": str(keywords[1].pk),
            "phrase": "ending",
            "context": ["home", "thread"],
            "whole_word": True,
            "expires_at": None,
            "irreversible": False,
        },
        {
            "id": str(keywords[2].pk),
            "phrase": "crypto",
            "context": ["public"],
            "whole_word": True,
            "expires_at": None,
            "irreversible": True,
        },
    ]


# Applied to what a person reads ----------------------------------------------------------


@pytest.fixture
def timeline(alice, make_user, make_post):
    bob = make_user("bob")
    actions.follow(follower=alice, target=bob)
    posts = {
        "match": make_post(bob, "The FINALE was great #telly"),
        "inside": make_post(bob, "finales everywhere #telly"),
        "plain": make_post(bob, "Tea time #telly"),
    }
    return bob, posts


def test_a_warn_filter_marks_the_statuses_it_matches(made, timeline):
    client, body = made
    _bob, posts = timeline

    home = {s["id"]: s for s in client.get("/api/v1/timelines/home").json()}

    assert len(home) == 3
    assert home[str(posts["match"].pk)]["filtered"] == [
        {"filter": body, "keyword_matches": ["finale"], "status_matches": None}
    ]
    # A whole-word keyword does not match inside a longer word.
    assert home[str(posts["inside"].pk)]["filtered"] == []
    assert home[str(posts["plain"].pk)]["filtered"] == []


def test_a_filtered_status_and_a_repost_of_it(made, timeline, make_user, api_client):
    client, body = made
    bob, posts = timeline
    client.post(f"/api/v2/filters/{body['id']}/statuses", {"status_id": str(posts["plain"].pk)})
    before = {s["id"]: s for s in client.get("/api/v1/timelines/home").json()}
    shared = actions.repost(user=bob, post_id=posts["plain"].pk)

    home = {s["id"]: s for s in client.get("/api/v1/timelines/home").json()}

    fresh = client.get(f"/api/v2/filters/{body['id']}").json()
    expected = [
        {"filter": fresh, "keyword_matches": None, "status_matches": [str(posts["plain"].pk)]}
    ]
    assert before[str(posts["plain"].pk)]["filtered"] == expected
    assert home[str(shared.pk)]["filtered"] == expected
    # On the timeline the newer repost stands for the status: it shows once.
    assert str(posts["plain"].pk) not in home
    # Another person's statuses are not filtered by Alice's filter.
    other = api_client(make_user("carol")).get(f"/api/v1/statuses/{posts['match'].pk}")
    assert other.json()["filtered"] == []


def test_a_hide_filter_leaves_statuses_out_of_its_contexts_only(alice, timeline, api_client):
    client = api_client(alice)
    _bob, posts = timeline
    post_json(
        client,
        "/api/v2/filters",
        {
            "title": "No finale",
            "context": ["home"],
            "filter_action": "hide",
            "keywords_attributes": [{"keyword": "finale"}],
        },
    )

    home = [s["id"] for s in client.get("/api/v1/timelines/home").json()]
    tag = [s["id"] for s in client.get("/api/v1/timelines/tag/telly").json()]

    assert home == [str(posts["plain"].pk), str(posts["inside"].pk)]
    assert tag == [str(p.pk) for p in (posts["plain"], posts["inside"], posts["match"])]
    # Still readable on its own, marked.
    one = client.get(f"/api/v1/statuses/{posts['match'].pk}").json()
    assert one["filtered"][0]["filter"]["filter_action"] == "hide"


def test_a_hide_filter_leaves_notifications_out(alice, make_user, make_post, api_client):
    client = api_client(alice)
    bob = make_user("bob")
    post_json(
        client,
        "/api/v2/filters",
        {
            "title": "Shh",
            "context": ["notifications"],
            "filter_action": "hide",
            "keywords_attributes": [{"keyword": "spam"}],
        },
    )
    make_post(bob, "@alice buy my spam")
    kept = make_post(bob, "@alice hello")

    notes = client.get("/api/v1/notifications").json()

    assert [n["status"]["id"] for n in notes] == [str(kept.pk)]


def test_an_expired_filter_no_longer_applies(made, timeline):
    client, body = made
    _bob, posts = timeline
    Filter.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    home = {s["id"]: s for s in client.get("/api/v1/timelines/home").json()}

    assert home[str(posts["match"].pk)]["filtered"] == []
    assert client.get("/api/v2/filters").json()[0]["expires_at"] is not None


def test_filter_errors_speak_simplified_chinese(alice, api_client):
    response = api_client(alice).post(
        "/api/v2/filters", {"title": "T"}, headers={"Accept-Language": "zh-hans"}
    )

    assert error(response) == {
        "error": "请选择过滤器适用的位置：home、notifications、public、thread、account。",
        "code": "filter_invalid",
        "fields": {
            "context": ["请选择过滤器适用的位置：home、notifications、public、thread、account。"]
        },
    }
    assert not Filter.objects.exists()
