"""The forms of the tasks on the matter page: assigning, reporting, supervising, and rating the result."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yishi.regions.models import Unit

from .models import Verdict


class WorkForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Unit.objects.none(), required=False)
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("What has been done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    done = forms.BooleanField(label=_("The task is finished"), required=False)
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class SuperviseForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Is it fixed?"), choices=Verdict.choices, widget=forms.RadioSelect)
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—")] + [(i, "★" * i) for i in range(5, 0, -1)],
    )
    reason = forms.CharField(
        label=_("If not fixed: what is still wrong?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the result?"),
        coerce=int,
        choices=[(i, "★" * i) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
