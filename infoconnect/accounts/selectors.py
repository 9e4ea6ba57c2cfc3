"""Reads for accounts: people by name, their tokens, merchant applications."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from oauth2_provider.models import AccessToken as OAuthAccessToken

from infoconnect.accounts.errors import AccountsError
from infoconnect.accounts.models import AccessToken, MerchantProfile, User
from infoconnect.core.errors import DomainError


def get_user_by_username(*, username: str) -> User:
    """The active account with this username, whatever case it is typed in."""
    user = User.objects.filter(username__iexact=username, is_active=True).first()
    if user is None:
        raise DomainError(AccountsError.ACCOUNT_NOT_FOUND)
    return user


# A company's account (``procurement.Company.account``, reverse name ``company_account_of``)
# is the voice its notices come from, not a person: it is not searched, followed or replied to.
NOTICE_ACCOUNT = Q(company_account_of__isnull=False)


def people(queryset: QuerySet[User]) -> QuerySet[User]:
    """``queryset`` without the accounts the platform speaks for."""
    return queryset.exclude(NOTICE_ACCOUNT)


def is_notice_account(*, user_id: int) -> bool:
    """Whether the account only sends notices (a company's account)."""
    return User.objects.filter(NOTICE_ACCOUNT, pk=user_id).exists()


def active_tokens(*, user: User) -> QuerySet[AccessToken]:
    """The user's tokens that still work, newest first."""
    return AccessToken.objects.filter(user=user, revoked_at__isnull=True).order_by(
        "-created_at", "-pk"
    )


def is_merchant(*, user_id: int) -> bool:
    """Whether the user is a merchant account (verified or not)."""
    return User.objects.filter(pk=user_id, kind=User.Kind.MERCHANT).exists()


def merchant_profile_for(*, user: User) -> MerchantProfile | None:
    return MerchantProfile.objects.filter(user=user).first()


def pending_merchant_applications() -> QuerySet[MerchantProfile]:
    """Applications waiting for an operator, oldest first."""
    return (
        MerchantProfile.objects.filter(status=MerchantProfile.Status.PENDING)
        .select_related("user")
        .order_by("applied_at", "pk")
    )


@dataclass(frozen=True)
class AuthorizedApp:
    application_id: int
    name: str
    website: str
    scopes: list[str]
    authorized_at: datetime
    last_authorized_at: datetime


def authorized_apps(*, user: User) -> list[AuthorizedApp]:
    """The OAuth apps holding a token of the user, most recently authorized first, each with
    every scope its tokens carry and when the user first and last authorized it."""
    tokens = (
        OAuthAccessToken.objects.filter(user=user, application__isnull=False)
        .select_related("application__registration")
        .order_by("created", "pk")
    )
    apps: dict[int, dict] = {}
    for token in tokens:
        app = apps.setdefault(
            token.application_id,
            {
                "application_id": token.application_id,
                "name": token.application.name,
                "website": getattr(getattr(token.application, "registration", None), "website", ""),
                "scopes": {},
                "authorized_at": token.created,
            },
        )
        app["scopes"].update(dict.fromkeys(token.scope.split()))
        app["last_authorized_at"] = token.created
    found = [AuthorizedApp(**{**app, "scopes": list(app["scopes"])}) for app in apps.values()]
    return sorted(found, key=lambda app: app.last_authorized_at, reverse=True)
