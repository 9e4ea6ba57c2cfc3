"""The page that edits one's own post: the form, and saving it through social.edits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from infoconnect.core import ratelimits
from infoconnect.core.errors import DomainError
from infoconnect.core.views import render_domain_error
from infoconnect.social import edit_selectors, edits, selectors
from infoconnect.social.errors import SocialError
from infoconnect.social.forms import PostEditForm

# Errors about what was typed are shown on the form; the others are an error page.
FORM_ERRORS = {
    SocialError.POST_EMPTY: "text",
    SocialError.POST_TOO_LONG: "text",
    SocialError.DIRECT_RECIPIENTS_FIXED: "text",
    SocialError.INVALID_EDIT: None,
}


def _editable_post(request: HttpRequest, post_id: int):
    post = selectors.get_post(post_id=post_id, viewer=request.user)
    edit_selectors.require_direct_reader(post, request.user)
    if post.author_id != request.user.pk:
        raise DomainError(SocialError.NOT_YOUR_POST_TO_EDIT)
    if post.is_plain_repost:
        raise DomainError(SocialError.CANNOT_EDIT_REPOST)
    return post


@login_required
@require_http_methods(["GET", "POST"])
@ratelimits.limit("post")
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    try:
        post = _editable_post(request, post_id)
    except DomainError as error:
        return render_domain_error(request, error)
    status = 200
    if request.method == "POST":
        form = PostEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                edits.edit_post(
                    user=request.user,
                    post_id=post.pk,
                    text=data["text"],
                    spoiler_text=data["spoiler_text"],
                    sensitive=data["sensitive"],
                    language=data["language"],
                )
            except DomainError as error:
                if error.error not in FORM_ERRORS:
                    return render_domain_error(request, error)
                form.add_error(FORM_ERRORS[error.error], error.message)
            else:
                messages.success(request, _("Your post is edited."))
                return redirect("social:post", post.pk)
        status = 422
    else:
        form = PostEditForm(
            initial={
                "text": post.text,
                "spoiler_text": post.spoiler_text,
                "sensitive": post.sensitive,
                "language": post.language,
            }
        )
    return render(request, "social/post_edit.html", {"post": post, "form": form}, status=status)
