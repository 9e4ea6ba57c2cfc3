"""Inbox, conversations, campaign pages and the click-tracking redirect."""

import uuid
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from infoconnect.accounts.gates import verified_merchant_page
from infoconnect.accounts.selectors import is_notice_account
from infoconnect.core import ratelimits, spreadsheets
from infoconnect.core.errors import DomainError
from infoconnect.core.idempotency import form_once
from infoconnect.core.ids import parse_id
from infoconnect.core.money import format_money
from infoconnect.core.views import render_domain_error
from infoconnect.messaging import actions, selectors
from infoconnect.messaging.errors import MessagingError
from infoconnect.messaging.forms import (
    AudienceForm,
    CampaignForm,
    MessageForm,
    ScheduleForm,
    TagForm,
)
from infoconnect.messaging.lifecycle import campaigns as campaign_lifecycle
from infoconnect.messaging.models import Campaign
from infoconnect.shop.actions import coupons as coupon_actions
from infoconnect.wallet import selectors as wallet_selectors
from infoconnect.wallet.models import AccountKind


def header_links(request: HttpRequest) -> dict:
    user = request.user
    return {
        "header_links": [
            {
                "url": reverse("messaging:inbox"),
                "id": "nav-messages",
                "label": _("Messages"),
                "icon": "chat-bubble-left-right",
                "tab": pgettext_lazy("tab", "Messages"),
                # Shown on first paint, then fetched again on each "messages" event of the
                # live stream; counted only when a page draws the header, not for every
                # fragment rendered with this context.
                "badge": SimpleLazyObject(lambda: selectors.unread_total(user=user)),
                "badge_url": reverse("messaging:badge"),
                "badge_event": "ic-messages",
            }
        ]
    }


# ---------------------------------------------------------------- inbox and conversations


def _cursor(request: HttpRequest) -> tuple[datetime | None, int | None]:
    """A page cursor from the query string: a time and an id; anything malformed is no cursor."""
    try:
        before = parse_datetime(request.GET.get("before", "") or "")
    except ValueError:
        before = None
    if before is not None and timezone.is_naive(before):
        before = timezone.make_aware(before)
    return before, parse_id(request.GET.get("before_id", ""))


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    before, before_id = _cursor(request)
    entries = selectors.inbox(user=request.user, before=before, before_id=before_id)
    older = None
    if len(entries) == selectors.INBOX_PAGE:
        older = {"before": entries[-1].last_at.isoformat(), "before_id": entries[-1].other.pk}
    return render(request, "messaging/inbox.html", {"entries": entries, "older": older})


@login_required
@require_GET
def new_conversation(request: HttpRequest) -> HttpResponse:
    """The inbox's "new message" box: go to the conversation with the account named."""
    username = (request.GET.get("to") or "").strip().removeprefix("@")
    other = selectors.active_account(username)
    if other is None:
        messages.error(request, gettext("No account has that username."))
        return redirect("messaging:inbox")
    if other.pk == request.user.pk:
        messages.error(request, MessagingError.CANNOT_MESSAGE_SELF.message)
        return redirect("messaging:inbox")
    return redirect("messaging:conversation", username=other.username)


@login_required
@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    return render(
        request, "messaging/_badge.html", {"unread": selectors.unread_total(user=request.user)}
    )


