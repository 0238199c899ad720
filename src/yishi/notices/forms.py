"""The shape of an objection and of its reply; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NoticeKind


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


class PublishForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (NoticeKind.RESULT, NoticeKind.RESULT.label),
            (NoticeKind.RESOLUTION, NoticeKind.RESOLUTION.label),
        ],
    )
    title = forms.CharField(label=_("Title"), max_length=150)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    period_days = forms.IntegerField(label=_("Posting period (days)"), min_value=1, max_value=365, initial=10)

    def __init__(self, *args, due: str | None = None, **kwargs):
        """``due``: the kind the matter's step posts, the only one offered then."""
        super().__init__(*args, **kwargs)
        if due is not None:
            self.fields["kind"].choices = [(due, NoticeKind(due).label)]
            self.fields["kind"].initial = due
