"""The microblog's pages and htmx fragments: read with selectors, write with actions."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from infoconnect.core import ratelimits
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import require_id
from infoconnect.core.pagination import PageParams
from infoconnect.core.views import render_domain_error
from infoconnect.shop import selectors as shop_selectors
from infoconnect.social import (
    actions,
    discovery,
    followed_tags,
    polls,
    scheduled_views,
    selectors,
)
from infoconnect.social import follow_requests as follow_requests_actions
from infoconnect.social.actions import polls as poll_actions
from infoconnect.social.errors import MediaError, SocialError
from infoconnect.social.forms import CommentForm, ComposeForm, PostForm
from infoconnect.social.media import media_for_posts
from infoconnect.social.models import Notification, Poll, Post
from infoconnect.social.text import normalize_tag

PAGE_SIZE = 20
# What happened to an order, at a glance.
ORDER_ICONS = {
    Notification.Kind.ORDER_PAID: "💰",
    Notification.Kind.ORDER_SHIPPED: "📦",
    Notification.Kind.ORDER_AUTO_CONFIRM: "⏰",
    Notification.Kind.REFUND_REQUESTED: "↩️",
    Notification.Kind.REFUND_ANSWERED: "↩️",
    Notification.Kind.REFUND_DISPUTED: "⚖️",
    Notification.Kind.REFUND_DECIDED: "⚖️",
}
SEARCH_MAX_LENGTH = 100
# Errors about the text itself are shown under the form rather than on an error page.
TEXT_ERRORS = (SocialError.POST_EMPTY, SocialError.POST_TOO_LONG)


# Shared plumbing ------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def header_values(request: HttpRequest) -> dict:
    """The header's notifications badge (registered in SocialConfig.ready)."""
    user = request.user
    # Counted only when a page draws the header, not for every fragment (live progress,
    # badges) rendered with this context.
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: selectors.unread_notification_count(user=user)
        )
    }


def current_path(request: HttpRequest) -> str:
    """Where the person is: the page itself, or for htmx the page the fragment belongs to."""
    current = request.headers.get("HX-Current-URL")
    if current:
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()


