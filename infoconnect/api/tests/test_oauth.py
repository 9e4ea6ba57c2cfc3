"""OAuth as Mastodon apps use it: registering an app, the authorize page, the token and
revocation endpoints, the metadata document, scopes on the API, CORS and the settings page."""

import base64
import hashlib
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken as OAuthAccessToken
from oauth2_provider.models import Application, Grant, RefreshToken

from infoconnect.accounts.models import AppRegistration
from infoconnect.api.tests.conftest import error
from infoconnect.social.models import Post

pytestmark = pytest.mark.django_db

OOB = "urn:ietf:wg:oauth:2.0:oob"
CALLBACK = "https://tooty.example/callback"
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)"(?: value="([^"]*)")?')


def register(client=None, **fields):
    data = {
        "client_name": "Tooty",
        "redirect_uris": OOB,
        "scopes": "read write follow push",
        "website": "https://tooty.example",
        **fields,
    }
    return (client or Client()).post("/api/v1/apps", data)


@pytest.fixture
def app():
    response = register(redirect_uris=f"{OOB}\n{CALLBACK}")
    assert response.status_code == 200, response.content
    return response.json()


def authorize_page(client, app, **params):
    query = {
        "client_id": app["client_id"],
        "response_type": "code",
        "redirect_uri": OOB,
        "scope": "read write follow",
        **params,
    }
    return client.get("/oauth/authorize", query)


def approve(client, page, allow=True):
    fields = {name: value or "" for name, value in HIDDEN.findall(page.content.decode())}
    if allow:
        fields["allow"] = "Authorize"
    return client.post("/oauth/authorize", fields)


def oob_code(response) -> str:
    return re.search(r'data-testid="oauth-code" class="token-key">([^<]+)<', response.text)[1]


def code_for(person_client, app, **params) -> str:
    return oob_code(approve(person_client, authorize_page(person_client, app, **params)))


def exchange(app, code, **extra):
    return Client().post(
        "/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "redirect_uri": OOB,
            **extra,
        },
    )


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def alice_browser(alice):
    client = Client()
    client.force_login(alice)
    return client


def user_token(alice_browser, app, scope="read write follow") -> str:
    response = exchange(app, code_for(alice_browser, app, scope=scope))
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


# POST /api/v1/apps --------------------------------------------------------------------------


def test_registering_an_app_answers_mastodons_application_with_its_secret_once():
    response = register()
    assert response.status_code == 200
    body = response.json()
    application = Application.objects.get()
    assert body == {
        "id": str(application.pk),
        "name": "Tooty",
        "website": "https://tooty.example",
        "scopes": ["read", "write", "follow", "push"],
        "redirect_uri": OOB,
        "redirect_uris": [OOB],
        "vapid_key": "",
        "client_id": application.client_id,
        "client_secret": body["client_secret"],
        "client_secret_expires_at": 0,
    }
    assert len(body["client_secret"]) >= 64
    # Stored hashed: the database never holds the secret.
    assert application.client_secret != body["client_secret"]
    assert application.client_type == Application.CLIENT_CONFIDENTIAL
    assert AppRegistration.objects.get().scopes == "read write follow push"


def test_registering_takes_json_with_a_list_and_forms_with_new_lines_or_brackets():
    as_json = Client().post(
        "/api/v1/apps",
        json.dumps({"client_name": "Elk", "redirect_uris": [CALLBACK, "elk://oauth"]}),
        content_type="application/json",
    )
    assert as_json.status_code == 200
    assert as_json.json()["redirect_uris"] == [CALLBACK, "elk://oauth"]
    assert as_json.json()["redirect_uri"] == f"{CALLBACK}\nelk://oauth"
    # No scopes asked: Mastodon's default, read; no website: null.
    assert (as_json.json()["scopes"], as_json.json()["website"]) == (["read"], None)
    lines = register(redirect_uris=f"{CALLBACK}\n{OOB}")
    assert lines.json()["redirect_uris"] == [CALLBACK, OOB]
    brackets = Client().post(
        "/api/v1/apps", {"client_name": "Toot", "redirect_uris[]": [OOB, CALLBACK]}
    )
    assert brackets.json()["redirect_uris"] == [OOB, CALLBACK]


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"client_name": "  "}, "app_name_invalid", "client_name"),
        ({"redirect_uris": ""}, "app_redirect_uri_invalid", "redirect_uris"),
        ({"redirect_uris": "javascript:alert(1)"}, "app_redirect_uri_invalid", "redirect_uris"),
        (
            {"redirect_uris": "https://x.example/cb#frag"},
            "app_redirect_uri_invalid",
            "redirect_uris",
        ),
        ({"redirect_uris": "https:///nohost"}, "app_redirect_uri_invalid", "redirect_uris"),
        ({"scopes": "read admin:everything"}, "app_scope_invalid", "scopes"),
        ({"website": "ftp://tooty.example"}, "app_website_invalid", "website"),
    ],
)
def test_a_bad_registration_is_a_422_naming_the_field_and_writes_nothing(fields, code, field):
    response = register(**fields)
    assert response.status_code == 422
    body = error(response)
    assert body["code"] == code
    assert list(body["fields"]) == [field]
    assert Application.objects.count() == 0
    assert AppRegistration.objects.count() == 0


