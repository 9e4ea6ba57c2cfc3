"""What a client or a crawler reads about this server before anything else: Mastodon's
instance entity (v1 and v2) and NodeInfo 2.0."""

from importlib.metadata import PackageNotFoundError, version

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from ninja import Router

from infoconnect.accounts.models import User
from infoconnect.accounts.selectors import people
from infoconnect.api.mastodon import Presenter
from infoconnect.social import media
from infoconnect.social.models import (
    MEDIA_PER_POST,
    POLL_MAX_EXPIRATION,
    POLL_MAX_OPTIONS,
    POLL_MIN_EXPIRATION,
    POLL_OPTION_MAX_LENGTH,
    POST_MAX_LENGTH,
)
from infoconnect.social.usage import usage

router = Router(tags=["instance"])

try:
    SOFTWARE_VERSION = version("infoconnect")
except PackageNotFoundError:  # run from a checkout that is not installed
    SOFTWARE_VERSION = "0.1.0"
# The Mastodon API level these endpoints follow, as clients read it from /api/v1/instance.
MASTODON_VERSION = f"4.3.0 (compatible; InfoConnect {SOFTWARE_VERSION})"
ICON = "api/instance-icon.png"
ICON_SIZE = 512
LANGUAGES = ["en", "zh"]
NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.0"


def _limits() -> dict:
    return {
        "statuses": {
            "max_characters": POST_MAX_LENGTH,
            "max_media_attachments": MEDIA_PER_POST,
            "characters_reserved_per_url": 0,
        },
        "media_attachments": {
            "supported_mime_types": list(media.SUPPORTED_MIME_TYPES),
            "image_size_limit": media.LIMITS.max_bytes,
            "image_matrix_limit": media.IMAGE_MATRIX_LIMIT,
            "description_limit": media.DESCRIPTION_MAX_LENGTH,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "accounts": {"max_featured_tags": 0},
        "polls": {
            "max_options": POLL_MAX_OPTIONS,
            "max_characters_per_option": POLL_OPTION_MAX_LENGTH,
            "min_expiration": POLL_MIN_EXPIRATION,
            "max_expiration": POLL_MAX_EXPIRATION,
        },
    }


def _description() -> str:
    return str(_("A microblog where merchants meet their followers."))


def _streaming_url(request: HttpRequest) -> str:
    """The WebSocket origin of this site; clients append /api/v1/streaming."""
    return f"{'wss' if request.is_secure() else 'ws'}://{request.get_host()}"


def _contact_account(request: HttpRequest) -> dict | None:
    username = settings.INSTANCE_CONTACT_USERNAME
    if not username:
        return None
    user = people(User.objects.filter(is_active=True)).filter(username__iexact=username).first()
    return Presenter(request).account(user) if user is not None else None


def _icon(request: HttpRequest) -> str:
    return request.build_absolute_uri(static(ICON))


def _signup_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:signup"))


# Mastodon.py asks for these with a trailing slash; Mastodon answers both spellings.
@router.get("/v1/instance", auth=None)
@router.get("/v1/instance/", auth=None, include_in_schema=False)
def instance_v1(request: HttpRequest):
    """What Mastodon clients read before anything else: this server and its limits."""
    counts = usage()
    return {
        "uri": request.get_host(),
        "title": "InfoConnect",
        "short_description": _description(),
        "description": _description(),
        "email": settings.INSTANCE_CONTACT_EMAIL,
        "version": MASTODON_VERSION,
        "urls": {"streaming_api": _streaming_url(request)},
        # No federation: no other domain is known.
        "stats": {
            "user_count": counts.users_total,
            "status_count": counts.local_posts,
            "domain_count": 0,
        },
        "thumbnail": _icon(request),
        "languages": LANGUAGES,
        "registrations": True,
        "approval_required": False,
        "invites_enabled": False,
        "configuration": _limits(),
        "contact_account": _contact_account(request),
        "rules": [],
    }


@router.get("/v2/instance", auth=None)
@router.get("/v2/instance/", auth=None, include_in_schema=False)
def instance_v2(request: HttpRequest):
    icon = _icon(request)
    return {
        "domain": request.get_host(),
        "title": "InfoConnect",
        "version": MASTODON_VERSION,
        "source_url": "",
        "description": _description(),
        "usage": {"users": {"active_month": usage().active_month}},
        "thumbnail": {"url": icon, "blurhash": None, "versions": {}},
        "icon": [{"src": icon, "size": f"{ICON_SIZE}x{ICON_SIZE}"}],
        "languages": LANGUAGES,
        "configuration": {
            **_limits(),
            "urls": {"streaming": _streaming_url(request), "status": None},
            "translation": {"enabled": False},
        },
        "registrations": {
            "enabled": True,
            "approval_required": False,
            "message": None,
            "url": _signup_url(request),
        },
        "contact": {
            "email": settings.INSTANCE_CONTACT_EMAIL,
            "account": _contact_account(request),
        },
        "rules": [],
        "api_versions": {"mastodon": 2},
    }


# NodeInfo: plain views, since they live outside /api/ (config/urls.py routes them).


def _open_to_all(response: JsonResponse) -> JsonResponse:
    # Public documents: any origin may read them, as Mastodon serves them.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def nodeinfo_links(request: HttpRequest) -> JsonResponse:
    """/.well-known/nodeinfo: where the NodeInfo document is."""
    href = request.build_absolute_uri(reverse("nodeinfo"))
    return _open_to_all(JsonResponse({"links": [{"rel": NODEINFO_SCHEMA, "href": href}]}))


@require_GET
def nodeinfo(request: HttpRequest) -> JsonResponse:
    """/nodeinfo/2.0: the software, its protocols (none: InfoConnect does not federate) and
    its usage."""
    counts = usage()
    body = {
        "version": "2.0",
        "software": {"name": "infoconnect", "version": SOFTWARE_VERSION},
        "protocols": [],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": True,
        "usage": {
            "users": {
                "total": counts.users_total,
                "activeMonth": counts.active_month,
                "activeHalfyear": counts.active_halfyear,
            },
            "localPosts": counts.local_posts,
        },
        "metadata": {"nodeName": "InfoConnect"},
    }
    response = JsonResponse(body, content_type=f'application/json; profile="{NODEINFO_SCHEMA}#"')
    return _open_to_all(response)