def _back_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def login_required(view: Callable) -> Callable:
    """Anonymous visitors go to the log-in page, and come back to where they were."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "POST" or _is_htmx(request):
            come_back = _back_url(request, current_path(request))
        else:
            come_back = request.get_full_path()
        # An htmx request is answered by core.htmx.SessionEndedMiddleware: a refresh is left
        # alone, an action takes the whole page to the log-in page.
        return redirect_to_login(come_back)

    return wrapper


def _error(request: HttpRequest, error: DomainError) -> HttpResponse:
    response = render_domain_error(request, error)
    if _is_htmx(request):
        # The page's script puts the message next to the control that was used.
        response["HX-Reswap"] = "innerHTML"
    return response


def shows_domain_errors(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            return _error(request, error)

    return wrapper


def _page(request: HttpRequest) -> PageParams:
    # One row more than is shown tells whether an "Older" link leads anywhere.
    return PageParams.clean(max_id=request.GET.get("max_id"), limit=PAGE_SIZE + 1)


def _split(rows: list) -> tuple[list, int | None]:
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        return rows, rows[-1].pk
    return rows, None


def _prepare(posts: list[Post], viewer) -> list[Post]:
    """Give each post what _post.html draws: the post shown (a plain repost shows the
    original) and whether the viewer liked or reposted it."""
    state = selectors.viewer_state(viewer=viewer, posts=posts)
    shown_ids = [post.repost_of_id if post.is_plain_repost else post.pk for post in posts]
    cards = shop_selectors.product_cards_for_posts(shown_ids)
    pictures = media_for_posts(shown_ids)
    poll_views = polls.for_posts(
        [post.repost_of if post.is_plain_repost else post for post in posts], viewer
    )
    for post in posts:
        shown = post.repost_of if post.is_plain_repost else post
        flags = state.for_post(post)
        post.shown = shown
        shown.viewer_liked = flags["liked"]
        shown.viewer_reposted = flags["reposted"]
        shown.card_product = cards.get(shown.pk)
        shown.pictures = pictures.get(shown.pk, [])
        shown.poll_view = poll_views.get(shown.pk)
    return posts


def _render_post(request: HttpRequest, post: Post, template: str, **extra) -> HttpResponse:
    _prepare([post], request.user)
    return render(request, template, {"post": post, **extra})


# Home timeline and posting --------------------------------------------------------------


def _home(request: HttpRequest, form: PostForm, status: int = 200) -> HttpResponse:
    posts, older = _split(selectors.home_timeline(user=request.user, page=_page(request)))
    context = {"form": form, "posts": _prepare(posts, request.user), "older_max_id": older}
    if not posts and not request.GET.get("max_id"):
        # A newcomer's empty timeline offers accounts to follow, not only a sentence.
        context["suggestions"] = discovery.suggested_accounts(viewer=request.user, limit=8)
    return render(request, "social/home.html", context, status=status)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "social/landing.html")
    return _home(request, ComposeForm(author=request.user))


@require_POST
@login_required
@ratelimits.limit("post")
def post_create(request: HttpRequest) -> HttpResponse:
    form = ComposeForm(request.POST, request.FILES, author=request.user)
    form.is_valid()
    try:
        if "product" in form.errors:
            raise DomainError(SocialError.INVALID_PRODUCT)
        if "scheduled_at" in form.errors:
            raise DomainError(SocialError.SCHEDULED_INVALID_TIME)
        poll = form.poll()
        if form.cleaned_data.get("scheduled_at"):
            if poll is not None:
                raise DomainError(
                    SocialError.UNSUPPORTED_PARAMETER, _("A scheduled post cannot carry a poll.")
                )
            return scheduled_views.schedule_from_compose(request, form)
        # Without the page's script the pictures come with the form, each counted as an upload.
        uploads = request.FILES.getlist("media")
        for _upload in uploads:
            ratelimits.check(request, "media")
        post = actions.create_post(
            author=request.user,
            text=form.cleaned_data.get("text", ""),
            product_id=form.cleaned_data.get("product"),
            media_ids=[
                require_id(value, MediaError.MEDIA_NOT_FOUND)
                for value in request.POST.getlist("media_ids")
            ],
            uploads=uploads,
            # As sent: a value the action refuses is shown, never replaced.
            visibility=request.POST.get("visibility"),
            spoiler_text=request.POST.get("spoiler_text"),
            poll=poll,
        )
    except DomainError as error:
        if _is_htmx(request):
            return _error(request, error)
        form.add_error("text", error.message)
        return _home(request, form, status=error.status)
    if _is_htmx(request):
        post = selectors.get_post(post_id=post.pk, viewer=request.user)
        return _render_post(request, post, "social/_post.html")
    messages.success(request, _("Your post is published."))
    return redirect("social:home")


# One post and its thread ----------------------------------------------------------------


def _post_page(
    request: HttpRequest, post: Post, form: CommentForm, status: int = 200
) -> HttpResponse:
    context = selectors.thread(post=post, viewer=request.user)
    _prepare([*context.ancestors, post, *context.descendants], request.user)
    return render(
        request,
        "social/post_detail.html",
        {
            "post": post,
            "ancestors": context.ancestors,
            "descendants": context.descendants,
            "form": form,
        },
        status=status,
    )


@require_GET
@shows_domain_errors
def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.get_post(post_id=post_id, viewer=request.user)
    if post.is_plain_repost:
        return redirect("social:post", post.repost_of_id)
    return _post_page(request, post, CommentForm())


@require_POST
@login_required
@ratelimits.limit("post")
@shows_domain_errors
def comment_create(request: HttpRequest, post_id: int) -> HttpResponse:
    form = CommentForm(request.POST)
    form.is_valid()
    try:
        comment = actions.create_post(
            author=request.user, text=form.cleaned_data["text"], in_reply_to_id=post_id
        )
    except DomainError as error:
        if _is_htmx(request) or error.error not in TEXT_ERRORS:
            raise
        form.add_error("text", error.message)
        post = selectors.get_post(post_id=post_id, viewer=request.user)
        return _post_page(request, post, form, status=error.status)
    if _is_htmx(request):
        comment = selectors.get_post(post_id=comment.pk, viewer=request.user)
        comment.depth = 0
        response = _render_post(request, comment, "social/_thread_item.html")
        # The commented post's count, wherever the page shows it, moves with the new comment.
        replies = Post.objects.filter(pk=post_id).values_list("replies_count", flat=True).first()
        response.write(
            format_html(
                '<span hx-swap-oob="innerHTML:.replies-count-{}">{}</span>', post_id, replies
            )
        )
        return response
    messages.success(request, _("Your comment is published."))
    return redirect(reverse("social:post", args=[comment.in_reply_to_id]) + f"#post-{comment.pk}")


def _post_button(request: HttpRequest, original_id: int) -> HttpResponse:
    """After a like or repost: the post's refreshed action bar, or back to the page."""
    if _is_htmx(request):
        post = selectors.get_post(post_id=original_id, viewer=request.user)
        return _render_post(request, post, "social/_post_actions.html")
    return redirect(_back_url(request, reverse("social:post", args=[original_id])))


