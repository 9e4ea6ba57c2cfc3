"""Every error of the social API is JSON {"error", "code"} with its 4xx status; no input
makes a 500. OpenAPI renders."""

import re

import pytest
from django.test import Client

from infoconnect.api.tests.conftest import error
from infoconnect.procurement.models import Company
from infoconnect.social.models import Post

pytestmark = pytest.mark.django_db

ACCOUNT_PATHS = [
    ("get", "/api/v1/accounts/{id}"),
    ("get", "/api/v1/accounts/{id}/statuses"),
    ("get", "/api/v1/accounts/{id}/followers"),
    ("get", "/api/v1/accounts/{id}/following"),
    ("post", "/api/v1/accounts/{id}/follow"),
    ("post", "/api/v1/accounts/{id}/unfollow"),
    ("post", "/api/v1/accounts/{id}/block"),
    ("post", "/api/v1/accounts/{id}/unblock"),
    ("post", "/api/v1/accounts/{id}/mute"),
    ("post", "/api/v1/accounts/{id}/unmute"),
]
STATUS_PATHS = [
    ("get", "/api/v1/statuses/{id}"),
    ("delete", "/api/v1/statuses/{id}"),
    ("get", "/api/v1/statuses/{id}/context"),
    ("post", "/api/v1/statuses/{id}/reblog"),
    ("post", "/api/v1/statuses/{id}/unreblog"),
    ("post", "/api/v1/statuses/{id}/favourite"),
    ("post", "/api/v1/statuses/{id}/unfavourite"),
]
BAD_IDS = ["abc", "12abc", "-5", "0", "1e3", "%E2%91%A0", "99999999999999999999999", "424242"]


@pytest.mark.parametrize(("method", "path"), ACCOUNT_PATHS + STATUS_PATHS)
def test_malformed_and_unknown_ids_are_json_404s(make_user, api_client, method, path):
    client = api_client(make_user("alice"))
    expected = "account_not_found" if "/accounts/" in path else "post_not_found"
    for bad in BAD_IDS:
        response = getattr(client, method)(path.format(id=bad))
        assert response.status_code == 404, (bad, response.content)
        assert error(response)["code"] == expected


WRITES = [
    ("post", "/api/v1/statuses"),
    ("post", "/api/v1/markers"),
    ("get", "/api/v1/timelines/home"),
    ("get", "/api/v1/notifications"),
    ("get", "/api/v1/accounts/verify_credentials"),
    ("get", "/api/v1/accounts/relationships"),
] + [(m, p) for m, p in ACCOUNT_PATHS + STATUS_PATHS if m != "get"]


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_writes_and_private_reads_need_a_token(make_user, make_post, method, path):
    post = make_post(make_user("alice"), "x")
    response = getattr(Client(), method)(path.format(id=post.pk))
    assert response.status_code == 401
    assert error(response) == {
        "error": "Log in or send a valid access token.",
        "code": "not_authenticated",
    }


@pytest.mark.parametrize(
    "header", ["Bearer nonsense", "Bearer ic_revoked-or-never-issued", "Bearer " + "x" * 500]
)
def test_a_bad_token_is_a_401_even_on_public_reads(make_user, make_post, header):
    post = make_post(make_user("alice"), "x")
    client = Client(headers={"Authorization": header})
    for path in (f"/api/v1/statuses/{post.pk}", "/api/v1/timelines/tag/x", "/api/v2/search?q=a"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert error(response)["code"] == "not_authenticated"


def test_anonymous_reads_are_allowed(make_user, make_post):
    alice = make_user("alice")
    post = make_post(alice, "#hello world")
    client = Client()
    for path in (
        f"/api/v1/accounts/{alice.pk}",
        f"/api/v1/accounts/{alice.pk}/statuses",
        f"/api/v1/accounts/{alice.pk}/followers",
        f"/api/v1/accounts/{alice.pk}/following",
        "/api/v1/accounts/lookup?acct=alice",
        f"/api/v1/statuses/{post.pk}",
        f"/api/v1/statuses/{post.pk}/context",
        "/api/v1/timelines/tag/hello",
        "/api/v2/search?q=hello",
        "/api/v1/instance",
    ):
        assert Client().get(path).status_code == 200, path
    assert client.get("/api/v1/timelines/tag/hello").json()[0]["id"] == str(post.pk)


def test_unknown_paths_and_methods_are_json(make_user, api_client):
    client = api_client(make_user("alice"))
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert error(response) == {"error": "Not found.", "code": "not_found"}
    response = client.patch("/api/v1/statuses/1")
    assert response.status_code == 405
    assert error(response) == {
        "error": "This method is not allowed here.",
        "code": "method_not_allowed",
    }
    assert "DELETE" in response["Allow"]


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "-1"},
        {"limit": "0"},
        {"limit": "1000000"},
        {"limit": "ten"},
        {"max_id": "x"},
        {"since_id": "-1"},
        {"min_id": "99999999999999999999999"},
        {"since_id": "9223372036854775808"},
        {"max_id": "9223372036854775808"},
        {"max_id": "1", "min_id": "5", "since_id": "2"},
    ],
)
def test_odd_paging_parameters_never_fail(make_user, api_client, make_post, query):
    alice = make_user("alice")
    make_post(alice, "#x one")
    client = api_client(alice)
    for path in (
        "/api/v1/timelines/home",
        "/api/v1/timelines/tag/x",
        "/api/v1/notifications",
        f"/api/v1/accounts/{alice.pk}/statuses",
        f"/api/v1/accounts/{alice.pk}/followers",
    ):
        response = client.get(path, query)
        assert response.status_code == 200, (path, query)
        assert isinstance(response.json(), list)
        assert len(response.json()) <= 40
    search = client.get("/api/v2/search", {"q": "one", **query})
    assert search.status_code == 200
    assert len(search.json()["statuses"]) <= 40


