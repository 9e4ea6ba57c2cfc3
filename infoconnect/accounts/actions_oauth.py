"""OAuth apps: a client registers itself (Mastodon's POST /api/v1/apps), and a person takes
back an app's access."""

from urllib.parse import urlsplit

from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken as OAuthAccessToken
from oauth2_provider.models import Application, Grant, RefreshToken

from infoconnect.accounts.errors import AccountsError
from infoconnect.accounts.models import AppRegistration, User
from infoconnect.accounts.oauth import OOB_REDIRECT_URI, parse_scopes
from infoconnect.core.errors import DomainError

MAX_REDIRECT_URIS = 10
# Schemes a browser would run or read locally instead of handing to an app.
UNSAFE_SCHEMES = frozenset({"javascript", "data", "file", "vbscript", "blob", "about"})


def _field_error(error: AccountsError, field: str) -> DomainError:
    return DomainError(error, fields={field: [str(error.message)]})


def _check_redirect_uri(uri: str) -> str:
    if uri == OOB_REDIRECT_URI:
        return uri
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if (
        len(uri) > 2000
        or not scheme
        or scheme in UNSAFE_SCHEMES
        or "#" in uri
        or "@" in parts.netloc
        or any(char.isspace() for char in uri)
        or (scheme in {"http", "https"} and not parts.hostname)
    ):
        raise _field_error(AccountsError.APP_REDIRECT_URI_INVALID, "redirect_uris")
    return uri


def _check_website(website: str) -> str:
    if not website:
        return ""
    parts = urlsplit(website)
    if len(website) > 2000 or parts.scheme not in {"http", "https"} or not parts.hostname:
        raise _field_error(AccountsError.APP_WEBSITE_INVALID, "website")
    return website


@transaction.atomic
def register_app(
    *, name: str, redirect_uris: list[str], scopes: str = "", website: str = ""
) -> tuple[Application, str]:
    """Register a client app; return it and its client secret, which is stored hashed and
    shown only in this answer. Every app is confidential, as on Mastodon."""
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 255:
        raise _field_error(AccountsError.APP_NAME_INVALID, "client_name")
    uris = list(dict.fromkeys(uri.strip() for uri in redirect_uris if uri.strip()))
    if not 1 <= len(uris) <= MAX_REDIRECT_URIS:
        raise _field_error(AccountsError.APP_REDIRECT_URI_INVALID, "redirect_uris")
    uris = [_check_redirect_uri(uri) for uri in uris]
    asked = parse_scopes(scopes or "read")
    if not asked:
        raise _field_error(AccountsError.APP_SCOPE_INVALID, "scopes")
    website = _check_website((website or "").strip())
    secret = generate_client_secret()
    application = Application.objects.create(
        name=name,
        redirect_uris=" ".join(uris),
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        client_secret=secret,
    )
    AppRegistration.objects.create(application=application, website=website, scopes=" ".join(asked))
    return application, secret


@transaction.atomic
def revoke_app_authorization(*, user: User, application_id: int) -> None:
    """Take back every token and pending code the person gave the app: its next request is
    refused."""
    tokens = OAuthAccessToken.objects.filter(user=user, application_id=application_id)
    refresh = RefreshToken.objects.filter(user=user, application_id=application_id)
    if not tokens.exists() and not refresh.filter(revoked__isnull=True).exists():
        raise DomainError(AccountsError.APP_AUTHORIZATION_NOT_FOUND)
    refresh.delete()
    tokens.delete()
    Grant.objects.filter(user=user, application_id=application_id).delete()