@login_required
def conversation(request: HttpRequest, username: str) -> HttpResponse:
    other = selectors.active_account(username)
    if other is None:
        raise Http404
    form = MessageForm(request.POST or None, sender=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            attachment_type, attachment_id, attachment_url = form.attachment()
            try:
                actions.send_message(
                    sender=request.user,
                    recipient_id=other.pk,
                    body=form.cleaned_data["body"],
                    attachment_type=attachment_type,
                    attachment_id=attachment_id,
                    attachment_url=attachment_url,
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                return redirect("messaging:conversation", username=other.username)
    else:
        actions.mark_conversation_read(user=request.user, other_id=other.pk)
    before, before_id = _cursor(request)
    thread = selectors.thread(
        user=request.user, other_id=other.pk, before=before, before_id=before_id
    )
    earlier = None
    if thread.earlier is not None:
        earlier = {"before": thread.earlier[0].isoformat(), "before_id": thread.earlier[1]}
    return render(
        request,
        "messaging/conversation.html",
        {
            "thread": thread,
            "other": other,
            "form": form,
            "earlier": earlier,
            "notices_only": is_notice_account(user_id=other.pk),
        },
        status=status,
    )


@require_GET
def click(request: HttpRequest, token: str) -> HttpResponse:
    """The signed tracking link of a campaign message: record, then go to its own link."""
    try:
        recipient_id, message_id = selectors.read_click_token(token)
        link = actions.record_click(
            recipient_id=recipient_id,
            message_id=message_id,
            target="product" if request.GET.get("to") == "product" else "link",
        )
    except DomainError as error:
        if error.code != MessagingError.LINK_EXPIRED.code:
            raise Http404 from None
        # An old link counts no click and credits no campaign; the person is told so and may
        # still open the product, at its price today.
        return render(
            request,
            "messaging/click_expired.html",
            {"product_id": selectors.expired_click_product_id(token)},
            status=error.status,
        )
    return redirect(link)


@login_required
@require_POST
def unsubscribe(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        preference = actions.unsubscribe(user=request.user, message_id=message_id)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("messaging:inbox")
    messages.success(
        request,
        gettext("You will get no more marketing from %(name)s.")
        % {"name": preference.merchant.name},
    )
    return redirect("messaging:conversation", username=preference.merchant.username)


@login_required
@require_POST
def report(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        actions.report_spam(user=request.user, message_id=message_id)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("messaging:inbox")
    messages.success(request, gettext("Thank you: we have recorded your report."))
    return _back_to_next(request)


def _back_to_next(request: HttpRequest) -> HttpResponse:
    """To the form's "next" page, or the inbox."""
    next_url = request.POST.get("next") or ""
    # Only back to a page of this site: a forged form must not send the reader elsewhere.
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("messaging:inbox")
    return redirect(next_url)


@login_required
@require_POST
def claim_coupon(request: HttpRequest, message_id: int) -> HttpResponse:
    """One click on a campaign message's coupon: the recipient claims it, from that campaign."""
    try:
        coupon_id, campaign_id = selectors.campaign_coupon_to_claim(
            user=request.user, message_id=message_id
        )
        coupon_actions.claim_coupon(
            person=request.user, coupon_id=coupon_id, campaign_id=campaign_id
        )
    except DomainError as error:
        if error.status == 404:
            return render_domain_error(request, error)
        messages.error(request, error.message)
    else:
        messages.success(
            request, gettext("Coupon claimed. Checkout takes it off your order by itself.")
        )
    return _back_to_next(request)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Marketing on or off for each merchant the person follows."""
    if request.method == "POST":
        merchant_id = parse_id(request.POST.get("merchant", ""))
        try:
            if merchant_id is None:
                raise DomainError(MessagingError.RECIPIENT_NOT_FOUND)
            actions.set_marketing_preference(
                follower=request.user,
                merchant_id=merchant_id,
                accepts_marketing=request.POST.get("accepts_marketing") == "1",
            )
        except DomainError:
            messages.error(request, gettext("That merchant does not exist."))
        return redirect("messaging:preferences")
    rows = selectors.marketing_choices(user=request.user)
    return render(request, "messaging/preferences.html", {"rows": rows})


# ---------------------------------------------------------------- campaigns (merchants)


def _merchant_only(request: HttpRequest) -> None:
    if not request.user.is_merchant:
        raise Http404


@login_required
@verified_merchant_page
def campaigns(request: HttpRequest) -> HttpResponse:
    _merchant_only(request)
    return render(
        request,
        "messaging/campaigns.html",
        {
            "campaigns": selectors.campaigns_for(merchant=request.user),
            "programme": selectors.programme_status(merchant=request.user),
        },
    )


@login_required
@verified_merchant_page
@ratelimits.limit("upload", files_only=True)
def campaign_new(request: HttpRequest) -> HttpResponse:
    _merchant_only(request)
    if selectors.programme_status(merchant=request.user) != "enrolled":
        # Composing would be refused on saving: the campaigns page says why.
        return redirect("messaging:campaigns")
    form = CampaignForm(request.POST or None, request.FILES or None, merchant=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = actions.create_campaign(
                merchant=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                link_url=form.cleaned_data["link_url"],
                audience=form.audience(),
                image=form.cleaned_data.get("image"),
                product_id=form.cleaned_data["product"],
                coupon_id=form.cleaned_data["coupon"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("messaging:campaign", campaign_id=campaign.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "messaging/campaign_form.html", {"form": form, "campaign": None}, status=status
    )


@login_required
@verified_merchant_page
@ratelimits.limit("upload", files_only=True)
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    _merchant_only(request)
    campaign = _campaign_or_404(request, campaign_id)
    form = CampaignForm(
        request.POST or None,
        request.FILES or None,
        initial={**CampaignForm.initial_for(campaign), "image": campaign.image or None},
        merchant=request.user,
    )
    if request.method == "POST" and form.is_valid():
        image = form.cleaned_data.get("image")
        try:
            actions.edit_campaign(
                merchant=request.user,
                campaign_id=campaign.pk,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                link_url=form.cleaned_data["link_url"],
                audience=form.audience(),
                product_id=form.cleaned_data["product"] or 0,
                # A new upload replaces the image; "Clear" ticked (False) takes it off.
                image=image if isinstance(image, UploadedFile) else None,
                remove_image=image is False,
                coupon_id=form.cleaned_data["coupon"] or 0,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("messaging:campaign", campaign_id=campaign.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "messaging/campaign_form.html",
        {"form": form, "campaign": campaign},
        status=status,
    )


def _campaign_or_404(request: HttpRequest, campaign_id: int) -> Campaign:
    try:
        return selectors.campaign_for(merchant=request.user, campaign_id=campaign_id)
    except DomainError:
        raise Http404 from None


@login_required
@verified_merchant_page
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    _merchant_only(request)
    campaign = _campaign_or_404(request, campaign_id)
    activity = selectors.campaign_activity(campaign)
    peak = max([max(a.reads, a.clicks) for a in activity] or [1])
    sales = selectors.campaign_sales(campaign)
    billing = selectors.campaign_billing(campaign)
    # "Send now" asks first, naming what the send reaches and costs (counted again now).
    asking = request.GET.get("ask") == "send" and campaign_lifecycle.allows(campaign, "send")
    return render(
        request,
        "messaging/campaign_detail.html",
        {
            "campaign": campaign,
            "programme": selectors.programme_status(merchant=request.user),
            "audience": selectors.describe_audience(campaign.audience),
            "activity": activity,
            "peak": peak,
            "schedule_form": ScheduleForm(),
            "idempotency_key": uuid.uuid4(),
            "billing": billing,
            "merchant_balance": wallet_selectors.balance_of(
                user_id=request.user.pk, kind=AccountKind.MERCHANT, currency=campaign.currency
            ),
            "sales": sales,
            "rates": selectors.campaign_rates(campaign, sales, billing),
            "coupon": selectors.campaign_coupon(campaign),
            "preview": selectors.campaign_preview(campaign),
            "progress_total": selectors.progress_total(campaign),
            "send_estimate": (
                actions.estimate_campaign(merchant=request.user, campaign_id=campaign.pk)
                if asking
                else None
            ),
        },
    )


@login_required
@require_POST
@verified_merchant_page
def audience_estimate(request: HttpRequest) -> HttpResponse:
    """The campaign form's estimate, counted again whenever its audience changes, before it
    is saved."""
    _merchant_only(request)
    form = AudienceForm(request.POST, merchant=request.user)
    try:
        if not form.is_valid():
            raise DomainError(MessagingError.INVALID_AUDIENCE, form.first_error())
        estimate = selectors.audience_estimate(
            merchant_id=request.user.pk, audience=actions.clean_audience(form.audience())
        )
    except DomainError as error:
        return render(request, "messaging/_estimate.html", {"error": error}, status=error.status)
    return render(request, "messaging/_estimate.html", {"estimate": estimate})


@login_required
@require_GET
@verified_merchant_page
def campaign_estimate(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Recipients and cost of a draft, loaded after the page (it counts every follower)."""
    _merchant_only(request)
    campaign = _campaign_or_404(request, campaign_id)
    estimate = None
    if campaign_lifecycle.allows(campaign, "send"):
        estimate = actions.estimate_campaign(merchant=request.user, campaign_id=campaign.pk)
    return render(request, "messaging/_estimate.html", {"estimate": estimate})


@login_required
@require_GET
@verified_merchant_page
def campaign_progress(request: HttpRequest, campaign_id: int) -> HttpResponse:
    _merchant_only(request)
    campaign = _campaign_or_404(request, campaign_id)
    billing = selectors.campaign_billing(campaign)
    return render(
        request,
        "messaging/_progress.html",
        {
            "campaign": campaign,
            "billing": billing,
            "progress_total": selectors.progress_total(campaign),
        },
    )


# The campaign page's buttons: the action each takes, and what the merchant is told after it.
CAMPAIGN_BUTTONS = {
    "test": (actions.send_test, _("A test copy is in your inbox.")),
    "cancel": (actions.cancel_campaign, _("The campaign is cancelled.")),
    "pause": (
        actions.pause_campaign,
        _("The campaign is paused: no more messages go out until you resume it."),
    ),
    "resume": (actions.resume_campaign, _("Sending resumed.")),
}


@login_required
@require_POST
@verified_merchant_page
def campaign_action(request: HttpRequest, campaign_id: int, verb: str) -> HttpResponse:
    _merchant_only(request)
    campaign = _campaign_or_404(request, campaign_id)
    merchant = request.user
    if verb == "send":
        # Sending holds money: a repeated form (the same hidden key) replays the first answer.
        sent = form_once(
            request,
            scope="messaging.campaign.send",
            params={"campaign": campaign.pk},
            work=lambda: {
                "state": actions.send_campaign(merchant=merchant, campaign_id=campaign.pk).state
            },
            key_field="idempotency_key",
        )
        if sent is not None:
            messages.success(request, gettext("Sending started."))
    elif verb == "schedule":
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Choose a date and time."))
        else:
            try:
                actions.schedule_campaign(
                    merchant=merchant,
                    campaign_id=campaign.pk,
                    scheduled_at=form.cleaned_data["scheduled_at"],
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, gettext("The campaign is scheduled."))
    elif verb in CAMPAIGN_BUTTONS:
        action, done = CAMPAIGN_BUTTONS[verb]
        try:
            action(merchant=merchant, campaign_id=campaign.pk)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
    else:
        raise Http404
    return redirect("messaging:campaign", campaign_id=campaign.pk)


# The export's rates, as fractions (0.25 is 25%); return on spend is a multiple.
RATE_LABELS = (
    (_("Read rate"), "read_rate"),
    (_("Click-through rate"), "click_through_rate"),
    (_("Conversion (orders per delivered message)"), "conversion_rate"),
    (_("Return on spend"), "return_on_spend"),
)


@login_required
@require_GET
@verified_merchant_page
def campaign_export(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The campaign's figures for a spreadsheet, labelled in the merchant's language; amounts
    in fen, with the same amount as the page shows it beside them."""
    _merchant_only(request)
    campaign = _campaign_or_404(request, campaign_id)
    stats = selectors.campaign_stats(campaign)
    billing = selectors.campaign_billing(campaign)
    currency = campaign.currency
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}.csv"'
    # The byte-order mark tells spreadsheet programs the file is UTF-8 (Chinese labels).
    response.write("\ufeff")
    writer = spreadsheets.writer(response)

    def money(label: str, fen: int) -> None:
        writer.writerow([label, fen, format_money(fen, currency)])

    writer.writerow([gettext("Figure"), gettext("Value"), gettext("Amount")])
    writer.writerow([gettext("Title"), campaign.title])
    writer.writerow([gettext("State"), campaign.get_state_display()])
    writer.writerow([gettext("Targeted"), stats["targeted"]])
    writer.writerow([gettext("Delivered"), stats["delivered"]])
    writer.writerow([gettext("Skipped: muted"), stats["skipped"]["muted"]])
    writer.writerow(
        [gettext("Skipped: marketing off or unsubscribed"), stats["skipped"]["unsubscribed"]]
    )
    writer.writerow([gettext("Skipped: blocked"), stats["skipped"]["blocked"]])
    writer.writerow([gettext("Skipped: frequency cap"), stats["skipped"]["capped"]])
    writer.writerow([gettext("Skipped: account deactivated"), stats["skipped"]["inactive"]])
    writer.writerow([gettext("Read"), stats["read"]])
    writer.writerow([gettext("Clicked"), stats["clicked"]])
    writer.writerow([gettext("Unsubscribed"), stats["unsubscribed"]])
    writer.writerow([gettext("Reported as spam"), stats["reported"]])
    money(gettext("Price per message"), campaign.price_per_message_fen)
    money(gettext("Cost of delivered messages"), campaign.billable_fen)
    money(gettext("Cost held"), billing["held"])
    if billing["charged"] is None:
        writer.writerow([gettext("Charged"), "", gettext("when the campaign ends")])
    else:
        money(gettext("Charged"), billing["charged"])
    writer.writerow([gettext("Orders"), stats["orders"]])
    money(gettext("Revenue"), stats["revenue_fen"])
    writer.writerow([gettext("Refunded orders"), stats["refunded_orders"]])
    money(gettext("Refunded"), stats["refunded_fen"])
    for label, key in RATE_LABELS:
        writer.writerow([label, "" if stats[key] is None else stats[key]])
    if stats["revenue_per_delivered_fen"] is not None:
        money(gettext("Revenue per delivered message"), stats["revenue_per_delivered_fen"])
    if stats["coupon"] is not None:
        writer.writerow([gettext("Coupons claimed"), stats["coupon"]["claimed"]])
        writer.writerow([gettext("Coupons redeemed"), stats["coupon"]["redeemed"]])
        money(gettext("Revenue from redeemed coupons"), stats["coupon"]["revenue_fen"])
    writer.writerow([])
    writer.writerow([gettext("Hour"), gettext("Reads"), gettext("Clicks")])
    for row in selectors.campaign_activity(campaign):
        # The hour as the page shows it, in the site's time, with its offset.
        writer.writerow([timezone.localtime(row.hour).isoformat(), row.reads, row.clicks])
    return response


@login_required
@verified_merchant_page
def followers(request: HttpRequest) -> HttpResponse:
    """The merchant's followers with the tags it put on them, for segments."""
    _merchant_only(request)
    if request.method == "POST":
        form = TagForm(request.POST)
        follower_id = parse_id(request.POST.get("follower", ""))
        try:
            if not form.is_valid():
                raise DomainError(MessagingError.INVALID_AUDIENCE)
            if request.POST.get("remove"):
                # An id that is nobody's has no tag to take off: nothing to do.
                if follower_id is not None:
                    actions.untag_follower(
                        merchant=request.user,
                        follower_id=follower_id,
                        tag=form.cleaned_data["tag"],
                    )
            elif follower_id is None:
                raise DomainError(MessagingError.RECIPIENT_NOT_FOUND)
            else:
                actions.tag_follower(
                    merchant=request.user, follower_id=follower_id, tag=form.cleaned_data["tag"]
                )
        except DomainError:
            messages.error(
                request, gettext("Enter a tag of 1 to 30 characters for one of your followers.")
            )
        return redirect(f"{reverse('messaging:followers')}?page={request.GET.get('page', 1)}")
    return _followers_page(request)


def _followers_page(
    request: HttpRequest,
    *,
    error: DomainError | None = None,
    chosen: tuple[set[str], str] = (set(), ""),
) -> HttpResponse:
    rows, page = selectors.follower_page(merchant=request.user, page=request.GET.get("page"))
    return render(
        request,
        "messaging/followers.html",
        {
            "rows": rows,
            "page": page,
            "tags": selectors.tag_counts(merchant=request.user),
            "error": error,
            "chosen_followers": chosen[0],
            "chosen_tag": chosen[1],
        },
        status=error.status if error is not None else 200,
    )


@login_required
@require_POST
@verified_merchant_page
def tag_followers(request: HttpRequest) -> HttpResponse:
    """ "Tag selected": one of the merchant's tags on every follower ticked, or on none."""
    _merchant_only(request)
    values = request.POST.getlist("followers")
    tag = request.POST.get("tag", "")
    follower_ids = [parse_id(value) for value in values]
    try:
        if None in follower_ids:
            raise DomainError(MessagingError.NOT_A_FOLLOWER)
        tagged = actions.tag_followers(merchant=request.user, follower_ids=follower_ids, tag=tag)
    except DomainError as error:
        return _followers_page(request, error=error, chosen=(set(values), tag))
    messages.success(
        request,
        ngettext(
            "Tagged %(count)s follower “%(tag)s”.",
            "Tagged %(count)s followers “%(tag)s”.",
            tagged,
        )
        % {"count": formats.number_format(tagged, force_grouping=True), "tag": tag.strip().lower()},
    )
    return redirect(f"{reverse('messaging:followers')}?page={request.GET.get('page', 1)}")
