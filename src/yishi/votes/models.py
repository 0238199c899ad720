"""Votes (表决): the question, its frozen rule, options and electorate, who took part, the ballots and tallies.

``VoteResult`` is what the procedure's vote step reads (step 6). A vote linked to a matter's plan version writes
one when it closes; a result counted elsewhere can still be recorded directly (``services.record_result``).

Secret ballots: a ``Ballot`` row has no column that refers to an elector, a person or a participation, no time
and a random primary key; see ``services`` for what that does and does not achieve.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yishi.access.roles import Role
from yishi.append_only import AppendOnly

from .rules_math import ABSTAIN, NO, PRESETS, YES, Base, Counts, Method, Rule, statement


class VoteResult(models.Model):
    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="vote_results")
    version = models.ForeignKey("plans.PlanVersion", on_delete=models.PROTECT, related_name="vote_results")
    electorate = models.PositiveIntegerField(_("representatives entitled to vote"))
    present = models.PositiveIntegerField(_("present"))
    in_favour = models.PositiveIntegerField(_("in favour"))
    against = models.PositiveIntegerField(_("against"))
    abstain = models.PositiveIntegerField(_("abstaining"))
    # The rule as applied, kept with the result (rules_math.Rule): the body that decided (a preset's key; empty
    # on results recorded before bodies were named: the eight-step rule), its quorum and its threshold.
    body = models.CharField(_("deciding body"), max_length=30, blank=True)
    quorum_numerator = models.PositiveSmallIntegerField(default=0)
    quorum_denominator = models.PositiveSmallIntegerField(default=1)
    quorum_strict = models.BooleanField(default=False)
    numerator = models.PositiveSmallIntegerField(default=2)
    denominator = models.PositiveSmallIntegerField(default=3)
    base = models.CharField(max_length=10, default="electorate")
    strict = models.BooleanField(default=False)
    # The body as seated on the day (its roster); None where no roster counts it (a villagers' meeting by
    # heads). An electorate that differs is recorded only with the named list of who was entitled.
    seated = models.PositiveIntegerField(_("members seated"), null=True, blank=True)
    entitled_names = models.JSONField(_("who was entitled to vote"), default=list, blank=True)
    passed = models.BooleanField(_("passed"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote result")
        verbose_name_plural = _("vote results")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.in_favour}/{self.electorate}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("vote results are append-only")
        super().save(*args, **kwargs)

    @property
    def rule(self) -> Rule:
        return Rule(
            quorum_numerator=self.quorum_numerator,
            quorum_denominator=self.quorum_denominator,
            quorum_strict=self.quorum_strict,
            threshold_numerator=self.numerator,
            threshold_denominator=self.denominator,
            base=Base(self.base),
            strict=self.strict,
        )

    @property
    def preset(self):
        return PRESETS.get(self.body or "eight_step", PRESETS["eight_step"])

    @property
    def counts(self) -> Counts:
        return Counts(
            self.electorate,
            self.present,
            {YES: self.in_favour, NO: self.against, ABSTAIN: self.abstain},
        )

    @property
    def statement(self) -> str:
        """应到30人，实到25人，赞成19人；须全体代表三分之二以上即20人赞成：未通过 — in the active language."""
        return statement(self.rule, self.counts, self.preset.members)

    @property
    def electorate_differs(self) -> bool:
        """The electorate recorded is not the body as seated that day (a deviation, shown with the names)."""
        return self.seated is not None and self.electorate != self.seated


class Kind(models.TextChoices):
    YES_NO = "yes_no", _("yes / no / abstain")
    OPTIONS = "options", _("a choice among options")


class ElectorateKind(models.TextChoices):
    REPRESENTATIVES = "representatives", _("the residents' representatives")
    HOUSEHOLDS = "households", _("one voter per household")
    BODY = "body", _("the members of a body")
    LIST = "list", _("a given list of people")


# The bodies whose members may form an electorate: holders of these roles at the vote's region and below.
BODY_ROLES = (Role.COMMITTEE, Role.OWNERS_COMMITTEE, Role.BUILDING_HEAD, Role.COUNCIL, Role.REPRESENTATIVE)


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


# How a vote's status reads on its pages and in the API. Not the field's choices (their words are shared with
# other labels in the catalogue, where "closed" reads as a closing time).
STATUS_LABELS = {
    Status.DRAFT: _("draft, not open yet"),
    Status.OPEN: _("open for voting"),
    Status.CLOSED: _("voting closed"),
}


class Vote(models.Model):
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="votes", verbose_name=_("region")
    )
    matter = models.ForeignKey(
        "matters.Matter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="votes",
        verbose_name=_("matter"),
    )
    version = models.ForeignKey(
        "plans.PlanVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="votes",
        verbose_name=_("plan version"),
    )
    question = models.CharField(_("question"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.YES_NO)

    electorate_kind = models.CharField(
        _("electorate"), max_length=20, choices=ElectorateKind.choices, default=ElectorateKind.REPRESENTATIVES
    )
    body_role = models.CharField(_("body"), max_length=20, choices=Role.choices, blank=True)
    # The people of a LIST electorate while the vote is a draft (e.g. a meeting's signed-in attendees).
    listed = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("listed voters")
    )

    # The rule, as data (see rules_math.Rule). Frozen when the vote opens.
    preset = models.CharField(_("rule"), max_length=30, blank=True)
    method = models.CharField(
        max_length=10, choices=[(m.value, m.value) for m in Method], default=Method.THRESHOLD.value
    )
    quorum_numerator = models.PositiveSmallIntegerField(default=0)
    quorum_denominator = models.PositiveSmallIntegerField(default=1)
    quorum_strict = models.BooleanField(default=False)
    threshold_numerator = models.PositiveSmallIntegerField(default=2)
    threshold_denominator = models.PositiveSmallIntegerField(default=3)
    threshold_base = models.CharField(
        max_length=10, choices=[(b.value, b.value) for b in Base], default=Base.ELECTORATE.value
    )
    threshold_strict = models.BooleanField(default=False)
    by_area = models.BooleanField(_("owners' vote: by head and by floor area"), default=False)

    secret = models.BooleanField(_("secret ballot"), default=False)
    proxies_allowed = models.BooleanField(_("proxies allowed"), default=False)
    proxy_cap = models.PositiveSmallIntegerField(_("proxies one person may hold"), default=3)
    secret_proxies = models.BooleanField(_("proxies allowed in a secret ballot"), default=False)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    # A digest of the rule, options and electorate as frozen at opening, checked again at closing.
    frozen_digest = models.CharField(max_length=64, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    # The result, written once at closing.
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    result_code = models.CharField(max_length=30, blank=True)
    winner = models.ForeignKey("Option", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    result = models.JSONField(default=dict, blank=True)
    # The audit chain's head after the closing entry: published with the result, so that a later rewrite of
    # the log is visible to anyone who kept the notice.
    audit_seq = models.PositiveBigIntegerField(null=True, blank=True)
    audit_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["region", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(matter__isnull=True, version__isnull=True)
                | Q(matter__isnull=False, version__isnull=False),
                name="vote_matter_with_version",
            ),
            models.CheckConstraint(
                condition=Q(quorum_denominator__gte=1, threshold_denominator__gte=1),
                name="vote_denominators_positive",
            ),
            models.CheckConstraint(
                condition=Q(quorum_numerator__lte=F("quorum_denominator"))
                & Q(threshold_numerator__lte=F("threshold_denominator")),
                name="vote_fractions_at_most_whole",
            ),
            models.CheckConstraint(condition=Q(proxy_cap__gte=1), name="vote_proxy_cap_positive"),
            models.CheckConstraint(condition=~Q(by_area=True, secret=True), name="vote_owners_vote_is_open"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="vote_status_known"),
        ]

    def __str__(self) -> str:
        return self.question

    @property
    def rule(self) -> Rule:
        return Rule(
            method=Method(self.method),
            quorum_numerator=self.quorum_numerator,
            quorum_denominator=self.quorum_denominator,
            quorum_strict=self.quorum_strict,
            threshold_numerator=self.threshold_numerator,
            threshold_denominator=self.threshold_denominator,
            base=Base(self.threshold_base),
            strict=self.threshold_strict,
            by_area=self.by_area,
        )

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[Status(self.status)])

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def takes_proxies(self) -> bool:
        """Whether anyone may vote by proxy: allowed, and not a secret ballot unless the body's rules say so."""
        return self.proxies_allowed and (not self.secret or self.secret_proxies)


