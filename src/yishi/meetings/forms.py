"""The shape of what staff and participants send about meetings; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yishi.matters.models import Matter, Status
from yishi.people.models import Person
from yishi.regions.models import Region, Unit

from .models import Platform, SessionForm

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def auto_id(name: str) -> str:
    """Each form on a page gets its own element ids: several have a ``text`` or ``reason`` field."""
    return f"id_{name}_%s"


class EmptyForm(forms.Form):
    """A button with nothing to fill in (close the meeting, confirm the minutes)."""


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class MatterChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.pk} · {obj.title}"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class MeetingForm(forms.Form):
    region = RegionChoiceField(label=_("Held by"), queryset=Region.objects.none())
    title = forms.CharField(label=_("Title"), max_length=150)
    form = forms.ChoiceField(label=_("Form"), choices=SessionForm.choices)
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    platform_name = forms.CharField(label=_("Name of the platform (if other)"), max_length=50, required=False)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME_WIDGET)
    place = forms.CharField(label=_("Place"), max_length=100)
    agenda = MatterChoices(
        label=_("Agenda: matters to consult on"),
        queryset=Matter.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    convener = PersonChoiceField(
        label=_("Convener (confirms the minutes)"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args, regions=None, matters=None, conveners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions if regions is not None else Region.objects.none()
        self.fields["agenda"].queryset = matters if matters is not None else Matter.objects.none()
        self.fields["convener"].queryset = conveners if conveners is not None else Person.objects.none()


def open_matters(scope):
    """Matters that may go on an agenda in ``scope`` (a queryset of regions): new or in consultation."""
    return Matter.objects.filter(region__in=scope, status__in=[Status.NEW, Status.OPEN]).order_by(
        "-raised_at", "-pk"
    )


class InviteForm(forms.Form):
    representatives = forms.BooleanField(
        label=_("Invite all the community's residents' representatives"), required=False
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Responsible units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phones = forms.CharField(
        label=_("Registered residents by mobile, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    names = forms.CharField(
        label=_("Other stakeholders by name, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    capacity = forms.CharField(
        label=_("In what capacity (e.g. 两委成员, 利害关系人)"), max_length=50, required=False
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units if units is not None else Unit.objects.none()

    def name_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["names"].splitlines() if line.strip()]

    def phone_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["phones"].splitlines() if line.strip()]


class AnnounceForm(forms.Form):
    late_reason = forms.CharField(
        label=_("Reason for short notice (only if later than the rule)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class ChangeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME_WIDGET)
    place = forms.CharField(label=_("Place"), max_length=100)
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    platform_name = forms.CharField(label=_("Name of the platform (if other)"), max_length=50, required=False)
    agenda = MatterChoices(
        label=_("Agenda"), queryset=Matter.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=_("What changed and why (posted)"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    late_reason = forms.CharField(
        label=_("Reason for short notice (only if later than the rule)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def __init__(self, *args, matters=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda"].queryset = matters if matters is not None else Matter.objects.none()


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (posted if the meeting was announced)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class CheckInForm(forms.Form):
    invitation = forms.IntegerField(required=False, widget=forms.HiddenInput)
    phone = forms.CharField(label=_("Or a resident's mobile"), max_length=20, required=False)


class IdeasForm(forms.Form):
    ideas = forms.CharField(
        label=_("Ideas, one per line (who: idea)"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def idea_pairs(self) -> list[tuple[str, str]]:
        pairs = []
        for line in self.cleaned_data["ideas"].splitlines():
            who, sep, text = line.partition("：") if "：" in line else line.partition(":")
            pairs.append((text.strip(), who.strip()) if sep else (line.strip(), ""))
        return [p for p in pairs if p[0]]


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("What the meeting agreed on the latest plan"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )


class MinutesForm(forms.Form):
    text = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 14}), max_length=20000)


class AddendumForm(forms.Form):
    text = forms.CharField(
        label=_("Correction (signed with your name)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )


class SheetForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo of the paper sign-in sheet"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class RespondForm(forms.Form):
    attending = forms.ChoiceField(
        label=_("Will you come?"),
        choices=[("yes", _("I will come")), ("no", _("I cannot come"))],
        widget=forms.RadioSelect,
    )


class ConsultationForm(forms.Form):
    """A consultation session recorded on the matter page, with the ideas voiced at it."""

    title = forms.CharField(label=_("Title"), max_length=100)
    form = forms.ChoiceField(label=_("Form"), choices=SessionForm.choices)
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
