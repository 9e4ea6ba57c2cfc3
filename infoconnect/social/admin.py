from django.contrib import admin

from infoconnect.social.models import Announcement, CustomEmoji


@admin.register(CustomEmoji)
class CustomEmojiAdmin(admin.ModelAdmin):
    list_display = ("shortcode", "category", "visible_in_picker", "created_at")
    list_filter = ("visible_in_picker", "category")
    search_fields = ("shortcode",)


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ("__str__", "published", "starts_at", "ends_at", "all_day", "published_at")
    list_filter = ("published", "all_day")
    search_fields = ("text",)
    fields = ("text", "published", "starts_at", "ends_at", "all_day", "published_at")
