"""The OAuth 2 endpoints Mastodon apps call (/oauth/authorize, /oauth/token, /oauth/revoke and
the RFC 8414 metadata), on django-oauth-toolkit's views, and the settings page listing the apps
a person authorized. Every error of an /oauth/ endpoint is OAuth's JSON error."""

from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.models import Application
from oauth2_provider.views import AuthorizationView, RevokeTokenView, TokenView
from oauth2_provider.views.base import BaseAuthorizationView

from infoconnect.accounts import actions_oauth, selectors
from infoconnect.accounts.models import AppRegistration
from infoconnect.accounts.oauth import MASTODON_GRANT_TYPES, OOB_REDIRECT_URI, all_scopes
from infoconnect.core.errors import DomainError
from infoconnect.core.views import render_domain_error

CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


def oauth_error(status: int, error: str, description: str = "") -> JsonResponse:
    body = {"error": error}
    if description:
        body["error_description"] = description
    return JsonResponse(body, status=status)


def _method_not_allowed(allowed: list[str]) -> JsonResponse:
    response = oauth_error(405, "invalid_request", _("This method is not allowed here."))
    response["Allow"] = ", ".join(allowed)
    return response


def _form_action_source(uri: str) -> str:
    """The CSP source that lets the authorize form's answer redirect to `uri`."""
    parts = urlsplit(uri)
    if parts.scheme in {"http", "https"}:
        return f"{parts.scheme}://{parts.netloc}"
    return f"{parts.scheme}:"


class AuthorizeView(AuthorizationView):
    """GET shows the app, its website and the scopes it asks for in words, with Authorize and
    Deny; POST answers. After logging in, as every page that needs a person."""

    template_name = "accounts/oauth_authorize.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("code_challenge") and request.GET.get("code_challenge_method") != "S256":
            return oauth_error(
                400, "invalid_request", _("Send code_challenge_method=S256 with a code_challenge.")
            )
        response = super().get(request, *args, **kwargs)
        redirect_uri = self.oauth2_data.get("redirect_uri")
        if isinstance(response, TemplateResponse) and redirect_uri:
            # Chromium checks the form's redirect against form-action too.
            if redirect_uri != OOB_REDIRECT_URI:
                response._csp_update = {"form-action": [_form_action_source(redirect_uri)]}
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = kwargs.get("application")
        if application is not None:
            registration = AppRegistration.objects.filter(application=application).first()
            context["website"] = registration.website if registration else ""
        return context

    def http_method_not_allowed(self, request, *args, **kwargs):
        return _method_not_allowed(["GET", "POST"])

    def form_invalid(self, form):
        return oauth_error(400, "invalid_request", _("The authorization form was not complete."))

    def error_response(self, error, application, **kwargs):
        redirect_to, answer = super(BaseAuthorizationView, self).error_response(error, **kwargs)
        oauthlib_error = answer["error"]
        if redirect_to and oauthlib_error.redirect_uri not in (None, "", OOB_REDIRECT_URI):
            return self.redirect(answer["url"], application)
        if oauthlib_error.error == "access_denied":
            return render(
                self.request,
                "accounts/oauth_code.html",
                {"denied": True, "application": application},
                status=403,
            )
        return oauth_error(
            oauthlib_error.status_code, oauthlib_error.error, oauthlib_error.description or ""
        )

    def redirect(self, redirect_to, application):
        if redirect_to.startswith(OOB_REDIRECT_URI):
            query = parse_qs(urlsplit(redirect_to).query)
            return render(
                self.request,
                "accounts/oauth_code.html",
                {"code": query.get("code", [""])[0], "application": application},
            )
        # The URI is one the app registered (oauthlib checked), whatever its scheme.
        return OAuth2ResponseRedirect(redirect_to, [urlsplit(redirect_to).scheme])


class OAuthTokenView(TokenView):
    """POST /oauth/token: authorization_code, client_credentials and refresh_token grants, the
    parameters as a form or JSON."""

    def http_method_not_allowed(self, request, *args, **kwargs):
        return _method_not_allowed(["POST"])


class OAuthRevokeView(RevokeTokenView):
    """POST /oauth/revoke (RFC 7009): the app sends its credentials and the token; Mastodon
    answers an empty object."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            answer = JsonResponse({})
            for header in ("Cache-Control", "Pragma"):
                if header in response:
                    answer[header] = response[header]
            return answer
        return response

    def http_method_not_allowed(self, request, *args, **kwargs):
        return _method_not_allowed(["POST"])


@require_GET
def authorization_server_metadata(request: HttpRequest) -> JsonResponse:
    """RFC 8414, with Mastodon's app_registration_endpoint."""
    base = request.build_absolute_uri("/")
    return JsonResponse(
        {
            "issuer": base,
            "service_documentation": "https://docs.joinmastodon.org/",
            "authorization_endpoint": request.build_absolute_uri(reverse("oauth:authorize")),
            "token_endpoint": request.build_absolute_uri(reverse("oauth:token")),
            "revocation_endpoint": request.build_absolute_uri(reverse("oauth:revoke")),
            "app_registration_endpoint": request.build_absolute_uri("/api/v1/apps"),
            "scopes_supported": list(all_scopes()),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": sorted(MASTODON_GRANT_TYPES),
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
            "revocation_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        }
    )


@csrf_exempt
def unknown_oauth_path(request: HttpRequest, rest: str = "") -> JsonResponse:
    return oauth_error(404, "not_found", _("There is no such OAuth endpoint."))


# Settings: the apps a person authorized -------------------------------------------------


@login_required
def settings_apps(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/settings_apps.html",
        {"apps": selectors.authorized_apps(user=request.user), "section": "apps"},
    )


@login_required
@require_POST
def app_revoke(request: HttpRequest, application_id: int) -> HttpResponse:
    name = Application.objects.filter(pk=application_id).values_list("name", flat=True).first()
    try:
        actions_oauth.revoke_app_authorization(user=request.user, application_id=application_id)
    except DomainError as error:
        return render_domain_error(request, error)
    messages.success(request, _("%(name)s can no longer use your account.") % {"name": name})
    return redirect("accounts:settings_apps")
