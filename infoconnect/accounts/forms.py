"""HTML forms for accounts; the actions hold the rules, these only shape the input."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.models import REGIONS, ExpandMedia, MerchantProfile, PostingPrivacy, User


def _passwords_match(form: forms.Form, first: str, second: str) -> dict:
    cleaned = forms.Form.clean(form)
    if cleaned.get(first) and cleaned.get(second) and cleaned[first] != cleaned[second]:
        form.add_error(second, _("The two passwords do not match."))
    return cleaned


class LoginForm(AuthenticationForm):
    # Usernames are matched in any case, so Django's "may be case-sensitive" hint misleads.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong username or password."),
    }


class SignupForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=30,
        help_text=_("3 to 30 letters, digits or underscores."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        return _passwords_match(self, "password1", "password2")


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        return _passwords_match(self, "new_password1", "new_password2")


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=50, required=False)
    bio = forms.CharField(
        label=_("Bio"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", _("Not shown"))] + REGIONS, required=False
    )
    avatar = forms.FileField(
        label=_("Avatar"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF; at most 5 MB and 4096 × 4096 pixels."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my avatar"), required=False)
    message_policy = forms.ChoiceField(
        label=_("Who can message me"),
        choices=User.MessagePolicy.choices,
        widget=forms.RadioSelect,
    )
    locked = forms.BooleanField(
        label=_("Approve followers by hand"),
        required=False,
        help_text=_("New followers ask first, and you accept or refuse each one."),
    )
    expand_media = forms.ChoiceField(
        label=_("Pictures marked sensitive"),
        choices=ExpandMedia.choices,
        required=False,
        help_text=_("How apps show them to you."),
    )
    expand_spoilers = forms.BooleanField(
        label=_("Always open content warnings"),
        required=False,
    )
    default_privacy = forms.ChoiceField(
        label=_("Who can see my posts, unless I choose otherwise"),
        choices=PostingPrivacy.choices,
        required=False,
        help_text=_("The compose box and apps start with it."),
    )
    default_sensitive = forms.BooleanField(
        label=_("Mark my pictures sensitive unless I choose otherwise"),
        required=False,
    )


class AccessTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=60,
        help_text=_("What the token is for, e.g. “phone app”."),
    )


class MerchantApplicationForm(forms.ModelForm):
    class Meta:
        model = MerchantProfile
        fields = [
            "shop_name",
            "company_name",
            "business_license_number",
            "contact_phone",
            "description",
        ]
        labels = {
            "shop_name": _("Shop name"),
            "company_name": _("Registered company name"),
            "business_license_number": _("Unified social credit code"),
            "contact_phone": _("Contact mobile"),
            "description": _("What you sell"),
        }
        help_texts = {
            "business_license_number": _("The 18 characters on your business licence."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def clean_business_license_number(self) -> str:
        return self.cleaned_data["business_license_number"].strip().upper()

    def clean_contact_phone(self) -> str:
        return self.cleaned_data["contact_phone"].strip().replace(" ", "").replace("-", "")
