"""Mastodon's conversations: a person's private conversations as Mastodon Conversation
entities, for the direct-message tab of Mastodon clients.

Each entity's ``id`` is the person's side of one InfoConnect conversation, ``accounts`` the
other person and ``last_status`` the last message as a status of visibility ``direct``: the
direct status itself when the message delivered one (a client's ``visibility=direct`` post),
otherwise a status made from the message, whose id is ``m`` and the message's id (it is no
post: a client cannot open or reply to it as one). Campaign messages are not conversations.
InfoConnect's own inbox API is at ``/api/v1/inbox/conversations``.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Schema

from infoconnect.api.mastodon import Presenter, iso, page_params, parse_id, set_link_header
from infoconnect.api.schemas import AccountOut, ErrorOut, StatusOut
from infoconnect.core.errors import DomainError
from infoconnect.messaging import actions, selectors
from infoconnect.messaging.errors import MessagingError
from infoconnect.messaging.models import Message
from infoconnect.messaging.selectors import DirectConversation

router = Router(tags=["conversations"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class MastodonConversationOut(Schema):
    """Mastodon's Conversation entity."""

    id: str
    unread: bool
    accounts: list[AccountOut]
    last_status: StatusOut | None


def _message_status(presenter: Presenter, message: Message, *, recipient, other) -> dict:
    """A private message that delivered no status, shown as a direct status; its address is
    the conversation's page, with ``other``."""
    url = presenter.absolute(reverse("messaging:conversation", args=[other.username]))
    parts = [message.body, message.attachment_url]
    if message.attachment_type == Message.Attachment.POST and message.attachment_id:
        parts.append(presenter.absolute(reverse("social:post", args=[message.attachment_id])))
    text = " ".join(part for part in parts if part)
    mention = {
        "id": str(recipient.pk),
        "username": recipient.username,
        "acct": recipient.username,
        "url": presenter.absolute(reverse("social:profile", args=[recipient.username])),
    }
    return {
        "id": f"m{message.pk}",
        "uri": url,
        "url": url,
        "created_at": iso(message.created_at),
        "edited_at": None,
        "account": presenter.account(message.sender),
        "content": presenter.content(text),
        "visibility": "direct",
        "sensitive": False,
        "spoiler_text": "",
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "reblog": None,
        "quote": None,
        "reblogs_count": 0,
        "favourites_count": 0,
        "replies_count": 0,
        "mentions": [mention],
        "tags": [],
        "media_attachments": [],
        "emojis": [],
        "card": None,
        "poll": None,
        "language": None,
        "application": None,
        "favourited": False,
        "reblogged": False,
        "muted": False,
        "bookmarked": False,
        "pinned": False,
    }


def _conversations(request: HttpRequest, lines: list[DirectConversation]) -> list[dict]:
    presenter = Presenter(request)
    posts = [line.post for line in lines if line.post is not None]
    rendered = dict(zip([p.pk for p in posts], presenter.statuses(posts), strict=True))
    out = []
    for line in lines:
        me, other = request.auth, line.participant.other
        if line.post is not None:
            status = {**rendered[line.post.pk], "visibility": "direct"}
        else:
            recipient = other if line.last.sender_id == me.pk else me
            status = _message_status(presenter, line.last, recipient=recipient, other=other)
        out.append(
            {
                "id": str(line.participant.pk),
                "unread": line.unread,
                "accounts": [presenter.account(other)],
                "last_status": status,
            }
        )
    return out


def _conversation_id(value: str) -> int:
    return parse_id(value, MessagingError.CONVERSATION_NOT_FOUND)


@router.get(
    "/v1/conversations", response={200: list[MastodonConversationOut], **ERRORS}, exclude_unset=True
)
def list_conversations(
    request: HttpRequest,
    response: HttpResponse,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """The caller's private conversations, the one with the newest message first; paged by
    the last message's id (`max_id`, `since_id`, `min_id`, `limit`, and a `Link` header)."""
    lines = selectors.direct_conversations(
        user=request.auth, page=page_params(max_id, since_id, min_id, limit)
    )
    set_link_header(request, response, [line.last.pk for line in lines])
    return _conversations(request, lines)


@router.delete("/v1/conversations/{conversation_id}", response={200: dict, **ERRORS})
def remove_conversation(request: HttpRequest, conversation_id: str):
    """Take a conversation off this list; its messages stay in the InfoConnect inbox, and
    a new message brings it back."""
    if not actions.remove_conversation(
        user=request.auth, participant_id=_conversation_id(conversation_id)
    ):
        raise DomainError(MessagingError.CONVERSATION_NOT_FOUND)
    return {}


@router.post(
    "/v1/conversations/{conversation_id}/read",
    response={200: MastodonConversationOut, **ERRORS},
    exclude_unset=True,
)
def read_conversation(request: HttpRequest, conversation_id: str):
    """Mark the conversation read (in the InfoConnect inbox too)."""
    participant_id = _conversation_id(conversation_id)
    if not actions.read_conversation(user=request.auth, participant_id=participant_id):
        raise DomainError(MessagingError.CONVERSATION_NOT_FOUND)
    line = selectors.direct_conversation(user=request.auth, conversation_id=participant_id)
    return _conversations(request, [line])[0]
