"""The shape of what people send about charges and the fund. Amounts are text: the services read them exactly
(and say what is wrong with them); whether a field is needed is theirs to say too."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi.notices.services import DEFAULT_PERIOD_DAYS

from .models import EntryKind, Method, PaymentMethod


def _date(label, **kwargs):
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


def _money(label, **kwargs):
    return forms.CharField(
        label=label,
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        **kwargs,
    )


class RuleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    period_start = _date(_("Period from"))
    period_end = _date(_("Period to"))
    method = forms.ChoiceField(
        label=_("How the cost is shared"), choices=Method.choices, widget=forms.RadioSelect
    )
    occupied_amount = _money(_("By occupancy: yuan per occupied household"))
    vacant_amount = _money(_("By occupancy: yuan per vacant household"))
    rate_per_m2 = _money(_("By floor area: yuan per m²"))
    total = _money(_("Equal shares: the total in yuan"))
    contract_price = _money(
        _("Contracted price in yuan (optional): what is collected beyond it goes into the public fund")
    )
    matter = forms.IntegerField(
        label=_("Number of the matter it belongs to (optional)"), required=False, min_value=1
    )


class HouseholdChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class ExemptionForm(forms.Form):
    household = HouseholdChoiceField(label=_("Household"), queryset=None)
    reason = forms.CharField(label=_("Reason (not shown publicly)"), max_length=200, required=False)

    def __init__(self, *args, households=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households


class ChargeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.household} · {obj.owed}"


class PaymentForm(forms.Form):
    amount = _money(_("Amount (yuan)"))
    paid_on = _date(_("Paid on"), initial=timezone.localdate)
    method = forms.ChoiceField(label=_("Paid by"), choices=PaymentMethod.choices)
    receipt_no = forms.CharField(label=_("Receipt number"), max_length=30, required=False)

    def __init__(self, *args, charges=None, **kwargs):
        super().__init__(*args, **kwargs)
        if charges is not None:
            self.fields = {
                "charge": ChargeChoiceField(label=_("Household (still owing)"), queryset=charges),
                **self.fields,
            }


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Income or spending"), choices=EntryKind.choices, widget=forms.RadioSelect
    )
    amount = _money(_("Amount (yuan)"))
    occurred_on = _date(_("Date"), initial=timezone.localdate)
    description = forms.CharField(label=_("What the money is for"), max_length=200, required=False)
    evidence_text = forms.CharField(
        label=_("Evidence: what the invoice or receipt says"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence_photo = forms.FileField(
        label=_("Photo of the receipt"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class PublishForm(forms.Form):
    period_days = forms.IntegerField(
        label=_("Posting period (days)"), min_value=1, max_value=365, initial=DEFAULT_PERIOD_DAYS
    )


class SurplusForm(forms.Form):
    occurred_on = _date(_("Date"), initial=timezone.localdate)


class EmptyForm(forms.Form):
    """A button with nothing to fill in: its refusals still need a form to show on."""
