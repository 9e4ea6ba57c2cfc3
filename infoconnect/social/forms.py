"""The microblog's forms only carry text; the actions decide what is valid."""

from django import forms
from django.utils.translation import gettext_lazy as _

from infoconnect.social.models import POST_MAX_LENGTH


class PostForm(forms.Form):
    text = forms.CharField(
        label=_("What's happening?"),
        required=False,
        strip=False,
        # The action checks emptiness and length, so every client gets the same message.
        widget=forms.Textarea(
            attrs={"rows": 3, "maxlength": POST_MAX_LENGTH, "data-char-count": POST_MAX_LENGTH}
        ),
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