STANDARD_LABELS = {"yes": _("in favour"), "no": _("against"), "abstain": _("abstain")}


class Option(models.Model):
    """A choice on the ballot. A yes/no vote has "yes", "no" and "abstain"; a choice among options has
    "1", "2", … and "abstain". Options change only while the vote is a draft."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="options")
    key = models.CharField(max_length=10)
    position = models.PositiveSmallIntegerField()
    label = models.CharField(_("option"), max_length=100)
    price = models.DecimalField(_("price (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["vote", "position"]
        constraints = [models.UniqueConstraint(fields=["vote", "key"], name="option_key_once")]

    def __str__(self) -> str:
        return str(self.display)

    @property
    def display(self):
        """The standard choices in the reader's language; a bidder's option as it was written."""
        return STANDARD_LABELS.get(self.key, self.label)


class Elector(AppendOnly):
    """One entitled voter, as frozen when the vote opened: a person, or a household (one voice per household).

    ``weight`` is the household's floor area in an owners' vote, and 1 otherwise.
    """

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="electors")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "regions.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    weight = models.DecimalField(max_digits=10, decimal_places=2, default=1)

    class Meta:
        verbose_name = _("elector")
        verbose_name_plural = _("electors")
        ordering = ["vote", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=True) ^ Q(household__isnull=True),
                name="elector_person_or_household",
            ),
            models.UniqueConstraint(
                fields=["vote", "person"], condition=Q(person__isnull=False), name="elector_person_once"
            ),
            models.UniqueConstraint(
                fields=["vote", "household"],
                condition=Q(household__isnull=False),
                name="elector_household_once",
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="elector_weight_positive"),
        ]

    def __str__(self) -> str:
        return str(self.person or self.household)


class ElectorVoice(AppendOnly):
    """Who may cast a household's one vote online, as frozen at opening: its members (owners, in an owners'
    vote). A household with nobody registered still counts in the electorate and votes on paper."""

    elector = models.ForeignKey(Elector, on_delete=models.PROTECT, related_name="voices")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("household voice")
        verbose_name_plural = _("household voices")
        constraints = [models.UniqueConstraint(fields=["elector", "person"], name="elector_voice_once")]

    def __str__(self) -> str:
        return f"{self.person} → {self.elector}"


class Channel(models.TextChoices):
    ONLINE = "online", pgettext_lazy("ballot channel", "online")
    PAPER = "paper", _("paper ballot")
    HANDS = "hands", _("show of hands")
    PROXY = "proxy", _("by proxy")


TALLIED_CHANNELS = (Channel.PAPER, Channel.HANDS)


def proxy_form_path(instance, filename: str) -> str:
    return f"votes/{instance.vote_id}/proxies/{instance.token}.jpg"


class Proxy(AppendOnly):
    """A written authorisation (委托书) recorded by staff: ``holder`` votes for ``principal`` in this vote."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="proxies")
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proxy holder")
    )
    principal = models.ForeignKey(
        Elector, on_delete=models.PROTECT, related_name="proxies", verbose_name=_("for whom")
    )
    token = models.CharField(max_length=32, unique=True)
    form_photo = models.ImageField(_("photo of the signed form"), upload_to=proxy_form_path)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        ordering = ["recorded_at", "pk"]
        indexes = [models.Index(fields=["vote", "holder"])]

    def __str__(self) -> str:
        return f"{self.holder} ⇐ {self.principal}"


