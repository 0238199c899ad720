"""Implementation tasks (落实任务): assigned to a unit, to the community committee itself or to a named person,
reported on, and confirmed by the residents who benefit (谁受益谁监督)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkStatus(models.TextChoices):
    OPEN = "open", _("to do")
    DONE = "done", _("reported done, awaiting confirmation")
    CONFIRMED = "confirmed", _("confirmed by residents")


class Responsible(models.TextChoices):
    """To whom a task is given: exactly one of them (``work_responsible_exactly_one``)."""

    UNIT = "unit", _("a responsible unit")
    COMMITTEE = "committee", _("the community committee (两委) itself")
    PERSON = "person", _("a person, by their mobile number")


class Work(models.Model):
    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="works")
    part = models.ForeignKey(
        "plans.PlanPart", null=True, blank=True, on_delete=models.PROTECT, related_name="works"
    )
    title = models.CharField(_("task"), max_length=200)
    unit = models.ForeignKey(
        "regions.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="works",
        verbose_name=_("responsible unit"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="works",
        verbose_name=_("responsible person"),
    )
    # The committee (两委) of the matter's community carries the task out itself: the matter says which one.
    to_committee = models.BooleanField(_("the community committee itself"), default=False)
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=WorkStatus.choices, default=WorkStatus.OPEN)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            # A unit, the committee, or a person: one of them, never none and never two.
            models.CheckConstraint(
                condition=(
                    models.Q(unit__isnull=False, assignee__isnull=True, to_committee=False)
                    | models.Q(unit__isnull=True, assignee__isnull=False, to_committee=False)
                    | models.Q(unit__isnull=True, assignee__isnull=True, to_committee=True)
                ),
                name="work_responsible_exactly_one",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def responsible(self) -> str:
        """``Responsible``: to whom the task is given."""
        if self.unit_id:
            return Responsible.UNIT
        return Responsible.COMMITTEE if self.to_committee else Responsible.PERSON

    @property
    def responsible_label(self) -> str:
        if self.unit_id:
            return self.unit.name
        if self.to_committee:
            return str(_("the community committee (两委)"))
        return self.assignee.name if self.assignee_id else ""

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == WorkStatus.OPEN and self.due_on < today


class ProgressReport(models.Model):
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="reports")
    text = models.TextField(_("progress"), max_length=2000)
    done = models.BooleanField(_("the task is finished"), default=False)
    photo = models.ImageField(upload_to="works/%Y/%m/", null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:50]


class Verdict(models.TextChoices):
    CONFIRM = "confirm", _("fixed: I confirm")
    REOPEN = "reopen", _("not fixed")


class Supervision(models.Model):
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="supervisions")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="supervision_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_id} · {self.verdict}"


class Satisfaction(models.Model):
    """A resident's rating of the whole result (step 8): one per resident per matter, changed by a new rating."""

    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="satisfactions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"))
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("satisfaction")
        verbose_name_plural = _("satisfaction ratings")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "person"], name="satisfaction_once_per_person"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="satisfaction_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id} · {self.rating}"
