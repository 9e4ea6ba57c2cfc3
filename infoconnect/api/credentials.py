"""The caller's own account as Mastodon clients change it, their preferences, and account
search: /api/v1/accounts/update_credentials, /api/v1/preferences, /api/v1/accounts/search."""

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from infoconnect.accounts import actions as account_actions
from infoconnect.accounts.models import User
from infoconnect.api import params
from infoconnect.api.mastodon import Presenter, page_params
from infoconnect.api.schemas import AccountOut, CredentialAccountOut, PreferencesOut
from infoconnect.core import ratelimits
from infoconnect.core.errors import CommonError, DomainError
from infoconnect.social import follow_requests, selectors

router = Router(tags=["accounts"])

# What update_credentials takes; anything else is refused by name, never dropped.
CREDENTIAL_FIELDS = {
    "display_name",
    "note",
    "locked",
    "discoverable",
    "indexable",
    "hide_collections",
    "bot",
    "source[privacy]",
    "source[sensitive]",
    "source[language]",
}


def _refuse_unknown(data: params.Params) -> None:
    unknown = sorted(set(data.values) - CREDENTIAL_FIELDS) + sorted(set(data.files) - {"avatar"})
    if unknown:
        message = _("InfoConnect does not support %(fields)s.") % {"fields": ", ".join(unknown)}
        raise DomainError(
            CommonError.VALIDATION,
            message,
            fields={name: [str(_("Not supported."))] for name in unknown},
        )
    if data.boolean("bot"):
        message = _("InfoConnect has no bot accounts.")
        raise DomainError(CommonError.VALIDATION, message, fields={"bot": [message]})


@router.patch("/v1/accounts/update_credentials", response=CredentialAccountOut)
def update_credentials(request: HttpRequest):
    """Change the caller's `display_name`, `note`, `avatar` (a JPEG, PNG, WebP or GIF),
    `locked`, `discoverable`, `indexable`, `hide_collections` and the posting defaults
    `source[privacy]`, `source[sensitive]`, `source[language]`; as a form, multipart or JSON.
    Unlocking accepts every follow request waiting."""
    data = params.read(request)
    _refuse_unknown(data)
    if data.files:
        ratelimits.check(request, "upload")
    user = request.auth
    with transaction.atomic():
        account_actions.update_credentials(
            user=user,
            display_name=data.string("display_name"),
            note=data.string("note"),
            avatar=data.files.get("avatar"),
            locked=data.boolean("locked"),
            discoverable=data.boolean("discoverable"),
            indexable=data.boolean("indexable"),
            hide_collections=data.boolean("hide_collections"),
            privacy=data.string("source[privacy]"),
            sensitive=data.boolean("source[sensitive]"),
            language=data.string("source[language]"),
        )
        follow_requests.accept_waiting(account=user)
    return Presenter(request).credential_account(User.objects.get(pk=user.pk))


@router.get("/v1/preferences", response=PreferencesOut, by_alias=True)
def preferences(request: HttpRequest):
    """The defaults a client applies when the caller writes and reads."""
    user = User.objects.get(pk=request.auth.pk)
    return {
        "posting:default:visibility": user.default_privacy,
        "posting:default:sensitive": user.default_sensitive,
        "posting:default:language": user.default_language or None,
        "reading:expand:media": user.expand_media,
        "reading:expand:spoilers": user.expand_spoilers,
    }


@router.get("/v1/accounts/search", response=list[AccountOut])
def search_accounts(
    request: HttpRequest,
    q: str,
    limit: str | None = None,
    offset: int = 0,
    resolve_remote: bool = Query(False, alias="resolve"),  # noqa: B008 - nothing remote
    following: bool = False,
):
    """Accounts whose username or display name holds `q` (exact username first, then the
    most followed); `following=true` keeps the accounts the caller follows. There are no
    remote accounts to `resolve`."""
    page = page_params(None, None, None, limit)
    accounts = selectors.search_accounts(
        query=q,
        viewer=request.auth,
        limit=page.limit,
        following=following,
        offset=max(offset, 0),
    )
    return Presenter(request).accounts(accounts)
