from django.urls import path

from infoconnect.messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("badge/", views.badge, name="badge"),
    path("new/", views.new_conversation, name="new_conversation"),
    path("preferences/", views.preferences, name="preferences"),
    path("c/<str:token>/", views.click, name="click"),
    path("m/<int:message_id>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("m/<int:message_id>/report/", views.report, name="report"),
    path("m/<int:message_id>/coupon/", views.claim_coupon, name="claim_coupon"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/followers/", views.followers, name="followers"),
    path("campaigns/followers/tag/", views.tag_followers, name="tag_followers"),
    path("campaigns/estimate/", views.audience_estimate, name="audience_estimate"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/edit/", views.campaign_edit, name="campaign_edit"),
    path(
        "campaigns/<int:campaign_id>/estimate/", views.campaign_estimate, name="campaign_estimate"
    ),
    path(
        "campaigns/<int:campaign_id>/progress/", views.campaign_progress, name="campaign_progress"
    ),
    path("campaigns/<int:campaign_id>/export.csv", views.campaign_export, name="campaign_export"),
    path("campaigns/<int:campaign_id>/<str:verb>/", views.campaign_action, name="campaign_action"),
    path("@<str:username>/", views.conversation, name="conversation"),
]
