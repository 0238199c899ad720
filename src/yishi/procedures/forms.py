"""The forms on the matter page that move it through its procedure; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class AdvanceForm(forms.Form):
    expected_step = forms.CharField(widget=forms.HiddenInput)


class ReturnForm(ReasonForm):
    step = forms.CharField(widget=forms.HiddenInput)
    expected_step = forms.CharField(widget=forms.HiddenInput)
