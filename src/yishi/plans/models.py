"""Plans (方案): versioned drafts, each split into parts with who is responsible; and the consensus record."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi.append_only import AppendOnly


class PlanVersion(AppendOnly):
    """One version of a matter's plan. Never edited: a change is a new version."""

    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="plan_versions")
    number = models.PositiveIntegerField(_("version"))
    summary = models.TextField(_("what is to be done"), max_length=5000)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    cost_sharing = models.TextField(_("cost sharing"), blank=True)
    timeline = models.TextField(_("timeline"), blank=True)
    beneficiaries = models.TextField(_("who benefits and supervises"), blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["matter", "number"]
        constraints = [models.UniqueConstraint(fields=["matter", "number"], name="plan_version_number_once")]

    def __str__(self) -> str:
        return _("version %(n)s") % {"n": self.number}

    def rejected_unchanged(self):
        """The failed vote on this version that no new version and no recorded reason has answered yet, or
        None. A plan the residents' representatives voted down goes to a vote again only changed, or with a
        public reason for putting it as it is (``Resubmission``)."""
        result = self.vote_results.order_by("-recorded_at", "-pk").first()
        if result is None or result.passed:
            return None
        if self.resubmissions.filter(at__gte=result.recorded_at).exists():
            return None
        return result


class PlanPart(models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="parts")
    position = models.PositiveSmallIntegerField()
    what = models.CharField(_("what"), max_length=200)
    unit = models.ForeignKey(
        "regions.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible unit"),
    )
    responsible = models.CharField(_("responsible (if not a unit)"), max_length=100, blank=True)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)

    class Meta:
        ordering = ["version", "position"]

    def __str__(self) -> str:
        return self.what

    @property
    def responsible_label(self) -> str:
        return self.unit.name if self.unit_id else self.responsible


class Consensus(models.Model):
    """The record that a meeting agreed on a named plan version (step 4)."""

    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="consensus_records")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="consensus_records")
    session = models.ForeignKey(
        "meetings.Session", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    minutes = models.TextField(_("what was agreed"), max_length=5000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("consensus")
        verbose_name_plural = _("consensus records")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.matter_id} · v{self.version_id}"


class Resubmission(AppendOnly):
    """The committee's public reason for putting a plan the representatives voted down to the vote again,
    unchanged (for instance: too few were present, or the residents were not told in time)."""

    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="resubmissions")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="resubmissions")
    reason = models.TextField(_("why the same plan is put to the vote again"), max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("plan put to the vote again")
        verbose_name_plural = _("plans put to the vote again")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.matter_id} · v{self.version_id}"