def test_a_form_post_with_garbage_fields_is_handled(make_user, api_client):
    client = api_client(make_user("alice"))
    response = client.post(
        "/api/v1/statuses",
        {"status": "ok", "visibility": "direct", "media_ids[]": ["1", "2"], "sensitive": "x"},
    )
    assert response.status_code == 422
    assert error(response)["code"] == "validation_error"
    assert error(response)["fields"] == {
        "sensitive": ["Input should be a valid boolean, unable to interpret input"]
    }
    response = client.post("/api/v1/statuses", "status=%FF%FE", content_type="text/plain")
    assert response.status_code == 422
    assert Post.objects.count() == 0


def test_boolean_parameters_are_validated(make_user, api_client):
    alice = make_user("alice")
    response = api_client().get(
        f"/api/v1/accounts/{alice.pk}/statuses", {"exclude_replies": "perhaps"}
    )
    assert response.status_code == 422
    assert error(response)["code"] == "validation_error"


def test_openapi_renders(api_client):
    client = api_client()
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/accounts/verify_credentials",
        "/api/v1/accounts/{account_id}/statuses",
        "/api/v1/statuses",
        "/api/v1/statuses/{status_id}/context",
        "/api/v1/timelines/home",
        "/api/v1/notifications",
        "/api/v2/search",
    ):
        assert path in paths, path
    assert "/api/{rest}" not in paths
    # Every reference points into the document's own components.
    refs = set(re.findall(r'"\$ref": "([^"]+)"', schema.content.decode()))
    components = schema.json()["components"]["schemas"]
    assert refs
    assert {ref.removeprefix("#/components/schemas/") for ref in refs} <= set(components)


@pytest.mark.parametrize(
    ("method", "path", "data", "content_type"),
    [
        ("get", "/api/v1/accounts/lookup?acct=a%00b", None, None),
        ("get", "/api/v2/search?q=a%00b", None, None),
        ("get", "/api/v1/timelines/tag/a%00b", None, None),
        ("post", "/api/v1/statuses", "status=hi%00there", "application/x-www-form-urlencoded"),
        ("post", "/api/v1/statuses", '{"status": "hi\\u0000"}', "application/json"),
    ],
)
def test_nul_characters_are_refused_not_a_500(
    make_user, api_client, method, path, data, content_type
):
    client = api_client(make_user("alice"))
    if data is None:
        response = getattr(client, method)(path)
    else:
        response = getattr(client, method)(path, data, content_type=content_type)
    assert response.status_code == 422
    assert error(response) == {
        "error": "The request contains a NUL character.",
        "code": "validation_error",
    }
    assert Post.objects.count() == 0


def test_unreadable_or_huge_bodies_are_json(make_user, api_client, settings):
    client = api_client(make_user("alice"))
    broken = client.post(
        "/api/v1/statuses",
        b'--xyz\r\nContent-Disposition: form-data; name="status"\r\n\r\nhi',
        content_type="multipart/form-data; boundary=",
    )
    assert broken.status_code in (400, 422)
    assert error(broken)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    huge = client.post("/api/v1/statuses", {"status": "x" * 500}, content_type="application/json")
    assert huge.status_code == 413
    assert error(huge)["code"] == "request_too_large"
    assert Post.objects.count() == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("patch", "/api/v1/accounts/update_credentials"),
        ("put", "/api/v1/lists/1"),
        ("put", "/api/v1/scheduled_statuses/1"),
    ],
)
def test_a_put_or_patch_with_a_multipart_body_without_boundary_is_a_400(
    make_user, api_client, method, path
):
    alice = make_user("alice")
    client = api_client(alice)
    response = getattr(client, method)(path, b"title=x", content_type="multipart/form-data")
    assert response.status_code == 400
    assert error(response) == {
        "error": "The request body could not be read.",
        "code": "bad_request",
    }
    alice.refresh_from_db()
    assert alice.display_name == ""


@pytest.mark.django_db
def test_a_form_sent_to_a_json_endpoint_is_a_415_not_a_500(make_user, api_client):
    client = api_client(make_user("alice"))
    response = client.post(
        "/api/v1/companies", {"name": "Huaxia Design", "uscc": "91350100M000100Y43"}
    )
    assert response.status_code == 415
    assert error(response)["code"] == "unsupported_media_type"
    assert not Company.objects.exists()


@pytest.mark.django_db
def test_the_apis_own_errors_speak_chinese(make_user, api_client):
    client = api_client(make_user("alice"))
    response = client.post(
        "/api/v1/companies", {"name": "华夏设计"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert error(response)["error"] == "请以 JSON 格式发送请求内容。"
