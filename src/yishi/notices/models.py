"""Notices on a region's public board (张榜公示). Never edited: a correction is a new notice."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    ACCEPTED = "accepted", _("matter accepted")
    DECLINED = "declined", _("matter declined")
    RESOLUTION = "resolution", _("resolution")
    RESULT = "result", _("result")
    PROGRESS = "progress", _("progress report")


class Notice(models.Model):
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="notices")
    matter = models.ForeignKey("matters.Matter", null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(_("kind"), max_length=12, choices=NoticeKind.choices)
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"), max_length=10000)
    posted_at = models.DateTimeField(_("posted"), default=timezone.now)
    period_days = models.PositiveSmallIntegerField(_("posting period (days)"), default=10)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-posted_at", "-pk"]
        indexes = [models.Index(fields=["region", "posted_at"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("notices are never edited; post a new one that replaces it")
        super().save(*args, **kwargs)

    @property
    def ends_at(self):
        return self.posted_at + timedelta(days=self.period_days)

    def is_posted(self, now=None) -> bool:
        return (now or timezone.now()) < self.ends_at
