"""The one check every merchant privilege passes: the account is a merchant an operator verified.

Filing a merchant application makes the account a merchant at once (its shop name shows,
its application can be reviewed), but money, follower tags, coupons, price lists, quotes and
a public shop wait for the operator's verification.
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

from infoconnect.accounts.errors import AccountsError
from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.views import render_domain_error


def is_verified_merchant(user: User | int) -> bool:
    """Whether ``user`` (an account, or its id, read afresh) is a verified merchant."""
    if isinstance(user, int):
        return User.objects.filter(
            pk=user, kind=User.Kind.MERCHANT, is_verified_merchant=True
        ).exists()
    return bool(
        user.is_authenticated and user.kind == User.Kind.MERCHANT and user.is_verified_merchant
    )


def require_verified_merchant(user: User | int) -> None:
    """Raise ``merchant_not_verified`` (403) unless ``user`` is a verified merchant."""
    if not is_verified_merchant(user):
        raise DomainError(AccountsError.MERCHANT_NOT_VERIFIED)


def verified_merchant_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A merchant's page: an applicant still under review is told so (403) instead.

    Anyone who is not a merchant at all goes on to the view, which answers them as it always
    did (most merchant pages do not exist for a person).
    """

    @wraps(view)
    def gated(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.kind == User.Kind.MERCHANT:
            try:
                require_verified_merchant(user)
            except DomainError as error:
                return render_domain_error(request, error)
        return view(request, *args, **kwargs)

    return gated
