"""Mastodon's OAuth scopes as the authorize page names them. Kept in the accounts app, whose
catalogue translates them, and read by the settings (OAUTH2_PROVIDER["SCOPES"]): this module
imports nothing of Django's but the lazy gettext, so the settings can load it."""

from django.utils.translation import gettext_lazy as _

SCOPES = {
    "read": _("read all your data"),
    "write": _("change all your data"),
    "follow": _("follow, mute and block accounts"),
    "push": _("receive your push notifications"),
    "profile": _("read your profile (name, picture)"),
    "read:accounts": _("see accounts' information"),
    "read:blocks": _("see your blocks"),
    "read:bookmarks": _("see your bookmarks"),
    "read:favourites": _("see your favourites"),
    "read:filters": _("see your filters"),
    "read:follows": _("see your follows"),
    "read:lists": _("see your lists"),
    "read:mutes": _("see your mutes"),
    "read:notifications": _("see your notifications"),
    "read:search": _("search on your behalf"),
    "read:statuses": _("see all posts"),
    "write:accounts": _("change your profile"),
    "write:blocks": _("block accounts"),
    "write:bookmarks": _("bookmark posts"),
    "write:conversations": _("mute and delete conversations"),
    "write:favourites": _("like posts"),
    "write:filters": _("create filters"),
    "write:follows": _("follow people"),
    "write:lists": _("create lists"),
    "write:media": _("upload pictures"),
    "write:mutes": _("mute people and conversations"),
    "write:notifications": _("clear your notifications"),
    "write:reports": _("report other people"),
    "write:statuses": _("publish posts"),
}
