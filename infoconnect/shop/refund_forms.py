"""The refund pages' forms: what a buyer asks, and where a merchant wants goods returned."""

from django import forms
from django.utils.translation import gettext_lazy as _

from infoconnect.core.money import parse_money
from infoconnect.shop.models import RefundRequest


class RefundRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What you ask"), choices=RefundRequest.Kind.choices, required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea)
    # Empty: the whole of what is left, or the chosen items' value.
    amount = forms.CharField(label=_("Amount (¥)"), max_length=20, required=False)

    def clean_kind(self) -> str:
        return self.cleaned_data["kind"] or RefundRequest.Kind.REFUND

    def clean_amount(self) -> int | None:
        text = self.cleaned_data["amount"].strip()
        if not text:
            return None
        try:
            return parse_money(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


def asked_lines(data) -> list[dict] | None:
    """The items a buyer ticked, from fields named line-<id> holding a quantity (0: not this
    one); None when none was given. A quantity that is not a number is refused by the action."""
    lines = []
    for name, value in data.items():
        if not name.startswith("line-") or not str(value).strip():
            continue
        quantity = int(value) if str(value).strip().isdigit() else -1
        if quantity:
            lines.append(
                {"line": int(name[5:]) if name[5:].isdigit() else -1, "quantity": quantity}
            )
    return lines or None


ADDRESS_FIELDS = ("recipient_name", "province", "city", "district", "street", "mobile")


def typed_address(data) -> dict:
    return {name: data.get(name, "") for name in ADDRESS_FIELDS}
