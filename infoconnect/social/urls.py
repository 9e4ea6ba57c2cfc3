from django.urls import path

from infoconnect.social import edit_views, frame_views, scheduled_views, views

app_name = "social"

urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/badge/", views.notifications_badge, name="notifications_badge"),
    path("search/", views.search, name="search"),
    path("me/", frame_views.me, name="me"),
    path("frame/rail/", frame_views.rail, name="rail"),
    path("follow-requests/", views.follow_requests, name="follow_requests"),
    path(
        "follow-requests/<str:username>/accept/",
        views.follow_request_answer,
        {"answer": "accept"},
        name="follow_request_accept",
    ),
    path(
        "follow-requests/<str:username>/reject/",
        views.follow_request_answer,
        {"answer": "reject"},
        name="follow_request_reject",
    ),
    # The tag is in the form: a Weibo-style #topic# may hold a slash.
    path("followed-tags/add/", views.tag_follow, {"follow": True}, name="tag_follow"),
    path("followed-tags/remove/", views.tag_follow, {"follow": False}, name="tag_unfollow"),
    # A Weibo-style #topic# may hold a slash, so the name takes the rest of the path.
    path("tags/<path:name>/", views.tag, name="tag"),
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/scheduled/", scheduled_views.scheduled_posts, name="scheduled"),
    path(
        "posts/scheduled/<int:scheduled_id>/cancel/",
        scheduled_views.scheduled_cancel,
        name="scheduled_cancel",
    ),
    path("posts/<int:post_id>/", views.post_detail, name="post"),
    path("posts/<int:post_id>/comment/", views.comment_create, name="comment"),
    path("posts/<int:post_id>/poll/", views.poll_vote, name="poll_vote"),
    path("posts/<int:post_id>/like/", views.like, name="like"),
    path("posts/<int:post_id>/unlike/", views.unlike, name="unlike"),
    path("posts/<int:post_id>/repost/", views.repost, name="repost"),
    path("posts/<int:post_id>/unrepost/", views.unrepost, name="unrepost"),
    path("posts/<int:post_id>/quote/", views.quote, name="quote"),
    path("posts/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path("posts/<int:post_id>/edit/", edit_views.post_edit, name="post_edit"),
    path("@<str:username>/", views.profile, name="profile"),
    path("@<str:username>/shop/", views.profile_shop, name="profile_shop"),
    path(
        "@<str:username>/followers/",
        views.follow_list,
        {"direction": "followers"},
        name="followers",
    ),
    path(
        "@<str:username>/following/",
        views.follow_list,
        {"direction": "following"},
        name="following",
    ),
    path("@<str:username>/follow/", views.relationship_change, {"change": "follow"}, name="follow"),
    path(
        "@<str:username>/unfollow/",
        views.relationship_change,
        {"change": "unfollow"},
        name="unfollow",
    ),
    path("@<str:username>/block/", views.relationship_change, {"change": "block"}, name="block"),
    path(
        "@<str:username>/unblock/", views.relationship_change, {"change": "unblock"}, name="unblock"
    ),
    path("@<str:username>/mute/", views.relationship_change, {"change": "mute"}, name="mute"),
    path("@<str:username>/unmute/", views.relationship_change, {"change": "unmute"}, name="unmute"),
]
