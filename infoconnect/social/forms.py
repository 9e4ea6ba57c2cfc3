"""The microblog's forms only carry text; the actions decide what is valid."""

from django import forms
from django.utils.translation import gettext_lazy as _

from infoconnect.shop.selectors import merchant_products_on_sale
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


class ComposeForm(PostForm):
    """The home page's compose box: a merchant may put one of its products on the post."""

    def __init__(self, *args, author=None, **kwargs):
        super().__init__(*args, **kwargs)
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


class CommentForm(PostForm):
    text = forms.CharField(
        label=_("Your comment"),
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "maxlength": POST_MAX_LENGTH, "data-char-count": POST_MAX_LENGTH}
        ),
    )
