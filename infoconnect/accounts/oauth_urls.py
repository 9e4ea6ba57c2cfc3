"""/oauth/: the authorization server Mastodon apps log in through."""

from django.urls import path, re_path

from infoconnect.accounts import oauth_views

app_name = "oauth"

urlpatterns = [
    path("authorize", oauth_views.AuthorizeView.as_view(), name="authorize"),
    path("token", oauth_views.OAuthTokenView.as_view(), name="token"),
    path("revoke", oauth_views.OAuthRevokeView.as_view(), name="revoke"),
    re_path(r"^(?P<rest>.*)$", oauth_views.unknown_oauth_path),
]
