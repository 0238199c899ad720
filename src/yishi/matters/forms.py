"""The shape of what people send; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yishi.procedures import definitions
from yishi.regions.models import Level, Region

from .models import Category, Channel


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(f, initial) for f in files]


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class RaiseForm(forms.Form):
    region = RegionChoiceField(label=_("Where"), queryset=Region.objects.none())
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(active=True), empty_label=None
    )
    title = forms.CharField(label=_("In one sentence: what is wrong?"), max_length=100)
    description = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    location = forms.CharField(label=_("Exactly where (optional)"), max_length=200, required=False)
    photos = PhotosField(label=_("Photos (optional, up to 6)"), required=False)
    back_to_back = forms.BooleanField(
        label=_("Back to back: keep my name hidden from staff and the public"), required=False
    )
    # Set when the resident has seen the similar matters and still wants a new one.
    confirmed_new = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = (
            regions if regions is not None else Region.objects.filter(level__gte=Level.COMMUNITY)
        )


class RecordForm(RaiseForm):
    channel = forms.ChoiceField(
        label=_("How it came in"), choices=[c for c in Channel.choices if c[0] != "online"]
    )
    submitter_phone = forms.CharField(
        label=_("Resident's mobile (if registered)"), max_length=20, required=False
    )
    submitter_name = forms.CharField(label=_("Resident's name (optional)"), max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A worker fills this form for a resident: it is the resident's name that is kept hidden.
        self.fields["back_to_back"].label = _(
            "Back to back: keep the resident's name hidden from staff and the public"
        )

    field_order = [
        "channel",
        "submitter_name",
        "submitter_phone",
        "region",
        "category",
        "title",
        "description",
        "location",
        "photos",
        "back_to_back",
    ]


class ScreenForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("accept", _("accept")),
            ("decline", _("decline")),
            ("refer", _("refer elsewhere (转办)")),
        ],
        widget=forms.RadioSelect,
    )
    procedure = forms.ChoiceField(
        label=_("Procedure"),
        required=False,
        choices=[(p.key, p.label) for p in definitions.PROCEDURES.values()],
    )
    procedure_reason = forms.CharField(
        label=_("Reason for a short path"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    stakeholders = forms.CharField(
        label=_("Stakeholders"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(active=True), required=False
    )
    referred_to = forms.CharField(label=_("Refer to"), max_length=100, required=False)
    reason = forms.CharField(
        label=_("Reason (shown publicly)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The referral's own reason: under its choice on the page, apart from the decline's (one name, two
    # inputs, would send the hidden one's empty text too).
    referral_reason = forms.CharField(
        label=_("Reason (shown publicly)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def auto_id(name: str) -> str:
    """Each form on the matter page gets its own element ids: several have a ``reason`` field."""
    return f"id_{name}_%s"


class SupportForm(forms.Form):
    """附议: empty for oneself; staff give the mobile number of a resident who came in person."""

    phone = forms.CharField(label=_("Resident's mobile"), max_length=20, required=False)


class MergeForm(forms.Form):
    into = forms.IntegerField(label=_("Number of the matter to merge into"), min_value=1)
    reason = forms.CharField(label=_("Reason"), required=False)
