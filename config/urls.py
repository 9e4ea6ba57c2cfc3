from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from infoconnect.accounts.oauth_views import authorization_server_metadata
from infoconnect.api import instance, streaming
from infoconnect.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    # Mastodon's streaming API and the web UI's live events (served under ASGI).
    path("api/v1/streaming/", include(streaming.urlpatterns)),
    path("live/events", streaming.web_events, name="live_events"),
    path("api/", api.urls),
    path(".well-known/nodeinfo", instance.nodeinfo_links, name="nodeinfo_links"),
    path("nodeinfo/2.0", instance.nodeinfo, name="nodeinfo"),
    path("oauth/", include("infoconnect.accounts.oauth_urls")),
    path(
        ".well-known/oauth-authorization-server",
        authorization_server_metadata,
        name="oauth_metadata",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("infoconnect.accounts.urls")),
    path("messages/", include("infoconnect.messaging.urls")),
    path("shop/", include("infoconnect.shop.urls")),
    path("wallet/", include("infoconnect.wallet.urls")),
    path("companies/", include("infoconnect.procurement.urls")),
    path("", include("infoconnect.invoicing.urls")),
    path("", include("infoconnect.social.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
else:
    from django.urls import re_path
    from django.views.static import serve

    # Uploaded media is served by the proxy in production; this keeps a single-process
    # deployment (make run with DEBUG off) working.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
