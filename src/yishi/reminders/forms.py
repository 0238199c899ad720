"""The shape of a person's channel choices; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PreferencesForm(forms.Form):
    sms = forms.BooleanField(label=_("Text message (SMS) to my phone"), required=False)
    email = forms.BooleanField(label=_("E-mail"), required=False)
    email_address = forms.EmailField(label=_("E-mail address"), required=False, max_length=254)
    digest = forms.BooleanField(
        label=_("One daily digest instead of single messages"),
        required=False,
        help_text=_("Sent once a day, and only when there is something new."),
    )


class MarkReadForm(forms.Form):
    notification = forms.IntegerField(required=False, widget=forms.HiddenInput)


class MuteForm(forms.Form):
    muted = forms.BooleanField(required=False)
