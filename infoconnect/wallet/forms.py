import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from infoconnect.core.money import parse_money
from infoconnect.wallet.actions import payout_accounts
from infoconnect.wallet.models import PayoutProvider


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


class PayoutAccountForm(forms.Form):
    """Where payouts through one provider go; checked as the action checks it."""

    identity = forms.CharField(max_length=100)
    real_name = forms.CharField(label=_("Real name"), max_length=50)

    def __init__(self, *args, provider: str, **kwargs) -> None:
        super().__init__(*args, prefix=provider, **kwargs)
        self.provider = provider
        self.fields["identity"].label = IDENTITY_LABELS[provider]
        self.fields["identity"].help_text = IDENTITY_HELP[provider]
        self.fields["real_name"].help_text = _("As on the ID card the account is registered to.")

    def clean_identity(self) -> str:
        try:
            return payout_accounts.clean_identity(self.provider, self.cleaned_data["identity"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_real_name(self) -> str:
        try:
            return payout_accounts.clean_real_name(self.cleaned_data["real_name"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


IDENTITY_LABELS = {
    PayoutProvider.ALIPAY: _("Alipay account"),
    PayoutProvider.WECHATPAY: _("WeChat openid"),
}
IDENTITY_HELP = {
    PayoutProvider.ALIPAY: _("The e-mail address or mobile number you log in to Alipay with."),
    PayoutProvider.WECHATPAY: _("Your openid for this site's WeChat app."),
}
