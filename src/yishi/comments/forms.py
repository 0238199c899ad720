"""The comment forms' shape. Trimming, the length limit and every other rule are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_BODY, MAX_REASON


def auto_id(name: str) -> str:
    """Each comment form on the matter page has its own element ids (a reply form per comment)."""
    return f"id_{name}_%s"


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_BODY}),
        help_text=_("At most %(n)s characters. Be kind: the community may hide abuse, with its reason shown.")
        % {"n": MAX_BODY},
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_BODY}),
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why hide it (shown publicly)"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"maxlength": MAX_REASON}),
    )


class UnhideForm(forms.Form):
    """No fields: it carries the refusal back to the page when there is one."""
