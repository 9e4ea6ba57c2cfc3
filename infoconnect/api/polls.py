"""Mastodon's polls: ``GET /api/v1/polls/{id}`` and ``POST /api/v1/polls/{id}/votes``.

A poll is posted with its status (``poll`` on ``POST /api/v1/statuses``); it is read and voted
on here by anyone who may read that status.
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from infoconnect.api.auth import optional_auth
from infoconnect.api.mastodon import Presenter, parse_id, viewer_of
from infoconnect.api.schemas import ErrorOut
from infoconnect.api.social import _body, _form_body
from infoconnect.core.errors import CommonError, DomainError
from infoconnect.social import polls, selectors
from infoconnect.social.actions import polls as poll_actions
from infoconnect.social.errors import SocialError
from infoconnect.social.models import Poll

router = Router(tags=["statuses"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PollOptionOut(Schema):
    title: str
    votes_count: int | None


class PollOut(Schema):
    id: str
    expires_at: str | None
    expired: bool
    multiple: bool
    votes_count: int
    voters_count: int | None
    options: list[PollOptionOut]
    emojis: list[dict]
    voted: bool | None = Field(None, description="Only when the caller is signed in.")
    own_votes: list[int] | None = Field(None, description="Only when the caller is signed in.")


class VoteIn(Schema):
    choices: list[str | int] = Field(description="The positions chosen, from 0.")


def _entity(request: HttpRequest, poll_id: int) -> dict:
    """The poll as the caller may see it: one on a status they may not read is 404."""
    post_id = Poll.objects.filter(pk=poll_id).values_list("post_id", flat=True).first()
    if post_id is None:
        raise DomainError(SocialError.POLL_NOT_FOUND)
    viewer = viewer_of(request)
    try:
        post = selectors.get_post(post_id=post_id, viewer=viewer)
    except DomainError:
        raise DomainError(SocialError.POLL_NOT_FOUND) from None
    return Presenter(request).poll(polls.for_posts([post], viewer)[post.pk])


@router.get(
    "/v1/polls/{poll_id}",
    response={200: PollOut, **ERRORS},
    auth=optional_auth,
    exclude_unset=True,
)
def get_poll(request: HttpRequest, poll_id: str):
    return _entity(request, parse_id(poll_id, SocialError.POLL_NOT_FOUND))


@router.post(
    "/v1/polls/{poll_id}/votes",
    response={200: PollOut, **ERRORS},
    exclude_unset=True,
    openapi_extra=_form_body(VoteIn),
)
def vote(request: HttpRequest, poll_id: str):
    """Vote once: ``choices[]`` (one position, or several in a multiple-choice poll)."""
    pk = parse_id(poll_id, SocialError.POLL_NOT_FOUND)
    if request.content_type == "application/json":
        choices = _body(request).get("choices", [])
    else:
        choices = request.POST.getlist("choices[]") or request.POST.getlist("choices")
    if not isinstance(choices, list):
        raise DomainError(CommonError.VALIDATION, _("choices must be a list."))
    poll_actions.vote(user=request.auth, poll_id=pk, choices=choices)
    return _entity(request, pk)