@require_POST
@login_required
@shows_domain_errors
def poll_vote(request: HttpRequest, post_id: int) -> HttpResponse:
    """A vote in the post's poll: the poll's results in place, or back to the page."""
    poll_id = Poll.objects.filter(post_id=post_id).values_list("pk", flat=True).first()
    if poll_id is None:
        raise DomainError(SocialError.POLL_NOT_FOUND)
    poll_actions.vote(user=request.user, poll_id=poll_id, choices=request.POST.getlist("choices"))
    if _is_htmx(request):
        post = selectors.get_post(post_id=post_id, viewer=request.user)
        return _render_post(request, post, "social/_poll.html")
    messages.success(request, _("Your vote is counted."))
    return redirect(_back_url(request, reverse("social:post", args=[post_id])))


@require_POST
@login_required
@shows_domain_errors
def like(request: HttpRequest, post_id: int) -> HttpResponse:
    return _post_button(request, actions.like(user=request.user, post_id=post_id).pk)


@require_POST
@login_required
@shows_domain_errors
def unlike(request: HttpRequest, post_id: int) -> HttpResponse:
    return _post_button(request, actions.unlike(user=request.user, post_id=post_id).pk)


@require_POST
@login_required
@shows_domain_errors
def repost(request: HttpRequest, post_id: int) -> HttpResponse:
    shared = actions.repost(user=request.user, post_id=post_id)
    return _post_button(request, shared.repost_of_id)


@require_POST
@login_required
@shows_domain_errors
def unrepost(request: HttpRequest, post_id: int) -> HttpResponse:
    return _post_button(request, actions.unrepost(user=request.user, post_id=post_id).pk)


@require_POST
@login_required
@shows_domain_errors
def quote(request: HttpRequest, post_id: int) -> HttpResponse:
    text = request.POST.get("text", "")
    if not text.strip():
        # Without a comment this form would make a plain repost, which is the other button.
        raise DomainError(SocialError.POST_EMPTY)
    shared = actions.repost(user=request.user, post_id=post_id, text=text)
    if _is_htmx(request):
        return render(request, "social/_quote_done.html", {"shared": shared})
    messages.success(request, _("Reposted with your comment."))
    return redirect("social:post", shared.pk)


@require_POST
@login_required
@shows_domain_errors
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    actions.delete_post(user=request.user, post_id=post_id)
    post_page = reverse("social:post", args=[post_id])
    here = urlsplit(current_path(request)).path
    if _is_htmx(request):
        # The post's element goes away; on the post's own page there is nothing left to show.
        response = HttpResponse("")
        if here == post_page:
            response["HX-Redirect"] = reverse("social:home")
        return response
    messages.success(request, _("Your post is deleted."))
    back = _back_url(request, reverse("social:home"))
    return redirect(reverse("social:home") if urlsplit(back).path == post_page else back)


# Profiles and relationships -------------------------------------------------------------


