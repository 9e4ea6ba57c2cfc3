"""Every answer carries the content security policy and the browser hardening headers: pages,
errors, the API and the sandbox cashier."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def directives(header: str) -> dict[str, str]:
    return dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in header.split(";") if part.strip()
    )


def assert_hardened(response) -> None:
    policy = directives(response["Content-Security-Policy"])
    for name, value in POLICY.items():
        assert policy[name] == value, (name, policy)
    assert policy["form-action"].startswith("'self'")
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/accounts/signup/", "/search/", "/shop/", "/no-such-page/"]
)
def test_anonymous_answers_are_hardened(path):
    assert_hardened(Client().get(path))


@pytest.mark.parametrize(
    "path", ["/", "/shop/cart/", "/wallet/", "/messages/", "/companies/", "/api/v1/products"]
)
def test_signed_in_answers_are_hardened(make_user, path):
    client = Client()
    client.force_login(make_user("alice"))
    response = client.get(path)
    assert response.status_code == 200, path
    assert_hardened(response)


def test_no_template_holds_an_inline_style_script_or_handler():
    import re
    from pathlib import Path

    import infoconnect

    found = []
    for template in Path(infoconnect.__file__).parent.glob("*/templates/**/*.html"):
        text = template.read_text()
        if re.search(r'\sstyle="|<style|<script>|\son[a-z]+="', text):
            found.append(template.name)
    assert found == []
