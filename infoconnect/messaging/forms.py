from django import forms
from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.models import REGIONS
from infoconnect.messaging.models import MESSAGE_MAX_LENGTH, TITLE_MAX_LENGTH
from infoconnect.shop.selectors import merchant_products_on_sale


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

    def __init__(self, *args, sender=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sender is not None and sender.is_authenticated and sender.is_merchant:
            self.fields["product"] = _product_field(sender)


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    body = forms.CharField(
        label=_("Message"), max_length=MESSAGE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
    link_url = forms.URLField(
        label=_("Link"), required=False, max_length=500, assume_scheme="https"
    )
    image = forms.ImageField(label=_("Image"), required=False)
    tags = forms.CharField(
        label=_("Only followers tagged"),
        required=False,
        help_text=_("Comma-separated tags; empty for every follower."),
    )
    regions = forms.MultipleChoiceField(
        label=_("Only followers in"), choices=REGIONS, required=False
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

    def __init__(self, *args, merchant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"] = _product_field(merchant)
        self.order_fields(["title", "body", "product"])

    def audience(self) -> dict:
        data = self.cleaned_data
        tags = [t.strip() for t in (data.get("tags") or "").split(",") if t.strip()]
        return {
            "tags": tags,
            "regions": list(data.get("regions") or []),
            "followed_within_days": data.get("followed_within_days"),
            "bought_from_me": bool(data.get("bought_from_me")),
        }

    @classmethod
    def initial_for(cls, campaign) -> dict:
        audience = campaign.audience or {}
        return {
            "title": campaign.title,
            "body": campaign.body,
            "link_url": campaign.link_url,
            "tags": ", ".join(audience.get("tags", [])),
            "regions": audience.get("regions", []),
            "followed_within_days": audience.get("followed_within_days"),
            "bought_from_me": bool(audience.get("bought_from_me")),
            "product": campaign.product_id,
        }


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class TagForm(forms.Form):
    tag = forms.CharField(label=_("Tag"), max_length=30)
