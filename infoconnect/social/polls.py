"""Polls on posts, as Mastodon has them: 2 to 4 options, one choice or several, open for 5
minutes to 30 days, totals shown or hidden until the end.

A poll is written with its post (``create``, in the post's transaction). A vote is one ballot
row an account (a unique constraint, so two votes sent at once count once) and conditional
counter updates; ``actions.polls`` holds the vote and the closing. Reading (``for_posts``)
gives each post's poll with the viewer's own choices in two queries a page, none more when no
post on the page has a poll.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.jobs import enqueue_on_commit
from infoconnect.social.errors import SocialError
from infoconnect.social.models import (
    POLL_MAX_EXPIRATION,
    POLL_MAX_OPTIONS,
    POLL_MIN_EXPIRATION,
    POLL_OPTION_MAX_LENGTH,
    Poll,
    PollBallot,
    PollOption,
    Post,
)

CLOSE_TASK = "infoconnect.social.tasks.close_poll"
TRUE, FALSE = {"true", "1", "on", "yes"}, {"false", "0", "off", "no", ""}

# What the web compose box offers to run a poll for, in seconds (as Mastodon's web does).
DURATIONS = (5 * 60, 30 * 60, 60 * 60, 6 * 60 * 60, 24 * 60 * 60, 3 * 86400, 7 * 86400)


@dataclass(frozen=True)
class PollSpec:
    """A poll as the author asked for it, checked."""

    options: tuple[str, ...]
    expires_in: int
    multiple: bool = False
    hide_totals: bool = False


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise DomainError(SocialError.POLL_INVALID)


def clean(
    *,
    options: Sequence[object],
    expires_in: object,
    multiple: object = False,
    hide_totals: object = False,
) -> PollSpec:
    """A poll the author may post; anything outside the limits is refused, never cut."""
    if not isinstance(options, list | tuple):
        raise DomainError(SocialError.POLL_INVALID)
    titles = []
    for option in options:
        if not isinstance(option, str):
            raise DomainError(SocialError.POLL_INVALID)
        title = option.strip()
        if not title or len(title) > POLL_OPTION_MAX_LENGTH:
            raise DomainError(SocialError.POLL_INVALID)
        titles.append(title)
    if not 2 <= len(titles) <= POLL_MAX_OPTIONS or len(set(titles)) != len(titles):
        raise DomainError(SocialError.POLL_INVALID)
    if isinstance(expires_in, bool):
        raise DomainError(SocialError.POLL_INVALID)
    try:
        seconds = int(str(expires_in).strip())
    except ValueError:
        raise DomainError(SocialError.POLL_INVALID) from None
    if not POLL_MIN_EXPIRATION <= seconds <= POLL_MAX_EXPIRATION:
        raise DomainError(SocialError.POLL_INVALID)
    return PollSpec(tuple(titles), seconds, _flag(multiple), _flag(hide_totals))


def create(*, post: Post, spec: PollSpec) -> Poll:
    """The post's poll and its options; its closing is queued for when it ends (the sweep
    closes it if that job is lost). Called in the post's transaction."""
    poll = Poll.objects.create(
        post=post,
        expires_at=post.created_at + timedelta(seconds=spec.expires_in),
        multiple=spec.multiple,
        hide_totals=spec.hide_totals,
    )
    PollOption.objects.bulk_create(
        [
            PollOption(poll=poll, position=position, title=title)
            for position, title in enumerate(spec.options)
        ]
    )
    enqueue_on_commit(CLOSE_TASK, poll.pk, run_after=poll.expires_at)
    return poll


# Reading -------------------------------------------------------------------------------


@dataclass
class PollView:
    """A poll as one viewer sees it: the options in order, what the viewer chose, and
    whether the totals may be shown to them."""

    poll: Poll
    options: list[PollOption]
    own_choices: list[int] = field(default_factory=list)
    is_author: bool = False

    @property
    def expired(self) -> bool:
        return self.poll.expired

    @property
    def voted(self) -> bool:
        # The author sees the results as a voter does, as on Mastodon.
        return self.is_author or bool(self.own_choices)

    @property
    def totals_shown(self) -> bool:
        return not self.poll.hide_totals or self.expired or self.is_author

    @property
    def can_vote(self) -> bool:
        return not self.voted and not self.expired

    def rows(self) -> list[dict]:
        """Each option with its count and share of the votes (for the web page)."""
        total = self.poll.votes_count
        return [
            {
                "position": option.position,
                "title": option.title,
                "votes": option.votes_count,
                "percent": round(100 * option.votes_count / total) if total else 0,
                "chosen": option.position in self.own_choices,
            }
            for option in self.options
        ]


def for_posts(posts: Iterable[Post], viewer: User | None) -> dict[int, PollView]:
    """Each post's poll as ``viewer`` sees it, by post id."""
    authors = {post.pk: post.author_id for post in posts}
    ids = set(authors)
    if not ids:
        return {}
    polls = {poll.pk: poll for poll in Poll.objects.filter(post_id__in=ids)}
    if not polls:
        return {}
    options: dict[int, list[PollOption]] = {}
    for option in PollOption.objects.filter(poll_id__in=polls).order_by("poll_id", "position"):
        options.setdefault(option.poll_id, []).append(option)
    own: dict[int, list[int]] = {}
    if viewer is not None and viewer.is_authenticated:
        own = dict(
            PollBallot.objects.filter(voter_id=viewer.pk, poll_id__in=polls).values_list(
                "poll_id", "choices"
            )
        )
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    return {
        poll.post_id: PollView(
            poll=poll,
            options=options.get(poll.pk, []),
            own_choices=list(own.get(poll.pk, [])),
            is_author=authors.get(poll.post_id) == viewer_id,
        )
        for poll in polls.values()
    }
