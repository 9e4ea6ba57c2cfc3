"""The merchant's coupon and shipping forms: amounts typed in yuan, read as fen; the actions
check every rule again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from infoconnect.core.money import parse_money, plain_amount
from infoconnect.shop.models import Coupon, ShippingPolicy

_WHEN = {
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
}


class MoneyField(forms.Field):
    """An amount like 12.34 (or ¥12.34), cleaned to fen; empty is None when not required."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 20})

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return parse_money(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class CouponForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=Coupon.Kind.choices)
    amount_off = MoneyField(label=_("Amount off (¥)"), required=False)
    percent_off = forms.IntegerField(
        label=_("Percent off (%)"), required=False, min_value=1, max_value=99
    )
    max_off = MoneyField(label=_("At most off (¥)"), required=False)
    min_spend = MoneyField(label=_("Minimum spend (¥)"), required=False)
    starts_at = forms.DateTimeField(label=_("Valid from"), **_WHEN)
    ends_at = forms.DateTimeField(label=_("Valid until"), **_WHEN)
    total_count = forms.IntegerField(
        label=_("How many"), min_value=1, max_value=1_000_000, initial=100
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == Coupon.Kind.AMOUNT:
            if data.get("amount_off") is None:
                self.add_error("amount_off", _("Enter the amount off."))
            data["percent_off"] = data["max_off"] = None
        elif data.get("kind") == Coupon.Kind.PERCENT:
            if data.get("percent_off") is None:
                self.add_error("percent_off", _("Enter the percentage off."))
            data["amount_off"] = None
        data["min_spend"] = data.get("min_spend") or 0
        return data


class ShippingForm(forms.Form):
    fee = MoneyField(label=_("Shipping fee per order (¥)"))
    free_over = MoneyField(
        label=_("Free shipping from (¥)"),
        required=False,
        help_text=_("Orders of at least this much ship free; empty: every order pays the fee."),
    )

    @classmethod
    def for_policy(cls, policy: ShippingPolicy | None) -> "ShippingForm":
        if policy is None:
            return cls(initial={"fee": plain_amount(0)})
        initial = {"fee": plain_amount(policy.fee)}
        if policy.free_over is not None:
            initial["free_over"] = plain_amount(policy.free_over)
        return cls(initial=initial)
