"""Reads for accounts: people by name, their tokens, merchant applications."""

from django.db.models import Q, QuerySet

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
