"""The shape of what staff and voters send about votes; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import rules_math
from .models import BODY_ROLES, TALLIED_CHANNELS, ElectorateKind, Kind
from .rules_math import PRESETS

OPTION_ROWS = 6


def auto_id(name: str) -> str:
    """Each form on a vote's page gets its own element ids: several have a ``reason`` or a ``channel`` field."""
    return f"id_{name}_%s"


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.kind_label}）"


def preset_choices():
    return [(p.key, p.label) for p in rules_math.PRESETS.values()]


class VoteForm(forms.Form):
    """A new vote. A vote on a matter's plan carries the matter and the plan version number (hidden)."""

    region = RegionChoiceField(label=_("Where the vote is held"), queryset=None)
    question = forms.CharField(label=_("Question"), max_length=200)
    description = forms.CharField(
        label=_("Explanation for voters (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of vote"), choices=Kind.choices, initial=Kind.YES_NO, widget=forms.RadioSelect
    )
    electorate = forms.ChoiceField(
        label=_("Who votes"), choices=ElectorateKind.choices, initial=ElectorateKind.REPRESENTATIVES
    )
    body_role = forms.ChoiceField(
        label=_("The body, when its members vote"),
        required=False,
        choices=[("", "—")] + [(r.value, r.label) for r in BODY_ROLES],
    )
    people = forms.CharField(
        label=_("A list of voters: mobile numbers, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    preset = forms.ChoiceField(
        label=_("Rule"),
        choices=preset_choices,
        initial="eight_step",
        help_text=_("The defaults per body, each with its source, are listed below."),
    )
    secret = forms.BooleanField(label=_("Secret ballot: nobody can see who chose what"), required=False)
    proxies_allowed = forms.BooleanField(label=_("Voting by proxy (委托投票) is allowed"), required=False)
    proxy_cap = forms.IntegerField(
        label=_("Proxies one person may hold"), min_value=1, max_value=20, initial=3
    )
    secret_proxies = forms.BooleanField(
        label=_("The body's rules allow proxies in a secret ballot"), required=False
    )
    matter = forms.IntegerField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        for i in range(1, OPTION_ROWS + 1):
            self.fields[f"option_{i}_label"] = forms.CharField(
                label=_("Option %(n)s") % {"n": i}, required=False, max_length=100
            )
            self.fields[f"option_{i}_price"] = forms.DecimalField(
                label=_("Option %(n)s: price (yuan, optional)") % {"n": i},
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=2,
            )
            self.fields[f"option_{i}_description"] = forms.CharField(
                label=_("Option %(n)s: what is offered (optional)") % {"n": i},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def option_rows(self) -> list[dict]:
        rows = []
        for i in range(1, OPTION_ROWS + 1):
            row = {k: self.cleaned_data.get(f"option_{i}_{k}") for k in ("label", "price", "description")}
            if row["label"] or row["price"] is not None or row["description"]:
                rows.append(row)
        return rows

    def phones(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["people"].splitlines() if line.strip()]

    @property
    def option_fields(self):
        return [
            (self[f"option_{i}_label"], self[f"option_{i}_price"], self[f"option_{i}_description"])
            for i in range(1, OPTION_ROWS + 1)
        ]


class DraftForm(VoteForm):
    """Change a draft: what ``services.change_draft`` may change (not where, what kind, or who votes)."""

    FIXED = ("region", "kind", "electorate", "body_role", "matter", "version", "secret_proxies")

    def __init__(self, *args, vote=None, **kwargs):
        super().__init__(*args, regions=None, **kwargs)
        for name in self.FIXED:
            del self.fields[name]
        if vote.kind != Kind.OPTIONS:
            for i in range(1, OPTION_ROWS + 1):
                for part in ("label", "price", "description"):
                    del self.fields[f"option_{i}_{part}"]
        if vote.electorate_kind != ElectorateKind.LIST:
            del self.fields["people"]

    @property
    def option_fields(self):
        return super().option_fields if "option_1_label" in self.fields else []

    @classmethod
    def initial_for(cls, vote) -> dict:
        initial = {
            "question": vote.question,
            "description": vote.description,
            "preset": vote.preset,
            "secret": vote.secret,
            "proxies_allowed": vote.proxies_allowed,
            "proxy_cap": vote.proxy_cap,
            "people": "\n".join(p.phone or "" for p in vote.listed.order_by("pk")),
        }
        for i, o in enumerate(vote.options.exclude(key="abstain").order_by("position"), start=1):
            if vote.kind == Kind.OPTIONS and i <= OPTION_ROWS:
                initial.update(
                    {
                        f"option_{i}_label": o.label,
                        f"option_{i}_price": o.price,
                        f"option_{i}_description": o.description,
                    }
                )
        return initial


class ConfirmForm(forms.Form):
    """Open or close: a button, with the state the person saw."""


class ParticipationForm(forms.Form):
    """Tick off who took part on paper or by show of hands; for an open vote, who chose what (the named list)."""

    channel = forms.ChoiceField(
        label=_("How they voted"),
        choices=[(c.value, c.label) for c in TALLIED_CHANNELS],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, electors=(), options=(), named=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        choices = [("", _("— not recorded —"))] + [(o.key, o.display) for o in options]
        for elector in electors:
            took = f"took_{elector.pk}"
            self.fields[took] = forms.BooleanField(label=str(elector), required=False)
            chose = None
            if named:
                chose = f"choice_{elector.pk}"
                self.fields[chose] = forms.ChoiceField(
                    label=_("Choice of %(who)s") % {"who": elector}, choices=choices, required=False
                )
            self.rows.append(
                {"elector": elector, "took": self[took], "choice": self[chose] if chose else None}
            )
        self.electors = {e.pk: e for e in electors}

    def ticked(self) -> list:
        return [e for pk, e in self.electors.items() if self.cleaned_data.get(f"took_{pk}")]

    def named(self) -> dict:
        out = {}
        for pk, elector in self.electors.items():
            key = self.cleaned_data.get(f"choice_{pk}")
            if key:
                out[elector] = key
        return out


class CountsMixin:
    def add_counts(self, options):
        self.count_names = []
        for o in options:
            name = f"count_{o.key}"
            self.fields[name] = forms.IntegerField(label=o.display, min_value=0, max_value=1_000_000)
            self.count_names.append((o.key, name))

    def counts(self) -> dict[str, int]:
        return {key: self.cleaned_data[name] for key, name in self.count_names}


class TallyForm(CountsMixin, forms.Form):
    channel = forms.ChoiceField(
        label=_("Which count"),
        choices=[(c.value, c.label) for c in TALLIED_CHANNELS],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_counts(options)


class RecountForm(TallyForm):
    reason = forms.CharField(
        label=_("Reason for the recount (shown publicly)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProxyForm(forms.Form):
    holder_phone = forms.CharField(label=_("Mobile of the person who holds the proxy"), max_length=20)
    principal = forms.ChoiceField(label=_("For whom"))
    form_photo = forms.FileField(
        label=_("Photo of the signed proxy form"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, electors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.electors = {str(e.pk): e for e in electors}
        self.fields["principal"].choices = [("", "—")] + [(str(e.pk), str(e)) for e in electors]

    def principal_elector(self):
        return self.electors[self.cleaned_data["principal"]]


class WithdrawProxyForm(forms.Form):
    proxy = forms.ChoiceField(label=_("Which proxy"))
    reason = forms.CharField(
        label=_("Reason (shown publicly)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, proxies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.proxies = {str(p.pk): p for p in proxies}
        self.fields["proxy"].choices = [("", "—")] + [
            (str(p.pk), _("%(holder)s for %(principal)s") % {"holder": p.holder, "principal": p.principal})
            for p in proxies
        ]

    def chosen(self):
        return self.proxies[self.cleaned_data["proxy"]]


class BallotForm(forms.Form):
    """One choice, for one seat. ``confirm`` is set on the second step, after the voter has seen their choice."""

    seat = forms.CharField(widget=forms.HiddenInput)
    option = forms.ChoiceField(label=_("Your choice"), widget=forms.RadioSelect)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [(o.key, o.display) for o in options]


class ReceiptCheckForm(forms.Form):
    code = forms.CharField(label=_("Receipt code"), max_length=20)


def deciding_bodies(matter) -> list[tuple[str, str]]:
    """(key, label) of the bodies that may decide on ``matter``'s plan at its step, the default first."""
    step = matter.step
    keys = (step.bodies if step is not None else ()) or ("eight_step",)
    return [(key, PRESETS[key].label) for key in keys]


class VoteResultForm(forms.Form):
    """The decision on a matter's plan, counted elsewhere and recorded on the matter page."""

    body = forms.ChoiceField(label=_("Decided by"), required=False)
    electorate = forms.IntegerField(
        label=_("Entitled to vote"),
        min_value=1,
        required=False,
        help_text=_("Leave empty to take the body as seated today."),
    )
    present = forms.IntegerField(label=_("Present"), min_value=0)
    in_favour = forms.IntegerField(label=_("In favour"), min_value=0)
    against = forms.IntegerField(label=_("Against"), min_value=0)
    abstain = forms.IntegerField(label=_("Abstaining"), min_value=0)
    entitled_names = forms.CharField(
        label=_("Who was entitled to vote, one name per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
        help_text=_("Needed only when the number entitled differs from the body as seated today."),
    )

    def __init__(self, *args, bodies=(), seated=None, **kwargs):
        """``bodies``: (key, label) of the bodies the step names; ``seated``: the first one's members today."""
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = list(bodies)
        if seated is not None:
            self.fields["electorate"].help_text = _(
                "Leave empty to take the body as seated today: %(n)s members."
            ) % {"n": seated}

    def clean_entitled_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["entitled_names"].splitlines() if line.strip()]
