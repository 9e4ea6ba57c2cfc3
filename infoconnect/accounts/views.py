"""Sign-up and the settings pages: validate the form, call an action, render."""

from datetime import datetime

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from infoconnect.accounts import actions, selectors
from infoconnect.accounts.errors import AccountsError
from infoconnect.accounts.forms import (
    AccessTokenForm,
    LoginForm,
    MerchantApplicationForm,
    PasswordChangeForm,
    ProfileForm,
    SignupForm,
)
from infoconnect.accounts.models import MerchantProfile
from infoconnect.core import ratelimits
from infoconnect.core.errors import DomainError
from infoconnect.core.views import render_domain_error
from infoconnect.social import follow_requests


def _show_errors(form, error: DomainError, rename: dict[str, str] | None = None) -> None:
    """Put an action's field errors next to the form's fields (the rest above the form)."""
    rename = rename or {}
    if not error.fields:
        form.add_error(None, error.message)
        return
    for field, field_messages in error.fields.items():
        field = rename.get(field, field)
        form.add_error(field if field in form.fields else None, field_messages)


@ratelimits.limit("signup", per="ip")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("social:home")
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = actions.sign_up(
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                )
            except DomainError as error:
                _show_errors(form, error, {"password": "password1"})
            else:
                auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome to InfoConnect, @%s!") % user.username)
                return redirect("social:home")
        status = 422
    return render(request, "accounts/signup.html", {"form": form}, status=status)


@login_required
@ratelimits.limit("upload", files_only=True)
def settings_profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "display_name": user.display_name,
        "bio": user.bio,
        "region": user.region,
        "message_policy": user.message_policy,
        "locked": user.locked,
        "expand_media": user.expand_media,
        "expand_spoilers": user.expand_spoilers,
        "default_privacy": user.default_privacy,
        "default_sensitive": user.default_sensitive,
    }
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    actions.update_profile(
                        user=user,
                        display_name=data["display_name"],
                        bio=data["bio"],
                        region=data["region"],
                        message_policy=data["message_policy"],
                        avatar=data["avatar"] or None,
                        remove_avatar=data["remove_avatar"],
                        locked=data["locked"],
                    )
                    actions.update_credentials(
                        user=user,
                        expand_media=data["expand_media"] or None,
                        expand_spoilers=data["expand_spoilers"],
                        privacy=data["default_privacy"] or None,
                        sensitive=data["default_sensitive"],
                    )
                    # Unlocking lets in everyone who was waiting.
                    follow_requests.accept_waiting(account=user)
            except DomainError as error:
                _show_errors(form, error)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("accounts:settings")
        status = 422
    return render(
        request,
        "accounts/settings_profile.html",
        {"form": form, "section": "profile"},
        status=status,
    )