@require_GET
@shows_domain_errors
def profile(request: HttpRequest, username: str) -> HttpResponse:
    account = selectors.get_account(username=username)
    relation = selectors.relationship(viewer=request.user, target=account)
    posts, older = [], None
    if not relation.blocked_by:
        rows = selectors.profile_timeline(author=account, viewer=request.user, page=_page(request))
        posts, older = _split(rows)
    return render(
        request,
        "social/profile.html",
        {
            "account": account,
            "relation": relation,
            "posts": _prepare(posts, request.user),
            "older_max_id": older,
        },
    )


@require_GET
@shows_domain_errors
def profile_shop(request: HttpRequest, username: str) -> HttpResponse:
    """A merchant's profile tab of its products on sale (橱窗), as cards like the shop's."""
    account = selectors.get_account(username=username)
    if not account.is_verified_merchant:
        raise DomainError(SocialError.ACCOUNT_NOT_FOUND)
    relation = selectors.relationship(viewer=request.user, target=account)
    products, next_max_id = [], None
    if not relation.blocked_by:
        params = PageParams.clean(max_id=request.GET.get("max_id"), limit=PAGE_SIZE)
        products = shop_selectors.products_on_sale(params=params, merchant_id=account.pk)
        next_max_id = products[-1].pk if len(products) == params.limit else None
    return render(
        request,
        "social/profile_shop.html",
        {
            "account": account,
            "relation": relation,
            "products": products,
            "next_max_id": next_max_id,
        },
    )


RELATIONSHIP_CHANGES = {
    "follow": (
        lambda viewer, target: actions.follow(follower=viewer, target=target),
        gettext_lazy("You now follow %(name)s."),
    ),
    "unfollow": (
        lambda viewer, target: actions.unfollow(follower=viewer, target=target),
        gettext_lazy("You no longer follow %(name)s."),
    ),
    "block": (
        lambda viewer, target: actions.block(blocker=viewer, target=target),
        gettext_lazy("You blocked %(name)s."),
    ),
    "unblock": (
        lambda viewer, target: actions.unblock(blocker=viewer, target=target),
        gettext_lazy("You unblocked %(name)s."),
    ),
    "mute": (
        lambda viewer, target: actions.mute(muter=viewer, target=target),
        gettext_lazy("You muted %(name)s. Their posts no longer show in your timelines."),
    ),
    "unmute": (
        lambda viewer, target: actions.unmute(muter=viewer, target=target),
        gettext_lazy("You unmuted %(name)s."),
    ),
}

# Following a locked account asks it first.
FOLLOW_REQUESTED = gettext_lazy("You asked to follow %(name)s; they will decide.")


@require_POST
@login_required
@shows_domain_errors
def relationship_change(request: HttpRequest, username: str, change: str) -> HttpResponse:
    account = selectors.get_account(username=username)
    act, done = RELATIONSHIP_CHANGES[change]
    act(request.user, account)
    if change == "follow" and selectors.relationship(viewer=request.user, target=account).requested:
        done = FOLLOW_REQUESTED
    messages.success(request, done % {"name": account.name})
    return redirect(_back_url(request, reverse("social:profile", args=[account.username])))


@require_GET
@shows_domain_errors
def follow_list(request: HttpRequest, username: str, direction: str) -> HttpResponse:
    account = selectors.get_account(username=username)
    relation = selectors.relationship(viewer=request.user, target=account)
    rows, older = [], None
    # An account that hides its lists shows them to itself only.
    hidden = account.hide_collections and request.user.pk != account.pk
    if not relation.blocked_by and not hidden:
        list_of = selectors.followers if direction == "followers" else selectors.following
        rows, older = _split(list_of(account=account, page=_page(request)))
    people = [row.follower if direction == "followers" else row.target for row in rows]
    return render(
        request,
        "social/follow_list.html",
        {
            "account": account,
            "relation": relation,
            "direction": direction,
            "people": people,
            "older_max_id": older,
            "hidden": hidden,
        },
    )


@require_GET
@login_required
def follow_requests(request: HttpRequest) -> HttpResponse:
    """Who asks to follow the viewer, newest first, each with Accept and Refuse."""
    rows, older = _split(selectors.follow_requests(user=request.user, page=_page(request)))
    return render(
        request,
        "social/follow_requests.html",
        {"requests": rows, "older_max_id": older},
    )


