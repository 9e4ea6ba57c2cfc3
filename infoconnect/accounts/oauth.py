"""OAuth 2 as Mastodon apps expect it, on django-oauth-toolkit: Mastodon's scopes and how they
include one another, a token endpoint that reads a form or JSON, PKCE for public clients, the
scopes an app registered as the most it may ask, and the bearer token of an API request
(a personal access token or an OAuth access token) with what it may do."""

import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from oauth2_provider.models import AccessToken as OAuthAccessToken
from oauth2_provider.models import Application
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import SettingsScopes

from infoconnect.accounts.models import AccessToken, AppRegistration, User
from infoconnect.accounts.tokens import user_for_token

OOB_REDIRECT_URI = settings.OAUTH_OOB_REDIRECT_URI
MASTODON_GRANT_TYPES = frozenset({"authorization_code", "client_credentials", "refresh_token"})
# Mastodon's `follow` is the older name of these six granular scopes.
FOLLOW_SCOPES = frozenset(
    {"read:blocks", "write:blocks", "read:follows", "write:follows", "read:mutes", "write:mutes"}
)


def all_scopes() -> dict[str, str]:
    return settings.OAUTH2_PROVIDER["SCOPES"]


def parse_scopes(text: str) -> list[str] | None:
    """The scopes of a space-separated list, in order, once each; None if one is unknown."""
    known = all_scopes()
    scopes = list(dict.fromkeys(text.split()))
    if any(scope not in known for scope in scopes):
        return None
    return scopes


def grants(granted: frozenset[str] | set[str], required: str) -> bool:
    """Whether scopes `granted` include `required`: itself, its parent (`read` includes
    `read:statuses`) or, for follows, blocks and mutes, the old `follow` scope."""
    if required in granted:
        return True
    parent, _sep, _child = required.partition(":")
    if _sep and parent in granted:
        return True
    return required in FOLLOW_SCOPES and "follow" in granted


def registered_scopes(application: Application) -> list[str]:
    registration = AppRegistration.objects.filter(application=application).first()
    if registration is None:
        return list(all_scopes())
    return registration.scopes.split()


class MastodonScopes(SettingsScopes):
    """An app may ask for the scopes it registered, or granular scopes of those."""

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        if application is None:
            return super().get_available_scopes(application, request, *args, **kwargs)
        registered = frozenset(registered_scopes(application))
        return [scope for scope in all_scopes() if grants(registered, scope)]


class FormOrJSONOAuthLibCore(OAuthLibCore):
    """The token and revocation endpoints take a form (RFC 6749) or JSON, as Mastodon's do:
    browser clients built on masto.js and megalodon send JSON."""

    def extract_body(self, request):
        if request.content_type != "application/json":
            return super().extract_body(request)
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return []
        if not isinstance(data, dict):
            return []
        return [
            (str(key), value if isinstance(value, str) else str(value))
            for key, value in data.items()
            if value is not None and not isinstance(value, dict | list)
        ]


class MastodonOAuth2Validator(OAuth2Validator):
    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        """An app registered through POST /api/v1/apps uses the three grants Mastodon offers
        (a toolkit application has one grant type)."""
        if grant_type in MASTODON_GRANT_TYPES and hasattr(client, "registration"):
            return True
        return super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs)

    def is_pkce_required(self, client_id, request):
        """PKCE for public clients, which have no secret; a confidential client may send a
        challenge (then checked) or none (Mastodon.py and toot send none)."""
        return Application.objects.filter(
            client_id=client_id, client_type=Application.CLIENT_PUBLIC
        ).exists()


@dataclass(frozen=True)
class Bearer:
    """Who a bearer token speaks for and what it may do. ``user`` is None for an app's own
    token (client credentials); ``scopes`` is None for a personal access token, which may do
    everything its owner may."""

    user: User | None
    scopes: frozenset[str] | None
    application_id: int | None = None


def oauth_token(key: str) -> OAuthAccessToken | None:
    """A live OAuth access token by its value (stored as its SHA-256 checksum)."""
    if not key or len(key) > 255:
        return None
    checksum = hashlib.sha256(key.encode("utf-8")).hexdigest()
    token = (
        OAuthAccessToken.objects.select_related("user")
        .filter(token_checksum=checksum, expires__gt=timezone.now())
        .first()
    )
    if token is None or (token.user is not None and not token.user.is_active):
        return None
    return token


def bearer_for_key(key: str) -> Bearer | None:
    if key.startswith(AccessToken.PREFIX):
        user = user_for_token(key)
        return None if user is None else Bearer(user=user, scopes=None)
    token = oauth_token(key)
    if token is None:
        return None
    return Bearer(
        user=token.user, scopes=frozenset(token.scope.split()), application_id=token.application_id
    )
