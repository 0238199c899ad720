"""The result of a representatives' vote on a plan version, as counted (step 6).

The votes issue adds online ballots and double-entered paper tallies; the procedure reads only the result.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class VoteResult(models.Model):
    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="vote_results")
    version = models.ForeignKey("plans.PlanVersion", on_delete=models.PROTECT, related_name="vote_results")
    electorate = models.PositiveIntegerField(_("representatives entitled to vote"))
    present = models.PositiveIntegerField(_("present"))
    in_favour = models.PositiveIntegerField(_("in favour"))
    against = models.PositiveIntegerField(_("against"))
    abstain = models.PositiveIntegerField(_("abstaining"))
    # The rule as applied, kept with the result: in favour ≥ numerator/denominator of the electorate.
    numerator = models.PositiveSmallIntegerField(default=2)
    denominator = models.PositiveSmallIntegerField(default=3)
    passed = models.BooleanField(_("passed"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
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
