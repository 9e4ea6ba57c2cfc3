from django.urls import path

from infoconnect.social import views

app_name = "social"

urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/", views.notifications, name="notifications"),
    path("search/", views.search, name="search"),
    path("tags/<str:name>/", views.tag, name="tag"),
    path("posts/<int:post_id>/", views.post_detail, name="post"),
    path("@<str:username>/", views.profile, name="profile"),
]