class Participation(AppendOnly):
    """That an elector took part, and by which channel. One per elector per vote, whatever the channel: the
    database refuses a second, so a voter counted on paper cannot also vote online."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="participations")
    elector = models.ForeignKey(Elector, on_delete=models.PROTECT, related_name="participations")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    proxy = models.ForeignKey(Proxy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["vote", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "elector"], name="one_participation_per_elector"),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="participation_channel_known"
            ),
            models.CheckConstraint(
                condition=Q(channel=Channel.PROXY, proxy__isnull=False)
                | (~Q(channel=Channel.PROXY) & Q(proxy__isnull=True)),
                name="participation_proxy_with_its_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elector} · {self.channel}"


def new_ballot_id() -> uuid.UUID:
    return uuid.uuid4()


class Ballot(AppendOnly):
    """One online choice. Slots are laid out, blank and shuffled, when the vote opens (one per elector); a
    voter fills a randomly chosen blank one. No column refers to an elector, a person or a participation; a
    secret ballot has no time either. Filled once (blank → choice), never changed."""

    id = models.UUIDField(primary_key=True, default=new_ballot_id, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="ballots")
    receipt = models.CharField(_("receipt code"), max_length=16)
    option = models.ForeignKey(
        Option, null=True, blank=True, on_delete=models.PROTECT, related_name="ballots"
    )
    # Only for an open vote; a secret ballot keeps no time, which could be matched to a participation's.
    cast_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["vote", "receipt"]
        constraints = [models.UniqueConstraint(fields=["vote", "receipt"], name="ballot_receipt_once")]

    def __str__(self) -> str:
        return self.receipt


class NamedChoice(AppendOnly):
    """Who voted how, in an open vote only: every online ballot of an open vote, and the named list of a
    paper or show-of-hands vote where staff record it. Never written for a secret vote."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="named_choices")
    elector = models.ForeignKey(Elector, on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(Option, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    ballot = models.OneToOneField(Ballot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("named vote")
        verbose_name_plural = _("named votes")
        ordering = ["vote", "pk"]
        constraints = [models.UniqueConstraint(fields=["vote", "elector"], name="named_choice_once")]

    def __str__(self) -> str:
        return f"{self.elector}: {self.option}"


class TallyEntry(AppendOnly):
    """A paper or show-of-hands count as entered by one member of staff. Entries come in rounds of two by two
    different people; a round is accepted when both agree. A disagreeing round stays on record."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="tally_entries")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    round = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField()
    counts = models.JSONField(_("counts"))  # option key -> votes
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tally entry")
        verbose_name_plural = _("tally entries")
        ordering = ["vote", "channel", "round", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "channel", "round", "position"], name="tally_entry_place_once"
            ),
            models.CheckConstraint(condition=Q(position__in=(1, 2)), name="tally_entry_position_1_or_2"),
            models.CheckConstraint(
                condition=Q(channel__in=[c.value for c in TALLIED_CHANNELS]),
                name="tally_entry_channel_counted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id} {self.channel} {self.round}.{self.position}"


class CorrectionTarget(models.TextChoices):
    RESULT = "result", _("the result")
    PROXY = "proxy", _("a proxy")


class Correction(AppendOnly):
    """A correction: a new record, signed by the person who made it and sealed in the audit chain, that points
    at what it corrects. The corrected record itself is never changed."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="corrections")
    target = models.CharField(_("corrects"), max_length=10, choices=CorrectionTarget.choices)
    target_id = models.CharField(max_length=64)
    reason = models.TextField(_("reason"))
    data = models.JSONField(default=dict, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)
    audit_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["signed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.vote_id} {self.target}:{self.target_id}"
