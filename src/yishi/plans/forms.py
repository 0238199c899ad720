"""The plan's forms on the matter page: a version with its parts, and the consensus on one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yishi.regions.models import Unit

PLAN_PARTS = 6


class PlanForm(forms.Form):
    summary = forms.CharField(
        label=_("What is to be done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    budget = forms.DecimalField(label=_("Budget (yuan)"), required=False, min_value=0, decimal_places=2)
    cost_sharing = forms.CharField(
        label=_("Cost sharing"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    timeline = forms.CharField(label=_("Timeline"), required=False)
    beneficiaries = forms.CharField(label=_("Who benefits and supervises"), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = units if units is not None else Unit.objects.none()
        for i in range(1, PLAN_PARTS + 1):
            self.fields[f"part_{i}_what"] = forms.CharField(
                label=_("Part %(n)s: what") % {"n": i}, required=False, max_length=200
            )
            self.fields[f"part_{i}_unit"] = forms.ModelChoiceField(
                label=_("Part %(n)s: responsible unit") % {"n": i}, queryset=units, required=False
            )
            self.fields[f"part_{i}_responsible"] = forms.CharField(
                label=_("Part %(n)s: or responsible person/body") % {"n": i}, required=False, max_length=100
            )
            self.fields[f"part_{i}_due_on"] = forms.DateField(
                label=_("Part %(n)s: due") % {"n": i},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    def parts(self) -> list[dict]:
        rows = []
        for i in range(1, PLAN_PARTS + 1):
            row = {
                k: self.cleaned_data.get(f"part_{i}_{k}") for k in ("what", "unit", "responsible", "due_on")
            }
            if row["what"] or row["unit"] or row["responsible"]:
                rows.append(row)
        return rows


class ConsensusForm(forms.Form):
    minutes = forms.CharField(label=_("What the meeting agreed"), widget=forms.Textarea(attrs={"rows": 3}))