def test_a_registration_with_a_value_of_the_wrong_type_is_a_422():
    response = Client().post(
        "/api/v1/apps",
        json.dumps({"client_name": "Elk", "redirect_uris": 5}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert error(response)["code"] == "validation_error"
    assert error(response)["fields"] == {"redirect_uris": ["Input should be a valid string"]}
    assert Application.objects.count() == 0


# GET /api/v1/apps/verify_credentials -------------------------------------------------------


def test_an_app_verifies_its_credentials_with_a_persons_token_or_its_own(app, alice_browser):
    expected = {key: app[key] for key in app if not key.startswith("client_")}
    token = user_token(alice_browser, app)
    response = bearer(token).get("/api/v1/apps/verify_credentials")
    assert (response.status_code, response.json()) == (200, expected)
    own = Client().post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "scope": "read",
        },
    )
    assert own.status_code == 200
    response = bearer(own.json()["access_token"]).get("/api/v1/apps/verify_credentials")
    assert (response.status_code, response.json()) == (200, expected)


def test_verifying_app_credentials_needs_an_oauth_token(api_client, alice):
    anonymous = Client().get("/api/v1/apps/verify_credentials")
    assert (anonymous.status_code, error(anonymous)["code"]) == (401, "app_token_required")
    personal = api_client(alice).get("/api/v1/apps/verify_credentials")
    assert (personal.status_code, error(personal)["code"]) == (401, "app_token_required")
    bad = bearer("not-a-token").get("/api/v1/apps/verify_credentials")
    assert (bad.status_code, error(bad)["code"]) == (401, "not_authenticated")


# /oauth/authorize --------------------------------------------------------------------------


def test_the_authorize_page_asks_a_visitor_to_log_in_first(app):
    response = authorize_page(Client(), app)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/oauth/authorize%3Fclient_id")


def test_the_authorize_page_shows_the_app_its_website_and_the_scopes_in_words(app, alice_browser):
    response = authorize_page(alice_browser, app)
    assert response.status_code == 200
    text = response.text
    assert "<h1>Authorize Tooty?</h1>" in text
    assert 'href="https://tooty.example"' in text
    assert "Tooty asks to use your account @alice to:" in text
    scopes = re.search(r'<ul data-testid="app-scopes">(.*?)</ul>', text, re.S)[1]
    assert re.findall(r"<li>(.*?)</li>", scopes) == [
        "read all your data",
        "change all your data",
        "follow, mute and block accounts",
    ]
    assert ">Authorize</button>" in text and ">Deny</button>" in text


def test_the_authorize_page_speaks_chinese(app, alice_browser):
    response = authorize_page(alice_browser, app, scope="read")
    response = alice_browser.get(
        "/oauth/authorize",
        {"client_id": app["client_id"], "response_type": "code", "redirect_uri": OOB},
        headers={"Accept-Language": "zh-Hans"},
    )
    assert "授权 Tooty？" in response.text
    assert "<li>读取你的全部数据</li>" in response.text


def test_authorizing_out_of_band_shows_the_code_that_buys_a_token(app, alice, alice_browser):
    page = approve(alice_browser, authorize_page(alice_browser, app))
    assert page.status_code == 200
    assert "Copy this code and paste it into Tooty:" in page.text
    response = exchange(app, oob_code(page))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "scope", "expires_in", "refresh_token"}
    assert (body["token_type"], body["scope"]) == ("Bearer", "read write follow")
    me = bearer(body["access_token"]).get("/api/v1/accounts/verify_credentials")
    assert (me.status_code, me.json()["username"]) == (200, "alice")
    # A code works once.
    again = exchange(app, oob_code(page))
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


