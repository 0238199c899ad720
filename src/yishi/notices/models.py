"""Notices on a region's public board (张榜公示). Never edited: a correction is a new notice that replaces it.

Residents may object to a notice while its objection window is open; staff reply publicly. Both are
append-only.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi.append_only import AppendOnly

from . import rules


class NoticeKind(models.TextChoices):
    ACCEPTED = "accepted", _("matter accepted")
    DECLINED = "declined", _("matter declined")
    RESOLUTION = "resolution", _("resolution")
    RESULT = "result", _("result")
    PROGRESS = "progress", _("progress report")
    MEETING = "meeting", _("meeting announcement")
    MEETING_CHANGED = "meeting_changed", _("meeting changed")
    MEETING_CANCELLED = "meeting_cancelled", _("meeting cancelled")


class Notice(AppendOnly):
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="notices")
    matter = models.ForeignKey(
        "matters.Matter", null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"), max_length=10000)
    posted_at = models.DateTimeField(_("posted"), default=timezone.now)
    period_days = models.PositiveSmallIntegerField(_("posting period (days)"), default=rules.POSTING_DAYS)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-posted_at", "-pk"]
        indexes = [models.Index(fields=["region", "posted_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def ends_at(self):
        return self.posted_at + timedelta(days=self.period_days)

    def is_posted(self, now=None) -> bool:
        return (now or timezone.now()) < self.ends_at

    @property
    def objections_close_at(self):
        return self.posted_at + timedelta(days=rules.objection_days())


class Objection(AppendOnly):
    """A resident's objection to a notice (异议), public. The objector's name is shown masked."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="objections")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("objection"), max_length=2000)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:50]

    @property
    def reply_due(self):
        return self.at + timedelta(days=rules.reply_days())


class Reply(AppendOnly):
    """Staff's public answer to an objection. One per objection; never edited."""

    objection = models.OneToOneField(Objection, on_delete=models.PROTECT, related_name="reply")
    text = models.TextField(_("reply"), max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:50]

    @property
    def late(self) -> bool:
        return self.at > self.objection.reply_due
