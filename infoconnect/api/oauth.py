"""Mastodon's app registration: POST /api/v1/apps, where every client starts, and
GET /api/v1/apps/verify_credentials."""

import json

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from oauth2_provider.models import Application

from infoconnect.accounts import actions_oauth
from infoconnect.accounts.models import AppRegistration
from infoconnect.api.auth import app_token_auth
from infoconnect.api.schemas import ErrorOut
from infoconnect.core.errors import CommonError, DomainError

router = Router(tags=["apps"])
# InfoConnect has no Web Push yet: the key Mastodon announces for it is empty.
VAPID_KEY = ""


class AppIn(Schema):
    client_name: str
    redirect_uris: str | list[str]
    scopes: str = "read"
    website: str = ""


APP_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": AppIn.model_json_schema()},
            "application/x-www-form-urlencoded": {"schema": AppIn.model_json_schema()},
        }
    }
}


class ApplicationOut(Schema):
    id: str
    name: str
    website: str | None
    scopes: list[str]
    redirect_uri: str
    redirect_uris: list[str]
    vapid_key: str


class CredentialApplicationOut(ApplicationOut):
    client_id: str
    client_secret: str
    client_secret_expires_at: int


def _parameters(request: HttpRequest) -> dict:
    """The registration as JSON or a form; redirect_uris as a list, or one string of URIs
    separated by spaces or new lines, as Mastodon takes them."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise DomainError(CommonError.VALIDATION, _("The body is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise DomainError(CommonError.VALIDATION, _("The body must be a JSON object."))
    else:
        data = {key: request.POST.get(key) for key in request.POST}
        if "redirect_uris[]" in request.POST:
            data["redirect_uris"] = request.POST.getlist("redirect_uris[]")
    uris = data.get("redirect_uris")
    if isinstance(uris, str):
        uris = uris.split()
    texts = {name: data.get(name) or "" for name in ("client_name", "scopes", "website")}
    if not isinstance(uris, list) or not all(isinstance(uri, str) for uri in uris):
        uris = None
    bad = [name for name, value in texts.items() if not isinstance(value, str)]
    if uris is None:
        bad.append("redirect_uris")
    if bad:
        raise DomainError(
            CommonError.VALIDATION,
            _("%(field)s: Input should be a valid string") % {"field": bad[0]},
            fields={name: [str(_("Input should be a valid string"))] for name in bad},
        )
    return {**texts, "redirect_uris": uris}


def application_entity(application: Application) -> dict:
    registration = AppRegistration.objects.filter(application=application).first()
    uris = application.redirect_uris.split()
    return {
        "id": str(application.pk),
        "name": application.name,
        "website": (registration.website or None) if registration else None,
        "scopes": registration.scopes.split() if registration else [],
        "redirect_uri": "\n".join(uris),
        "redirect_uris": uris,
        "vapid_key": VAPID_KEY,
    }


@router.post("/v1/apps", response=CredentialApplicationOut, auth=None, openapi_extra=APP_BODY)
def create_app(request: HttpRequest):
    """Register a client app (`client_name`, `redirect_uris`, `scopes`, `website`, as a form
    or JSON). The answer's `client_secret` is shown only here."""
    data = _parameters(request)
    application, secret = actions_oauth.register_app(
        name=data["client_name"],
        redirect_uris=data["redirect_uris"],
        scopes=data["scopes"],
        website=data["website"],
    )
    return {
        **application_entity(application),
        "client_id": application.client_id,
        "client_secret": secret,
        "client_secret_expires_at": 0,
    }


@router.get(
    "/v1/apps/verify_credentials",
    response={200: ApplicationOut, 401: ErrorOut},
    auth=app_token_auth,
)
def verify_app_credentials(request: HttpRequest):
    """The app an OAuth token belongs to (a person's token or the app's own)."""
    application = Application.objects.get(pk=request.auth.application_id)
    return application_entity(application)
