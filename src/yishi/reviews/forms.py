"""An expert's review, as the matter page takes it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Decision


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    opinion = forms.CharField(label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
