import re

from django import forms
from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.models import REGIONS
from infoconnect.core.money import parse_money, plain_amount
from infoconnect.shop.models import (
    MAX_STOCK,
    MOBILE_RE,
    Category,
    Sku,
    TaxRate,
    tax_code_validator,
)


class ProductForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.order_by("name"), required=False
    )
    max_per_order = forms.IntegerField(
        label=_("Most of one item per order"), min_value=1, max_value=10_000, initial=10
    )


# A variant is written one "name: value" a line; the first colon (ASCII or full-width, as a
# Chinese keyboard types it) ends the name, so a value may hold commas, colons, anything.
_NAME_END = re.compile("[:：]")


def attributes_text(attributes: dict) -> str:
    """{"colour": "red", "size": "M"} -> "colour: red\nsize: M", as read_attributes reads it."""
    return "\n".join(f"{name}: {value}" for name, value in sorted(attributes.items()))


def read_attributes(text: str) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = _NAME_END.split(line, maxsplit=1)
        name, value = (parts[0].strip(), parts[1].strip()) if len(parts) == 2 else ("", "")
        if not name or not value:
            raise forms.ValidationError(_("Write each variant on its own line as name: value."))
        if name in attributes:
            raise forms.ValidationError(
                _("%(name)s is given twice; write each name once.") % {"name": name}
            )
        attributes[name] = value
    return attributes


def _fits_the_form(attributes: dict) -> bool:
    """Whether the text reads back as exactly these attributes (the API can store a name with
    a colon in it, or a line break, which one-a-line text cannot hold)."""
    try:
        return read_attributes(attributes_text(attributes)) == {
            str(name): str(value) for name, value in attributes.items()
        }
    except forms.ValidationError:
        return False


class _SkuFieldsForm(forms.Form):
    """The variant and price a merchant types for a SKU, read as attributes and fen."""

    attributes = forms.CharField(
        label=_("Variant"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, as name: value. For example: colour: red"),
    )
    price = forms.CharField(label=_("Price (¥)"), max_length=20)
    # Prices include VAT; invoices name the rate, the classification code and the unit.
    tax_rate = forms.TypedChoiceField(
        label=_("VAT rate"),
        choices=TaxRate.choices,
        coerce=int,
        initial=TaxRate.STANDARD,
        required=False,
        empty_value=None,
    )
    tax_code = forms.CharField(
        label=_("Tax classification code"),
        required=False,
        max_length=19,
        validators=[tax_code_validator],
        help_text=_("The 19-digit code its VAT invoices carry."),
    )
    unit = forms.CharField(
        label=_("Unit of measure"),
        required=False,
        max_length=10,
        help_text=_("As the invoice says it, e.g. 台, 个, box."),
    )

    def clean_price(self) -> int:
        try:
            return parse_money(self.cleaned_data["price"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_attributes(self) -> dict:
        if self.fields["attributes"].disabled:
            return self.initial_attributes
        return read_attributes(self.cleaned_data["attributes"])


class SkuForm(_SkuFieldsForm):
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=MAX_STOCK, initial=0)


class SkuEditForm(_SkuFieldsForm):
    """Change a SKU's variant, price and whether it is on sale; stock has its own form."""

    is_active = forms.BooleanField(label=_("On sale"), required=False)

    @classmethod
    def for_sku(cls, sku: Sku, data=None) -> "SkuEditForm":
        # A prefix per SKU: every row of the product page carries one of these forms.
        form = cls(
            data,
            prefix=f"sku-{sku.pk}",
            initial={
                "attributes": attributes_text(sku.attributes),
                "price": plain_amount(sku.price),
                "is_active": sku.is_active,
                "tax_rate": sku.tax_rate,
                "tax_code": sku.tax_code,
                "unit": sku.unit,
            },
        )
        form.sku_id = sku.pk
        form.initial_attributes = sku.attributes
        if not _fits_the_form(sku.attributes):
            # Shown as it is and kept on save, rather than read back as something else.
            form.fields["attributes"].disabled = True
            form.fields["attributes"].help_text = _(
                "This variant has a colon in a name, or a line break, which this box cannot "
                "keep: change it through the API."
            )
        return form


class StockForm(forms.Form):
    delta = forms.IntegerField(
        label=_("Add units (negative removes)"), min_value=-MAX_STOCK, max_value=MAX_STOCK
    )


class ImageForm(forms.Form):
    image = forms.FileField(label=_("Image"))


class AddressForm(forms.Form):
    recipient_name = forms.CharField(label=_("Recipient"), max_length=40)
    mobile = forms.RegexField(
        label=_("Mobile"),
        regex=MOBILE_RE,
        max_length=11,
        error_messages={"invalid": _("Enter an 11-digit mobile number.")},
    )
    province = forms.ChoiceField(label=_("Province"), choices=REGIONS)
    city = forms.CharField(label=_("City"), max_length=40)
    district = forms.CharField(label=_("District"), max_length=40)
    street = forms.CharField(label=_("Street address"), max_length=200)


class AddToCartForm(forms.Form):
    sku = forms.IntegerField(min_value=1)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10_000, initial=1)
    campaign = forms.IntegerField(required=False, min_value=1)


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=60)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)
