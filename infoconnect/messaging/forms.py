import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.models import REGIONS
from infoconnect.core.ids import parse_id
from infoconnect.messaging import selectors
from infoconnect.messaging.models import MESSAGE_MAX_LENGTH, TITLE_MAX_LENGTH
from infoconnect.shop.coupon_selectors import attachable_coupons
from infoconnect.shop.selectors import merchant_products_on_sale

# A post's number, or a link to it on this site (any host: the number is what counts).
POST_REFERENCE = re.compile(r"(?:(?:https?://[^/\s]+)?/posts/)?(?P<id>\d{1,19})/?")


def _product_field(merchant) -> forms.TypedChoiceField:
    """A picker of the merchant's own products on sale; the action checks the choice again."""
    products = merchant_products_on_sale(merchant_id=merchant.pk)
    return forms.TypedChoiceField(
        label=_("Product card"),
        choices=[("", _("No product")), *((p.pk, p.title) for p in products)],
        coerce=int,
        empty_value=None,
        required=False,
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    link = forms.URLField(
        label=_("Attach a link"), required=False, max_length=500, assume_scheme="https"
    )
    post = forms.CharField(
        label=_("Attach a post"),
        required=False,
        max_length=500,
        help_text=_("The post's link, or its number."),
    )

    def __init__(self, *args, sender=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sender is not None and sender.is_authenticated and sender.is_merchant:
            self.fields["product"] = _product_field(sender)

    def clean_post(self) -> int | None:
        value = self.cleaned_data["post"].strip()
        if not value:
            return None
        found = POST_REFERENCE.fullmatch(value)
        post_id = parse_id(found["id"]) if found is not None else None
        if post_id is None:
            raise forms.ValidationError(
                _("Paste a post's link, such as https://example.com/posts/12/, or its number.")
            )
        return post_id

    def clean(self):
        data = super().clean()
        chosen = [name for name in ("link", "post", "product") if data.get(name)]
        if len(chosen) > 1:
            raise forms.ValidationError(_("Attach one thing: a link, a post or a product."))
        return data

    def attachment(self) -> tuple[str, int | None, str]:
        """(type, id, url) for send_message, from what the form holds."""
        data = self.cleaned_data
        if data.get("product"):
            return "product", data["product"], ""
        if data.get("post"):
            return "post", data["post"], ""
        if data.get("link"):
            return "link", None, data["link"]
        return "", None, ""


class TagChoiceField(forms.MultipleChoiceField):
    """Tags picked as chips. The chips are the merchant's own tags, but a campaign may name
    any tag (its followers are looked up among the merchant's own): the action checks each
    tag's shape. An empty value (a form that sent none) is no tag."""

    def to_python(self, value) -> list[str]:
        return [tag for tag in super().to_python(value) if tag]

    def valid_value(self, value) -> bool:
        return True


class AudienceForm(forms.Form):
    """Who a campaign goes to: the part of the campaign form the live estimate counts."""

    tags = TagChoiceField(
        label=_("Only followers tagged"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every follower."),
    )
    regions = forms.MultipleChoiceField(
        label=_("Only followers in"),
        choices=REGIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every region."),
    )
    followed_within_days = forms.IntegerField(
        label=_("Only followers who followed within (days)"),
        required=False,
        min_value=1,
        max_value=3650,
    )
    bought_from_me = forms.BooleanField(
        label=_("Only followers who have bought from me"), required=False
    )

    def __init__(self, *args, merchant, tags_in_use=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The merchant's own tags, and any the campaign (or the form sent) names that nobody
        # carries now, so that it stays chosen.
        tags = {row["tag"] for row in selectors.tag_counts(merchant=merchant)}
        tags.update(tags_in_use)
        if self.is_bound and hasattr(self.data, "getlist"):
            tags.update(tag for tag in self.data.getlist(self.add_prefix("tags")) if tag)
        self.fields["tags"].choices = [(tag, tag) for tag in sorted(tags)]

    def audience(self) -> dict:
        data = self.cleaned_data
        return {
            "tags": list(data.get("tags") or []),
            "regions": list(data.get("regions") or []),
            "followed_within_days": data.get("followed_within_days"),
            "bought_from_me": bool(data.get("bought_from_me")),
        }

    def first_error(self) -> str:
        """The first thing wrong with the audience, as a sentence for the estimate's place."""
        return next((errors[0] for errors in self.errors.values()), "")


class CampaignForm(AudienceForm):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    body = forms.CharField(
        label=_("Message"), max_length=MESSAGE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
    link_url = forms.URLField(
        label=_("Link"), required=False, max_length=500, assume_scheme="https"
    )
    # Checked and re-encoded by the action (core.images), as the API's uploads are.
    image = forms.FileField(
        label=_("Image"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
    )

    # The fields drawn as the audience's chips and choices, after the message's own.
    AUDIENCE_FIELDS = ("tags", "regions", "followed_within_days", "bought_from_me")

    def __init__(self, *args, merchant, **kwargs):
        tags_in_use = (kwargs.get("initial") or {}).get("tags") or ()
        super().__init__(*args, merchant=merchant, tags_in_use=tags_in_use, **kwargs)
        self.fields["product"] = _product_field(merchant)
        self.fields["coupon"] = forms.TypedChoiceField(
            label=_("Coupon"),
            choices=[
                ("", _("No coupon")),
                *((c.pk, c.title) for c in attachable_coupons(merchant=merchant)),
            ],
            coerce=int,
            empty_value=None,
            required=False,
            help_text=_("Each recipient can claim it from the message in one click."),
        )
        self.order_fields(["title", "body", "product", "coupon", "link_url", "image"])

    def message_fields(self) -> list:
        return [field for field in self if field.name not in self.AUDIENCE_FIELDS]

    @classmethod
    def initial_for(cls, campaign) -> dict:
        audience = campaign.audience or {}
        return {
            "title": campaign.title,
            "body": campaign.body,
            "link_url": campaign.link_url,
            "tags": list(audience.get("tags", [])),
            "regions": audience.get("regions", []),
            "followed_within_days": audience.get("followed_within_days"),
            "bought_from_me": bool(audience.get("bought_from_me")),
            "product": campaign.product_id,
            "coupon": campaign.coupon_id,
        }


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The browser sends the time as typed; say which clock it is read on.
        self.fields["scheduled_at"].help_text = _("The site's time (%(zone)s).") % {
            "zone": timezone.get_current_timezone_name()
        }


class TagForm(forms.Form):
    tag = forms.CharField(label=_("Tag"), max_length=30)
