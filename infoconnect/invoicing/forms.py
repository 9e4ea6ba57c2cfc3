from django import forms
from django.utils.translation import gettext_lazy as _

from infoconnect.invoicing.actions.titles import TitleFields


class TitleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    taxpayer_id = forms.CharField(
        label=_("Taxpayer id (unified social credit code)"), max_length=18, min_length=18
    )
    address_phone = forms.CharField(
        label=_("Registered address and phone"), max_length=100, required=False
    )
    bank_account = forms.CharField(
        label=_("Bank and account number"), max_length=100, required=False
    )
    general_taxpayer = forms.BooleanField(
        label=_("General VAT taxpayer (may receive special VAT invoices)"), required=False
    )

    def fields_value(self) -> TitleFields:
        data = self.cleaned_data
        return TitleFields(
            name=data["name"],
            taxpayer_id=data["taxpayer_id"],
            address_phone=data["address_phone"],
            bank_account=data["bank_account"],
            general_taxpayer=data["general_taxpayer"],
        )

    def add_domain_error(self, error) -> None:
        """Put an action's refusal on the field it names (or on the form)."""
        if error.fields:
            for field, problems in error.fields.items():
                self.add_error(field if field in self.fields else None, problems)
        else:
            self.add_error(None, error.message)
