"""Mastodon entities as ninja schemas: they document the API (OpenAPI) and check each
response. Field names and types follow Mastodon's client API; ids are strings and times
are ISO 8601 in UTC with milliseconds."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, Strict


class ErrorOut(Schema):
    """Every error the API answers: a message for a person and a stable code."""

    error: str
    code: str


class StrictSchema(Schema):
    """A JSON request body taken as sent: a field it does not know, a value of another JSON
    type (`true` or `"2"` for a number, a number for a string) or a body that is not an
    object is a 422 instead of being coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)


def _iso_text(value):
    if isinstance(value, str | date):
        return value
    raise ValueError("Input should be an ISO 8601 string")


# JSON has no date type: dates and times arrive as ISO 8601 strings, which strict validation
# would refuse, so these fields parse them, and nothing else (a number is not a timestamp).
IsoDate = Annotated[date, Strict(False), BeforeValidator(_iso_text)]
IsoDateTime = Annotated[datetime, Strict(False), BeforeValidator(_iso_text)]


# An uploaded image and its thumbnail: product images, review photos, refund evidence.
class ImageOut(Schema):
    id: int
    url: str
    thumbnail_url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.image.url

    @staticmethod
    def resolve_thumbnail_url(obj) -> str:
        return obj.thumbnail.url


class EmojiOut(Schema):
    shortcode: str
    url: str
    static_url: str
    visible_in_picker: bool


class FieldOut(Schema):
    name: str
    value: str
    verified_at: str | None = None


class AccountOut(Schema):
    id: str
    username: str
    acct: str
    display_name: str
    note: str
    url: str
    uri: str
    avatar: str
    avatar_static: str
    header: str
    header_static: str
    locked: bool
    bot: bool
    group: bool
    discoverable: bool
    indexable: bool
    hide_collections: bool
    created_at: str
    last_status_at: str | None
    followers_count: int
    following_count: int
    statuses_count: int
    fields: list[FieldOut]
    emojis: list[EmojiOut]
    indexable: bool
    hide_collections: bool
    roles: list[dict]
    verified_merchant: bool = Field(
        description="InfoConnect: a merchant the operator has verified."
    )


class SourceOut(Schema):
    privacy: str
    sensitive: bool
    language: str
    note: str
    fields: list[FieldOut]
    follow_requests_count: int


class AccountRoleOut(Schema):
    id: str
    name: str
    permissions: str
    color: str
    highlighted: bool


class CredentialAccountOut(AccountOut):
    source: SourceOut
    role: AccountRoleOut


class RelationshipOut(Schema):
    id: str
    following: bool
    showing_reblogs: bool
    notifying: bool
    languages: list[str] | None
    followed_by: bool
    blocking: bool
    blocked_by: bool
    muting: bool
    muting_notifications: bool
    requested: bool
    requested_by: bool
    domain_blocking: bool
    endorsed: bool
    note: str


class MentionOut(Schema):
    id: str
    username: str
    acct: str
    url: str


class TagOut(Schema):
    name: str
    url: str


class HashtagOut(TagOut):
    history: list[dict]


class StatusQuoteOut(Schema):
    state: str
    quoted_status: StatusOut | None


class StatusOut(Schema):
    id: str
    uri: str
    url: str | None
    created_at: str
    edited_at: str | None
    account: AccountOut
    content: str
    text: str | None = Field(None, description="The source text; only on a deleted status.")
    visibility: str
    sensitive: bool
    spoiler_text: str
    in_reply_to_id: str | None
    in_reply_to_account_id: str | None
    reblog: StatusOut | None
    quote: StatusQuoteOut | None = Field(
        None, description="A repost with a comment quotes the reposted status."
    )
    reblogs_count: int
    favourites_count: int
    replies_count: int
    favourited: bool | None = None
    reblogged: bool | None = None
    muted: bool | None = None
    bookmarked: bool | None = None
    pinned: bool | None = None
    mentions: list[MentionOut]
    tags: list[TagOut]
    media_attachments: list[dict]
    emojis: list[EmojiOut]
    card: dict | None
    poll: dict | None
    language: str | None
    application: dict | None = Field(None, description="Left out when it is not known.")
    filtered: list[dict] | None = Field(
        None, description="The viewer's filters this status matches (FilterResult entities)."
    )


class ContextOut(Schema):
    ancestors: list[StatusOut]
    descendants: list[StatusOut]


class NotificationOrderOut(Schema):
    """InfoConnect's: the order an `infoconnect.*` notification is about, as it is now."""

    id: str
    state: str = Field(description="awaiting_payment, paid, shipped, completed, cancelled, …")
    total: int = Field(description="What the buyer paid, in minor units (fen).")
    currency: str
    carrier: str
    tracking_number: str
    url: str = Field(description="The order's page, for its buyer and its merchant.")
    auto_confirm_at: str | None = Field(
        None, description="`infoconnect.order_auto_confirm`: when the order confirms itself."
    )


class NotificationRefundOut(Schema):
    """InfoConnect's: the refund request an `infoconnect.refund_*` notification is about."""

    id: str
    amount: int = Field(description="What the buyer asked back, in minor units (fen).")
    currency: str
    answer: str | None = Field(
        None,
        description="`infoconnect.refund_answered`: accept, accept_return, decline or "
        "receive_return (the merchant has the returned goods).",
    )
    decision: str | None = Field(
        None, description="`infoconnect.refund_decided`: refund (the buyer) or reject."
    )


class NotificationOut(Schema):
    id: str
    group_key: str = Field(
        description="`<type>-<status id>` for likes and reposts of one status, else "
        "`ungrouped-<id>`."
    )
    type: str = Field(
        description="Mastodon's follow, mention, reblog, favourite; and InfoConnect's own, which "
        "Mastodon clients skip: infoconnect.order_paid (to the merchant), "
        "infoconnect.order_shipped, infoconnect.order_auto_confirm (to the buyer, a day "
        "before), infoconnect.refund_requested, infoconnect.refund_disputed (to the merchant), "
        "infoconnect.refund_answered (to the buyer), infoconnect.refund_decided (to both)."
    )
    created_at: str
    account: AccountOut
    status: StatusOut | None = None
    order: NotificationOrderOut | None = Field(
        None, description="InfoConnect's: with every infoconnect.* type."
    )
    refund: NotificationRefundOut | None = Field(
        None, description="InfoConnect's: with every infoconnect.refund_* type."
    )


class SearchOut(Schema):
    accounts: list[AccountOut]
    statuses: list[StatusOut]
    hashtags: list[HashtagOut]


class MarkerOut(Schema):
    last_read_id: str
    version: int
    updated_at: str


class MarkersOut(Schema):
    notifications: MarkerOut | None = None


StatusQuoteOut.model_rebuild()
StatusOut.model_rebuild()


class ListOut(Schema):
    id: str
    title: str
    replies_policy: str = Field(description="followed, list or none: which replies it shows.")
    exclusive: bool


class PreferencesOut(Schema):
    posting_default_visibility: str = Field(alias="posting:default:visibility")
    posting_default_sensitive: bool = Field(alias="posting:default:sensitive")
    posting_default_language: str | None = Field(alias="posting:default:language")
    reading_expand_media: str = Field(alias="reading:expand:media")
    reading_expand_spoilers: bool = Field(alias="reading:expand:spoilers")
