"""The forms of the tasks on the matter page: assigning, reporting, supervising, and rating the result."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yishi.plans.models import PlanPart
from yishi.regions.models import Unit

from .models import Responsible, Verdict

# Words in a plan part's ``responsible`` text that name the community's own committee (居委会, 村委会, 两委 …).
COMMITTEE_WORDS = ("居委", "村委", "两委", "党委", "党支部", "党总支", "社区工作站")


def suggested_responsible(part) -> str:
    """Whom the form offers first for a task carrying out ``part``: the unit the plan names, the committee when its
    text names the community's committee, else a person (whose phone the form asks for). Only a suggestion:
    whoever assigns sees the part and chooses."""
    if part is None or part.unit_id:
        return Responsible.UNIT
    if any(word in part.responsible for word in COMMITTEE_WORDS):
        return Responsible.COMMITTEE
    return Responsible.PERSON


class PartChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, part) -> str:
        label = f"{part.what} — {part.responsible_label}" if part.responsible_label else part.what
        if getattr(part, "tasked", True):
            return label
        return _("%(part)s (no task yet)") % {"part": label}


class WorkForm(forms.Form):
    """A task: the part of the plan it carries out, what it is, to whom (one of three), and by when. Left empty,
    the words, the date and the unit are the part's.

    No part is chosen unless asked for (``part``: the link beside each part without a task), so a task that is
    no part of the plan is never counted as one; a part asked for comes with whom it suggests."""

    part = PartChoiceField(
        label=_("Part of the plan"), queryset=PlanPart.objects.none(), required=False, empty_label="—"
    )
    title = forms.CharField(
        label=_("Task"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the words of the plan part."),
    )
    responsible = forms.ChoiceField(
        label=_("Given to"), choices=Responsible.choices, widget=forms.RadioSelect, required=False
    )
    unit = forms.ModelChoiceField(
        label=_("Responsible unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— the unit the plan part names —"),
    )
    phone = forms.CharField(
        label=_("The person's mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        help_text=_("They must be registered; they report on the task themselves."),
    )
    due_on = forms.DateField(
        label=_("Due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to use the date in the plan."),
    )

    def __init__(self, *args, units=None, parts=None, part=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.untasked: list = []
        if units is not None:
            self.fields["unit"].queryset = units
        if parts is not None:  # ``works.queries.current_parts``: each part knows whether it has a task
            field = self.fields["part"]
            field.queryset = parts
            rows = list(parts)  # read once: the choices, and the parts still without a task
            field.choices = [("", "—")] + [(p.pk, field.label_from_instance(p)) for p in rows]
            self.untasked = [p for p in rows if not p.tasked]
            asked = next((p for p in rows if str(p.pk) == str(part)), None)
            if asked is not None and not self.is_bound:
                self.initial.setdefault("part", asked.pk)
                self.initial.setdefault("responsible", suggested_responsible(asked))

    def clean(self):
        data = super().clean()
        chosen, unit, phone = data.get("responsible"), data.get("unit"), data.get("phone")
        if chosen == Responsible.PERSON and not phone:
            self.add_error("phone", _("Give the person's mobile number."))
        if chosen == Responsible.UNIT and not unit and data.get("part") is None:
            # With a part, its unit is taken; a part the plan gives someone else is explained by the service.
            self.add_error("unit", _("Choose the responsible unit."))
        others = {Responsible.UNIT: bool(phone), Responsible.PERSON: bool(unit)}
        if others.get(chosen) or (chosen == Responsible.COMMITTEE and (unit or phone)):
            self.add_error(
                "responsible", _("Give the task to one only: a unit, the community committee, or one person.")
            )
        return data

    def assignment(self) -> dict:
        """The service's arguments for whom the task goes to (whatever is filled: ``clean`` has refused what
        contradicts the kind chosen)."""
        d = self.cleaned_data
        return {
            "unit": d.get("unit"),
            "to_committee": d.get("responsible") == Responsible.COMMITTEE,
            "phone": d.get("phone", ""),
        }


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
