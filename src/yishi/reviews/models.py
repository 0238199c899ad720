"""Expert reviews (专家审查) of a plan version: signed opinions, append-only."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi.append_only import AppendOnly


class Decision(models.TextChoices):
    APPROVE = "approve", _("approve")
    APPROVE_WITH_CHANGES = "changes", _("approve with changes")
    REJECT = "reject", _("reject")


class Review(AppendOnly):
    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="reviews")
    version = models.ForeignKey("plans.PlanVersion", on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    expertise = models.CharField(_("field"), max_length=10)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    opinion = models.TextField(_("opinion"), max_length=5000)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("expert review")
        verbose_name_plural = _("expert reviews")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.matter_id} · {self.decision}"