def test_authorizing_redirects_to_the_registered_uri_with_the_code_and_state(app, alice_browser):
    page = authorize_page(alice_browser, app, redirect_uri=CALLBACK, state="s1")
    # The form's answer may redirect to the app (Chromium applies form-action to it).
    directives = dict(
        part.strip().split(" ", 1) for part in page["Content-Security-Policy"].split(";")
    )
    assert directives["form-action"].split()[0] == "'self'"
    assert "https://tooty.example" in directives["form-action"].split()
    response = approve(alice_browser, page)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    query = parse_qs(location.query)
    assert query["state"] == ["s1"]
    token = exchange(app, query["code"][0], redirect_uri=CALLBACK)
    assert token.status_code == 200


def test_denying_sends_access_denied_and_gives_no_code(app, alice_browser):
    redirected = approve(
        alice_browser, authorize_page(alice_browser, app, redirect_uri=CALLBACK), False
    )
    assert redirected.status_code == 302
    assert parse_qs(urlsplit(redirected["Location"]).query)["error"] == ["access_denied"]
    page = approve(alice_browser, authorize_page(alice_browser, app), allow=False)
    assert page.status_code == 403
    assert "Tooty was not given access to your account." in page.text
    assert Grant.objects.count() == 0


@pytest.mark.parametrize(
    ("params", "code", "description"),
    [
        ({"client_id": "nope"}, "invalid_request", "Invalid client_id parameter value."),
        (
            {"redirect_uri": "https://evil.example/cb"},
            "invalid_request",
            "Mismatching redirect URI.",
        ),
        ({"scope": "read admin:write"}, "invalid_scope", None),
        (
            {"code_challenge": "abc", "code_challenge_method": "plain"},
            "invalid_request",
            "Send code_challenge_method=S256 with a code_challenge.",
        ),
    ],
)
def test_a_bad_authorization_request_is_an_oauth_json_error(
    app, alice_browser, params, code, description
):
    response = authorize_page(alice_browser, app, **params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == code
    if description:
        assert response.json()["error_description"] == description
    assert Grant.objects.count() == 0


def test_an_app_may_ask_only_for_the_scopes_it_registered(alice_browser):
    narrow = register(scopes="read:statuses write:statuses").json()
    assert authorize_page(alice_browser, narrow, scope="read:statuses").status_code == 200
    wider = authorize_page(alice_browser, narrow, scope="read")
    assert (wider.status_code, wider.json()["error"]) == (400, "invalid_scope")


def test_pkce_s256_is_checked_when_the_app_sends_a_challenge(app, alice_browser):
    verifier = "v" * 50
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    pkce = {"code_challenge": challenge, "code_challenge_method": "S256"}
    wrong = exchange(app, code_for(alice_browser, app, **pkce), code_verifier="w" * 50)
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    missing = exchange(app, code_for(alice_browser, app, **pkce))
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")
    right = exchange(app, code_for(alice_browser, app, **pkce), code_verifier=verifier)
    assert right.status_code == 200


def test_a_public_client_must_use_pkce(alice_browser):
    public = Application.objects.create(
        name="Phone",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=CALLBACK,
    )
    response = authorize_page(
        alice_browser, {"client_id": public.client_id}, redirect_uri=CALLBACK, scope="read"
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == ["invalid_request"]
    assert query["error_description"] == ["Code challenge required."]


# /oauth/token and /oauth/revoke -----------------------------------------------------------


def test_the_token_endpoint_takes_json(app, alice_browser):
    code = code_for(alice_browser, app)
    response = Client().post(
        "/oauth/token",
        json.dumps(
            {
                "grant_type": "authorization_code",
                "code": code,
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "redirect_uri": OOB,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "read write follow"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"code": "not-a-code"}, 400, "invalid_grant"),
        ({"grant_type": "magic"}, 400, "unsupported_grant_type"),
        ({"redirect_uri": CALLBACK}, 400, "invalid_request"),
    ],
)
def test_a_bad_token_request_is_an_oauth_json_error(app, alice_browser, change, status, code):
    change = dict(change)
    response = exchange(app, change.pop("code", None) or code_for(alice_browser, app), **change)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == code
    assert OAuthAccessToken.objects.count() == 0


def test_a_refresh_token_buys_a_new_token_and_retires_the_old(app, alice_browser):
    first = exchange(app, code_for(alice_browser, app)).json()
    response = Client().post(
        "/oauth/token",
        {
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    )
    assert response.status_code == 200
    second = response.json()
    assert second["access_token"] != first["access_token"]
    assert second["scope"] == "read write follow"
    assert bearer(first["access_token"]).get("/api/v1/timelines/home").status_code == 401
    assert bearer(second["access_token"]).get("/api/v1/timelines/home").status_code == 200


def test_an_apps_own_token_reads_public_data_but_acts_for_nobody(app, alice, make_post):
    post = make_post(alice, "public tea")
    token = (
        Client()
        .post(
            "/oauth/token",
            {
                "grant_type": "client_credentials",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "scope": "read write",
            },
        )
        .json()["access_token"]
    )
    read = bearer(token).get(f"/api/v1/statuses/{post.pk}")
    assert (read.status_code, read.json()["content"]) == (200, "<p>public tea</p>")
    home = bearer(token).get("/api/v1/timelines/home")
    assert (home.status_code, error(home)["error"]) == (
        422,
        "This method requires an authenticated user",
    )
    posted = bearer(token).post("/api/v1/statuses", {"status": "hi"})
    assert (posted.status_code, error(posted)["code"]) == (422, "user_token_required")
    assert Post.objects.count() == 1


def test_revoking_a_token_ends_it(app, alice_browser):
    token = user_token(alice_browser, app)
    refused = Client().post(
        "/oauth/revoke", {"token": token, "client_id": app["client_id"], "client_secret": "bad"}
    )
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert bearer(token).get("/api/v1/timelines/home").status_code == 200
    response = Client().post(
        "/oauth/revoke",
        {"token": token, "client_id": app["client_id"], "client_secret": app["client_secret"]},
    )
    assert (response.status_code, response.json()) == (200, {})
    after = bearer(token).get("/api/v1/timelines/home")
    assert (after.status_code, error(after)["code"]) == (401, "not_authenticated")


@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/revoke"])
def test_oauth_endpoints_answer_a_wrong_method_and_a_wrong_path_in_json(path):
    response = Client().get(path)
    assert (response.status_code, response["Allow"]) == (405, "POST")
    assert response.json()["error"] == "invalid_request"
    missing = Client().post("/oauth/nothing-here")
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")


def test_the_authorization_server_metadata_document():
    response = Client().get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    body = response.json()
    assert body["issuer"] == "http://testserver/"
    assert body["authorization_endpoint"] == "http://testserver/oauth/authorize"
    assert body["token_endpoint"] == "http://testserver/oauth/token"
    assert body["revocation_endpoint"] == "http://testserver/oauth/revoke"
    assert body["app_registration_endpoint"] == "http://testserver/api/v1/apps"
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert body["grant_types_supported"] == [
        "authorization_code",
        "client_credentials",
        "refresh_token",
    ]
    assert body["scopes_supported"][:5] == ["read", "write", "follow", "push", "profile"]
    assert {"read:statuses", "write:media", "write:conversations"} <= set(body["scopes_supported"])
    assert len(body["scopes_supported"]) == 29


# Scopes on the API -------------------------------------------------------------------------


def test_a_token_does_only_what_its_scopes_allow(app, alice_browser, make_user):
    bob = make_user("bob")
    narrow = register(scopes="read:statuses read:accounts").json()
    client = bearer(user_token(alice_browser, narrow, scope="read:statuses read:accounts"))
    assert client.get("/api/v1/timelines/home").status_code == 200
    assert client.get("/api/v1/accounts/verify_credentials").status_code == 200
    for response in (
        client.post("/api/v1/statuses", {"status": "not allowed"}),
        client.get("/api/v1/notifications"),
        client.post(f"/api/v1/accounts/{bob.pk}/follow"),
        client.get("/api/v1/wallet"),
        client.post("/api/v1/polls/1/votes", {"choices[]": ["0"]}),
    ):
        assert response.status_code == 403
        assert response.json() == {
            "error": "This action is outside the authorized scopes",
            "code": "outside_authorized_scopes",
        }
    assert Post.objects.count() == 0


def test_parent_and_follow_scopes_include_their_granular_scopes(app, alice_browser, make_user):
    bob = make_user("bob")
    client = bearer(user_token(alice_browser, app, scope="read write follow"))
    assert client.post("/api/v1/statuses", {"status": "tea"}).status_code == 200
    assert client.post(f"/api/v1/accounts/{bob.pk}/follow").json()["following"] is True
    assert client.get("/api/v1/wallet").status_code == 200
    reader = bearer(user_token(alice_browser, app, scope="read"))
    refused = reader.post("/api/v1/addresses", {})
    assert (refused.status_code, error(refused)["code"]) == (403, "outside_authorized_scopes")


def test_personal_tokens_and_sessions_keep_every_scope(api_client, alice, alice_browser):
    assert api_client(alice).post("/api/v1/statuses", {"status": "by token"}).status_code == 200
    assert alice_browser.get("/api/v1/wallet").status_code == 200
    assert api_client(alice).get("/api/v1/notifications").status_code == 200


# CORS --------------------------------------------------------------------------------------

ORIGIN = "https://elk.zone"


@pytest.mark.parametrize(
    "path", ["/api/v1/statuses", "/oauth/token", "/oauth/revoke", "/api/v1/apps"]
)
def test_a_preflight_is_answered_for_any_origin_without_credentials(path):
    response = Client().options(
        path,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert {"authorization", "content-type"} <= set(
        response["Access-Control-Allow-Headers"].split(", ")
    )
    assert "Access-Control-Allow-Credentials" not in response


def test_api_answers_carry_cors_headers_and_pages_do_not(alice_browser, settings):
    headers = {"Origin": ORIGIN}
    for path in ("/api/v1/instance", "/.well-known/oauth-authorization-server"):
        response = Client().get(path, headers=headers)
        assert response["Access-Control-Allow-Origin"] == "*", path
        assert "Link" in response["Access-Control-Expose-Headers"]
    for path in ("/accounts/settings/", "/oauth/authorize", "/accounts/login/", "/"):
        assert "Access-Control-Allow-Origin" not in alice_browser.get(path, headers=headers)
    # The rate limiter's refusal is readable by the browser client too.
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_read": "1/m"}
    Client().get("/api/v1/instance", headers=headers)
    limited = Client().get("/api/v1/instance", headers=headers)
    assert limited.status_code == 429
    assert limited["Access-Control-Allow-Origin"] == "*"


def test_an_oauth_tokens_requests_count_against_its_person(app, alice_browser, settings):
    token = user_token(alice_browser, app)
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_read": "2/m"}
    client = bearer(token)
    assert [client.get("/api/v1/timelines/home").status_code for _ in range(3)] == [200, 200, 429]
    # Another client from the same address, anonymous, has its own count.
    assert Client().get("/api/v1/instance").status_code == 200


# Settings: authorized apps -----------------------------------------------------------------


def test_the_settings_page_lists_authorized_apps_and_revokes_one(app, alice, alice_browser):
    token = user_token(alice_browser, app, scope="read write")
    page = alice_browser.get("/accounts/settings/apps/")
    assert page.status_code == 200
    row = re.search(r'<tr id="app-\d+">(.*?)</tr>', page.text, re.S)[1]
    assert '<a href="https://tooty.example" rel="noopener noreferrer nofollow">Tooty</a>' in row
    assert "<code>read write</code>" in row
    application = Application.objects.get()
    response = alice_browser.post(f"/accounts/settings/apps/{application.pk}/revoke/", follow=True)
    assert response.redirect_chain == [("/accounts/settings/apps/", 302)]
    assert "Tooty can no longer use your account." in response.text
    assert "You have not authorized any app." in response.text
    assert bearer(token).get("/api/v1/timelines/home").status_code == 401
    assert not OAuthAccessToken.objects.exists() and not RefreshToken.objects.exists()


def test_only_the_person_revokes_their_app_and_only_by_a_csrf_checked_post(
    app, alice, alice_browser, make_user
):
    token = user_token(alice_browser, app)
    application = Application.objects.get()
    url = f"/accounts/settings/apps/{application.pk}/revoke/"
    mallory = Client()
    mallory.force_login(make_user("mallory"))
    assert mallory.post(url).status_code == 404
    assert alice_browser.get(url).status_code == 405
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(alice)
    assert forged.post(url).status_code == 403
    assert Client().post(url).status_code == 302
    assert bearer(token).get("/api/v1/timelines/home").status_code == 200