FOLLOW_REQUEST_ANSWERS = {
    "accept": (follow_requests_actions.authorize, gettext_lazy("%(name)s now follows you.")),
    "reject": (
        follow_requests_actions.reject,
        gettext_lazy("You refused %(name)s's request to follow you."),
    ),
}


@require_POST
@login_required
@shows_domain_errors
def follow_request_answer(request: HttpRequest, username: str, answer: str) -> HttpResponse:
    requester = selectors.get_account(username=username)
    act, done = FOLLOW_REQUEST_ANSWERS[answer]
    act(account=request.user, requester_id=requester.pk)
    messages.success(request, done % {"name": requester.name})
    return redirect("social:follow_requests")


# Tags, search, notifications ------------------------------------------------------------


@require_GET
def tag(request: HttpRequest, name: str) -> HttpResponse:
    posts, older = _split(
        selectors.tag_timeline(name=name, viewer=request.user, page=_page(request))
    )
    tag_name = normalize_tag(name)
    following = request.user.is_authenticated and followed_tags.follows(
        user=request.user, name=tag_name
    )
    return render(
        request,
        "social/tag.html",
        {
            "tag_name": tag_name,
            "summary": selectors.tag_summary(name=tag_name),
            "following_tag": following,
            "posts": _prepare(posts, request.user),
            "older_max_id": older,
        },
    )


@require_POST
@login_required
@shows_domain_errors
def tag_follow(request: HttpRequest, follow: bool) -> HttpResponse:
    """Follow or stop following the tag named in the form; its public posts join (or leave)
    the home timeline."""
    name = request.POST.get("tag", "")
    if follow:
        tag = followed_tags.follow_tag(user=request.user, name=name)
        messages.success(
            request, _("Posts with #%(tag)s now show on your home timeline.") % {"tag": tag.name}
        )
    else:
        tag = followed_tags.unfollow_tag(user=request.user, name=name)
        messages.success(request, _("You no longer follow #%(tag)s.") % {"tag": tag.name})
    return redirect("social:tag", name=tag.name)


SEARCH_PRODUCTS = 8


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    accounts, tags, products, posts, older = [], [], [], [], None
    trending_tags, trending_products = [], []
    if query:
        accounts = selectors.search_accounts(query=query, viewer=request.user)
        tags = selectors.search_tags(query=query)
        products = shop_selectors.products_on_sale(
            params=PageParams(limit=SEARCH_PRODUCTS), query=query
        )
        posts, older = _split(
            selectors.search_posts(query=query, viewer=request.user, page=_page(request))
        )
    else:
        # Before a search: what people post about and buy this week.
        trending_tags = selectors.trending_tags()
        trending_products = shop_selectors.trending_products()
    return render(
        request,
        "social/search.html",
        {
            "q": query,
            "accounts": accounts,
            "tags": tags,
            "products": products,
            "posts": _prepare(posts, request.user),
            "older_max_id": older,
            "trending_tags": trending_tags,
            "trending_products": trending_products,
        },
    )


@require_GET
@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    rows, older = _split(selectors.notifications(user=request.user, page=_page(request)))
    for notification in rows:
        post = notification.post
        # A plain repost has no text of its own: the notification shows what was reposted.
        notification.shown_post = post.repost_of if post and post.is_plain_repost else post
        if notification.order_id is not None:
            notification.icon = ORDER_ICONS.get(notification.kind, "")
            notification.confirms_at = parse_datetime(notification.data.get("confirms_at", ""))
    return render(
        request, "social/notifications.html", {"notifications": rows, "older_max_id": older}
    )


@require_GET
@login_required
def notifications_badge(request: HttpRequest) -> HttpResponse:
    """The header's unread count, polled so a new notification shows without a reload."""
    return render(
        request,
        "social/_notifications_badge.html",
        {"unread": selectors.unread_notification_count(user=request.user)},
    )


@require_POST
@login_required
def notifications_read(request: HttpRequest) -> HttpResponse:
    actions.mark_notifications_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("social:notifications")
