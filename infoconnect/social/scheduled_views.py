"""Posting later from the web: the compose box's "Post later", and the page of one's scheduled
posts, each with Cancel. The API's /api/v1/scheduled_statuses reads and writes the same rows."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from infoconnect.core import ratelimits
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import require_id
from infoconnect.core.pagination import PageParams
from infoconnect.core.views import render_domain_error
from infoconnect.social import media, selectors
from infoconnect.social.actions import scheduled
from infoconnect.social.errors import MediaError
from infoconnect.social.forms import ComposeForm
from infoconnect.social.models import ScheduledStatus

PAGE_SIZE = 40


def _when(row: ScheduledStatus) -> str:
    return formats.date_format(timezone.localtime(row.scheduled_at), "Y-m-d H:i")


def schedule_from_compose(request: HttpRequest, form: ComposeForm) -> HttpResponse:
    """The compose box with a time: the post waits for it. Refusals raise, for the compose
    view to show as it shows a post's."""
    media_ids = [
        require_id(value, MediaError.MEDIA_NOT_FOUND) for value in request.POST.getlist("media_ids")
    ]
    # Without the page's script the pictures come with the form: kept only with the post.
    uploads = request.FILES.getlist("media")
    for _upload in uploads:
        ratelimits.check(request, "media")
    with transaction.atomic():
        media_ids += [media.upload_media(owner=request.user, upload=u).pk for u in uploads]
        row = scheduled.schedule_status(
            author=request.user,
            text=form.cleaned_data.get("text", ""),
            scheduled_at=form.cleaned_data["scheduled_at"],
            media_ids=media_ids,
            visibility=request.POST.get("visibility"),
            spoiler_text=request.POST.get("spoiler_text"),
        )
    message = _("Your post will be published at %(time)s.") % {"time": _when(row)}
    if request.headers.get("HX-Request") == "true":
        # Shown at the top of the timeline, where the post itself would have gone.
        return render(request, "social/_scheduled_notice.html", {"message": message})
    messages.success(request, message)
    return redirect("social:home")


@require_GET
@login_required
def scheduled_posts(request: HttpRequest) -> HttpResponse:
    rows = selectors.scheduled_statuses(user=request.user, page=PageParams(limit=PAGE_SIZE))
    # Soonest first: what is published next is what one looks for.
    rows = sorted(rows, key=lambda row: row.scheduled_at)
    return render(request, "social/scheduled.html", {"rows": rows})


@require_POST
@login_required
def scheduled_cancel(request: HttpRequest, scheduled_id: int) -> HttpResponse:
    try:
        scheduled.cancel_scheduled(user=request.user, scheduled_id=scheduled_id)
    except DomainError as error:
        return render_domain_error(request, error)
    messages.success(request, _("The scheduled post was cancelled; it will not be published."))
    return redirect("social:scheduled")