@login_required
def settings_password(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.change_password(
                    user=request.user,
                    old_password=form.cleaned_data["old_password"],
                    new_password=form.cleaned_data["new_password1"],
                )
            except DomainError as error:
                _show_errors(form, error, {"password": "new_password1"})
            else:
                # Keep this browser signed in; other sessions end with the old password.
                update_session_auth_hash(request, request.user)
                messages.success(request, _("Your password is changed."))
                return redirect("accounts:settings_password")
        status = 422
    return render(
        request,
        "accounts/settings_password.html",
        {"form": form, "section": "password"},
        status=status,
    )


@login_required
def settings_tokens(request: HttpRequest) -> HttpResponse:
    form = AccessTokenForm(request.POST or None)
    status = 200
    new_key = None
    new_token = None
    if request.method == "POST":
        if form.is_valid():
            try:
                new_token, new_key = actions.create_access_token(
                    user=request.user, name=form.cleaned_data["name"]
                )
            except DomainError as error:
                _show_errors(form, error)
                status = 422
            else:
                # The key is rendered in this response only and never stored in clear.
                form = AccessTokenForm()
        else:
            status = 422
    return render(
        request,
        "accounts/settings_tokens.html",
        {
            "form": form,
            "tokens": selectors.active_tokens(user=request.user),
            "new_key": new_key,
            "new_token": new_token,
            "section": "tokens",
        },
        status=status,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        actions.revoke_access_token(user=request.user, token_id=token_id)
    except DomainError as error:
        return render_domain_error(request, error)
    messages.success(request, _("The token is revoked; it no longer works."))
    return redirect("accounts:settings_tokens")


@login_required
def settings_merchant(request: HttpRequest) -> HttpResponse:
    profile = selectors.merchant_profile_for(user=request.user)
    can_apply = profile is None or profile.status == MerchantProfile.Status.REJECTED
    form = None
    status = 200
    if can_apply:
        initial = {}
        if profile is not None:
            initial = {
                "shop_name": profile.shop_name,
                "company_name": profile.company_name,
                "business_license_number": profile.business_license_number,
                "contact_phone": profile.contact_phone,
                "description": profile.description,
            }
        form = MerchantApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form is None:
            return render_domain_error(
                request,
                DomainError(
                    AccountsError.MERCHANT_ALREADY_VERIFIED
                    if profile.status == MerchantProfile.Status.VERIFIED
                    else AccountsError.MERCHANT_APPLICATION_PENDING
                ),
            )
        if form.is_valid():
            try:
                actions.apply_as_merchant(user=request.user, **form.cleaned_data)
            except DomainError as error:
                _show_errors(form, error)
            else:
                messages.success(
                    request, _("Your application is sent. An operator will review it.")
                )
                return redirect("accounts:settings_merchant")
        status = 422
    return render(
        request,
        "accounts/settings_merchant.html",
        {"form": form, "profile": profile, "section": "merchant"},
        status=status,
    )


# Login lockout (django-axes) ---------------------------------------------------------------


def lockout_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """Usernames log in in any case, so failures count against the lower-cased name."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    return username.strip().lower() if username else None


def _lockout_ends(request: HttpRequest, username: str | None) -> datetime | None:
    """When the locked username or IP may log in again: the lock lifts once the attempts inside
    the cool-off drop below the limit, that is when the newest `limit` failures have aged out."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    limit = get_failure_limit(request, None)
    since = timezone.now() - cool_off
    ip_address = getattr(request, "axes_ip_address", None) or ratelimits.client_ip(request)
    ends = []
    for filters in ({"username": username}, {"ip_address": ip_address}):
        if not next(iter(filters.values())):
            continue
        failures = 0
        rows = (
            AccessAttempt.objects.filter(attempt_time__gte=since, **filters)
            .order_by("-attempt_time")
            .values_list("attempt_time", "failures_since_start")
        )
        for attempt_time, count in rows:
            failures += count
            if failures >= limit:
                ends.append(attempt_time + cool_off)
                break
    return max(ends, default=None)


def locked_out(request: HttpRequest, *args) -> HttpResponse:
    """The log-in page again, saying when the person may try again (429 with Retry-After)."""
    username = lockout_username(request, getattr(request, "axes_credentials", None))
    ends = _lockout_ends(request, username)
    if ends is None:
        message = _("Too many failed logins. Try again later.")
        retry_after = int(get_cool_off(request).total_seconds()) if get_cool_off(request) else 0
    else:
        retry_after = max(1, int((ends - timezone.now()).total_seconds()) + 1)
        minutes = (retry_after + 59) // 60
        message = ngettext(
            "Too many failed logins. You can try again at %(time)s (in %(minutes)d minute).",
            "Too many failed logins. You can try again at %(time)s (in %(minutes)d minutes).",
            minutes,
        ) % {"time": time_format(timezone.localtime(ends), "H:i"), "minutes": minutes}
    form = LoginForm(request, initial={"username": request.POST.get("username", "")})
    response = render(
        request,
        "accounts/login.html",
        {"form": form, "lockout_message": message, "next": request.POST.get("next", "")},
        status=429,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
