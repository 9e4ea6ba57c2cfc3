"""Fixtures shared by every app's tests."""

import os
import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# beside it are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
TEST_PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    # Tasks run when they are enqueued, uploads go to a temporary folder, caches are fresh.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests make many requests and logins in a row: rate limits and the login lockout are off
    # unless a test turns them on (infoconnect/core/tests/test_ratelimits.py, accounts' lockout tests).
    settings.RATELIMIT_ENABLE = False
    settings.AXES_ENABLED = False
    # Tests run with DEBUG off, where the sandbox provider is refused unless enabled on purpose.
    settings.WALLET_SANDBOX_ENABLED = True
    settings.WALLET_SANDBOX_SECRET = "sandbox-test-secret"
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    # A request in another language leaves that language active in the thread: start each
    # test in the default one.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
    cache.clear()


@pytest.fixture
def make_user(db):
    """make_user("alice") -> a person; make_user("shop", kind="merchant", verified=True)."""
    from infoconnect.accounts.models import MerchantProfile, User

    def make(username: str, *, kind: str = "person", verified: bool = False, **fields) -> User:
        user = User.objects.create_user(
            username=username,
            password=fields.pop("password", TEST_PASSWORD),
            email=fields.pop("email", f"{username}@example.com"),
            kind=kind,
            **fields,
        )
        if kind == "merchant":
            MerchantProfile.objects.create(
                user=user,
                shop_name=f"{username} shop",
                company_name=f"{username} Trading Co., Ltd.",
                business_license_number="91310000MA1FL8TQ3X",
                contact_phone="13800138000",
                status=MerchantProfile.Status.VERIFIED
                if verified
                else MerchantProfile.Status.PENDING,
            )
            if verified:
                User.objects.filter(pk=user.pk).update(is_verified_merchant=True)
                user.is_verified_merchant = True
        return user

    return make


@pytest.fixture
def api_client(db):
    """api_client(user) -> a test client that sends that user's bearer token; api_client() is anonymous."""
    from django.test import Client

    from infoconnect.accounts.models import AccessToken
    from infoconnect.accounts.tokens import new_token_key

    def make(user=None) -> Client:
        if user is None:
            return Client()
        key = new_token_key()
        AccessToken.objects.create(
            user=user, name="tests", key_hash=AccessToken.hash_key(key), hint=key[:7]
        )
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


class _OneRequestAtATime(ThreadedWSGIServer):
    """The live server, answering one request at a time when its threads share the test's
    in-memory SQLite connection. Two requests on that one connection can deadlock in CPython's
    sqlite3: one holds the connection inside a query calling a Python SQL function (Django's
    date truncation) and waits for the GIL, while the other holds the GIL binding a parameter
    and waits for the connection. PostgreSQL gives each thread its own connection, and keeps
    concurrent requests."""

    def set_app(self, application):
        if self.connections_override:
            lock = threading.Lock()
            inner = application

            def application(environ, start_response):
                with lock:
                    return inner(environ, start_response)

        super().set_app(application)


LiveServerThread.server_class = _OneRequestAtATime


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _close_browser_contexts(request):
    """After a browser test, every context it opened is closed, also when it failed half way:
    a page left open keeps polling the live server for the rest of the run."""
    yield
    if "browser" in request.fixturenames:
        for context in list(request.getfixturevalue("browser").contexts):
            context.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page):
    """login(page_or_none, username) signs a user in through the real log-in form."""

    def do(username: str, password: str = TEST_PASSWORD, target=None):
        target = target or page
        target.goto("/accounts/login/")
        target.get_by_label("Username").fill(username)
        target.get_by_label("Password").fill(password)
        target.get_by_role("button", name="Log in").click()
        # The log-in page's own address ends in "/" too: wait until the browser has left it.
        target.wait_for_url(lambda url: "/accounts/login/" not in url)
        return target

    return do
