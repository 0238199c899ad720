"""The shape of an objection and of its reply; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _


def auto_id(name: str) -> str:
    return f"id_{name}_%s"


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("Your objection (shown publicly, with your surname only)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Public reply"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
