"""The shape of what people send; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yishi.meetings.models import SessionForm as SessionKinds
from yishi.notices.models import NoticeKind
from yishi.procedures import definitions
from yishi.regions.models import Level, Region, Unit
from yishi.reviews.models import Decision
from yishi.works.models import Verdict

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


def auto_id(name: str) -> str:
    """Each form on the matter page gets its own element ids: several have a ``reason`` field."""
    return f"id_{name}_%s"


class SupportForm(forms.Form):
    """附议: empty for oneself; staff give the mobile number of a resident who came in person."""

    phone = forms.CharField(label=_("Resident's mobile"), max_length=20, required=False)


class MergeForm(forms.Form):
    into = forms.IntegerField(label=_("Number of the matter to merge into"), min_value=1)
    reason = forms.CharField(label=_("Reason"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class AdvanceForm(forms.Form):
    expected_step = forms.CharField(widget=forms.HiddenInput)


class ReturnForm(ReasonForm):
    step = forms.CharField(widget=forms.HiddenInput)
    expected_step = forms.CharField(widget=forms.HiddenInput)


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    form = forms.ChoiceField(label=_("Form"), choices=SessionKinds.choices)
    held_at = forms.DateTimeField(
        label=_("Held at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("Place"), max_length=100)
    attendance = forms.IntegerField(label=_("Number present"), min_value=1)
    other_attendees = forms.CharField(
        label=_("Who took part (units, parties)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    ideas = forms.CharField(
        label=_("Ideas, one per line (who: idea)"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def idea_pairs(self) -> list[tuple[str, str]]:
        pairs = []
        for line in self.cleaned_data["ideas"].splitlines():
            who, sep, text = line.partition("：") if "：" in line else line.partition(":")
            pairs.append((text.strip(), who.strip()) if sep else (line.strip(), ""))
        return [p for p in pairs if p[0]]


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


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    opinion = forms.CharField(label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class VoteForm(forms.Form):
    electorate = forms.IntegerField(label=_("Representatives entitled to vote"), min_value=1)
    present = forms.IntegerField(label=_("Present"), min_value=0)
    in_favour = forms.IntegerField(label=_("In favour"), min_value=0)
    against = forms.IntegerField(label=_("Against"), min_value=0)
    abstain = forms.IntegerField(label=_("Abstaining"), min_value=0)


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
