"""The shape of what people send about surveys; every rule (required answers, choice counts …) is the service's."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yishi.notices.services import DEFAULT_PERIOD_DAYS

from .models import QuestionKind


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(
        label=_("Introduction (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    matter = forms.IntegerField(
        label=_("Number of the matter it belongs to (optional)"), required=False, min_value=1
    )


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of question"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=500)
    choices = forms.CharField(
        label=_("Choices, one per line (not for a written answer)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    required = forms.BooleanField(label=_("Must be answered"), required=False, initial=True)

    def choice_labels(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class PublishForm(forms.Form):
    period_days = forms.IntegerField(
        label=_("Posting period (days)"), min_value=1, max_value=365, initial=DEFAULT_PERIOD_DAYS
    )


class EmptyForm(forms.Form):
    """A button with nothing to fill in: its refusals still need a form to show on."""


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


def field_name(question) -> str:
    """The form field of a question: the same name the service gives when it refuses an answer."""
    return f"question_{question.pk}"


class AnswerForm(forms.Form):
    """One field per question. Whether a question must be answered is the service's to say, not the form's."""

    def __init__(self, *args, questions=(), households=None, **kwargs):
        super().__init__(*args, **kwargs)
        if households is not None and len(households) > 1:
            self.fields["household"] = forms.TypedChoiceField(
                label=_("Which household you answer for"),
                coerce=int,
                choices=[(h.pk, str(h)) for h in households],
            )
        self.questions = list(questions)
        for question in self.questions:
            label = f"{question.position}. {question.text}"
            choices = [(c.pk, c.label) for c in question.choices.all()]
            if question.kind == QuestionKind.SINGLE:
                field = forms.TypedChoiceField(
                    label=label, choices=choices, coerce=int, required=False, widget=forms.RadioSelect
                )
            elif question.kind == QuestionKind.MULTIPLE:
                field = forms.TypedMultipleChoiceField(
                    label=label,
                    choices=choices,
                    coerce=int,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
            else:
                field = forms.CharField(
                    label=label, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
                )
            if question.required:
                field.help_text = _("Must be answered")
            self.fields[field_name(question)] = field

    def answers(self) -> dict[int, object]:
        """The answers as the service takes them: question id → choice id, list of ids, or text."""
        data = self.cleaned_data
        return {q.pk: data.get(field_name(q)) for q in self.questions}


class PaperForm(AnswerForm):
    """A paper form keyed in by staff: the household code printed on it, or the household from the roster."""

    def __init__(self, *args, roster=None, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {
            "code": forms.CharField(
                label=_("Household code printed on the form"),
                max_length=40,
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
            ),
        }
        if roster is not None:
            fields["household"] = forms.TypedChoiceField(
                label=_("Or, if the code cannot be read: the household"),
                coerce=int,
                required=False,
                empty_value=None,
                choices=[("", "—")] + [(h.pk, str(h)) for h in roster],
            )
        self.fields = {**fields, **{k: v for k, v in self.fields.items() if k not in fields}}
