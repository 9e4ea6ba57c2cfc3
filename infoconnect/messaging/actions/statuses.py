"""Direct statuses: a Mastodon client's post of visibility direct arrives as a private
message in the inbox of each account it mentions, under the inbox's own rules."""

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.messaging.actions.direct import deliver, mark_conversation_read
from infoconnect.messaging.errors import MessagingError
from infoconnect.messaging.models import Message, Participant
from infoconnect.social import text as post_text
from infoconnect.social.models import Post, Visibility


def _refusal(error: DomainError, username: str) -> DomainError:
    """The status's refusal for one recipient the inbox refused, naming them."""
    messages = {
        MessagingError.BLOCKED: (
            MessagingError.DIRECT_BLOCKED,
            _("You cannot message @%(username)s."),
        ),
        MessagingError.NOT_ACCEPTING_MESSAGES: (
            MessagingError.DIRECT_NOT_ACCEPTING_MESSAGES,
            _("@%(username)s only accepts messages from accounts it follows."),
        ),
        MessagingError.NOTICES_ONLY: (
            MessagingError.DIRECT_NOTICES_ONLY,
            _("@%(username)s only sends notices: you cannot message it."),
        ),
    }
    if error.error not in messages:
        # The hourly limit on new conversations stays a 429, as in the inbox.
        return error
    code, message = messages[error.error]
    return DomainError(code, message % {"username": username})


def direct_recipients(*, author: User, text: str) -> list[User]:
    """The active accounts a direct status's text mentions, the author aside, in the order
    mentioned; an unknown name refuses the status (it would silently go to nobody)."""
    names = [name for name in post_text.parse(text).mentions if name != author.username.lower()]
    if not names:
        raise DomainError(MessagingError.DIRECT_NO_RECIPIENT)
    found = {
        user.lower_name: user
        for user in User.objects.annotate(lower_name=Lower("username")).filter(
            lower_name__in=names, is_active=True
        )
    }
    missing = [name for name in names if name not in found]
    if missing:
        raise DomainError(
            MessagingError.DIRECT_RECIPIENT_NOT_FOUND,
            _("No account is called @%(username)s: a direct post goes to the accounts it"
              " mentions.") % {"username": missing[0]},
        )  # fmt: skip
    return [found[name] for name in names]


@transaction.atomic(savepoint=False)  # inside the post's own transaction: all or nothing
def deliver_direct_post(*, post: Post) -> list[Message]:
    """Deliver a post of visibility direct to each account it mentions, as a private message
    from its author (who-may-message-me and the hourly limit on new conversations apply).
    One refused recipient refuses the whole post: the caller's transaction rolls back."""
    if post.visibility != Visibility.DIRECT:
        return []
    author = post.author
    body = post.text.strip()
    # A post of pictures only is shared as the post itself.
    attachment = ("", None, "") if body else (Message.Attachment.POST.value, post.pk, "")
    messages = []
    # In id order, so two direct posts between the same people lock in one order.
    for recipient in sorted(direct_recipients(author=author, text=post.text), key=lambda u: u.pk):
        try:
            messages.append(
                deliver(
                    sender=author,
                    recipient=recipient,
                    body=body,
                    attachment=attachment,
                    post_id=post.pk,
                )
            )
        except DomainError as error:
            raise _refusal(error, recipient.username) from None
    return messages


@transaction.atomic
def remove_conversation(*, user: User, participant_id: int) -> bool:
    """Take a conversation off the person's Mastodon list (a Mastodon client's "delete"):
    its messages stay, and the next message brings it back. False if it is not theirs."""
    return bool(
        Participant.objects.filter(pk=participant_id, user=user).update(removed_at=timezone.now())
    )


@transaction.atomic
def read_conversation(*, user: User, participant_id: int) -> bool:
    """Mark everything in one of the person's conversations read; False if not theirs."""
    other_id = (
        Participant.objects.filter(pk=participant_id, user=user)
        .values_list("other_id", flat=True)
        .first()
    )
    if other_id is None:
        return False
    mark_conversation_read(user=user, other_id=other_id)
    return True
