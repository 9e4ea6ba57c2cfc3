import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from infoconnect.core.money import parse_money


class AmountForm(forms.Form):
    """An amount in yuan ("12.34") and the hidden Idempotency-Key of this form's submission."""

    amount = forms.CharField(label=_("Amount (¥)"), max_length=20)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def clean_amount(self) -> int:
        try:
            amount = parse_money(self.cleaned_data["amount"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        if amount <= 0:
            raise forms.ValidationError(_("Enter an amount greater than zero."))
        return amount
