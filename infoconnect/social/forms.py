"""The microblog's forms carry what was typed and chosen; the actions decide what is valid."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from infoconnect.shop.selectors import merchant_products_on_sale
from infoconnect.social import polls
from infoconnect.social.models import (
    MEDIA_PER_POST,
    POLL_MAX_OPTIONS,
    POLL_OPTION_MAX_LENGTH,
    POST_MAX_LENGTH,
    Visibility,
)


def _duration_label(seconds: int) -> str:
    if seconds < 3600:
        minutes = seconds // 60
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    if seconds < 86400:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    days = seconds // 86400
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


class PostForm(forms.Form):
    text = forms.CharField(
        label=_("What's happening?"),
        required=False,
        strip=False,
        # The action checks emptiness and length, so every client gets the same message.
        # maxlength counts UTF-16 units (an emoji is two), so without compose.js a person is
        # stopped at or before the limit the server counts; compose.js lifts it and counts
        # as the server does (social/text.py's clean).
        widget=forms.Textarea(
            attrs={"rows": 3, "maxlength": POST_MAX_LENGTH, "data-char-count": POST_MAX_LENGTH}
        ),
    )


class PictureInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ComposeForm(PostForm):
    """The home page's compose box: up to nine pictures (uploaded as they are chosen by the
    page's script, sent with the form without it), who may read the post, a content warning;
    a merchant may put one of its products on the post."""

    spoiler_text = forms.CharField(
        label=_("Content warning (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 500}),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"), choices=Visibility.choices, initial=Visibility.PUBLIC
    )
    media = forms.FileField(
        label=_("Pictures (up to 9)"),
        required=False,
        widget=PictureInput(attrs={"accept": "image/*", "data-media-input": MEDIA_PER_POST}),
    )
    # In the site's time zone; blank posts now.
    scheduled_at = forms.DateTimeField(
        label=_("Post later (optional)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    poll_expires_in = forms.TypedChoiceField(
        label=_("Poll runs for"),
        choices=[],
        coerce=int,
        initial=24 * 60 * 60,
        required=False,
    )
    poll_multiple = forms.BooleanField(label=_("Allow several choices"), required=False)

    def __init__(self, *args, author=None, **kwargs):
        super().__init__(*args, **kwargs)
        for number in range(1, POLL_MAX_OPTIONS + 1):
            self.fields[f"poll_option_{number}"] = forms.CharField(
                label=_("Choice %(number)d") % {"number": number},
                required=False,
                widget=forms.TextInput(attrs={"maxlength": POLL_OPTION_MAX_LENGTH}),
            )
        # Built here so the labels are in the reader's language.
        self.fields["poll_expires_in"].choices = [
            (seconds, _duration_label(seconds)) for seconds in polls.DURATIONS
        ]
        if author is not None and author.is_authenticated:
            # The author's default (profile settings, or an app's update_credentials).
            self.fields["visibility"].initial = author.default_privacy
        if author is not None and author.is_authenticated and author.is_merchant:
            products = merchant_products_on_sale(merchant_id=author.pk)
            if products:
                self.fields["product"] = forms.TypedChoiceField(
                    label=_("Product card"),
                    choices=[("", _("No product")), *((p.pk, p.title) for p in products)],
                    coerce=int,
                    empty_value=None,
                    required=False,
                )

    def poll_options(self) -> list[str]:
        """The choices typed, in order; an empty box is skipped."""
        typed = (self.data.get(f"poll_option_{n}", "") for n in range(1, POLL_MAX_OPTIONS + 1))
        return [option for option in typed if option.strip()]

    def poll_fields(self) -> list:
        return [self[f"poll_option_{n}"] for n in range(1, POLL_MAX_OPTIONS + 1)]

    def poll(self) -> polls.PollSpec | None:
        """The poll asked for, checked (a DomainError when it is not valid), or None."""
        options = self.poll_options()
        if not options:
            return None
        return polls.clean(
            options=options,
            expires_in=self.data.get("poll_expires_in") or self.fields["poll_expires_in"].initial,
            multiple=bool(self.data.get("poll_multiple")),
        )


class CommentForm(PostForm):
    text = forms.CharField(
        label=_("Your comment"),
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "maxlength": POST_MAX_LENGTH, "data-char-count": POST_MAX_LENGTH}
        ),
    )


class PostEditForm(forms.Form):
    """Editing one's own post: its text, content warning, sensitivity and language."""

    text = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "maxlength": POST_MAX_LENGTH, "data-char-count": POST_MAX_LENGTH}
        ),
    )
    spoiler_text = forms.CharField(
        label=_("Content warning"), required=False, max_length=500, strip=False
    )
    sensitive = forms.BooleanField(label=_("Sensitive"), required=False)
    language = forms.CharField(
        label=_("Language"),
        required=False,
        max_length=16,
        help_text=_("An ISO 639 code such as zh or en; empty when unknown."),
    )
