"""Notifications (in-app, SMS, e-mail, daily digest), overdue-task escalations (督办) and progress-report drafts.

A notification is one piece of news for one person: its ``key`` names the event, and a person is told of an
event once, whatever runs twice. An escalation and a progress draft are records of what the worker did.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Preference(models.Model):
    """How a person wants to be told. No row means the defaults: SMS, one message per piece of news."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    sms = models.BooleanField(_("text message (SMS) to my phone"), default=True)
    email = models.BooleanField(_("e-mail"), default=False)
    email_address = models.EmailField(_("e-mail address"), blank=True)
    digest = models.BooleanField(_("one daily digest instead of single messages"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.person_id)


class Digest(models.Model):
    """One daily digest sent to one person: at most one a day, and only when there was news."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.day}"


class Notification(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.TextField(_("text"), max_length=1000)
    link = models.CharField(_("link"), max_length=200, blank=True)
    # The event this tells of, e.g. "work-due-soon:12:2025-10-20": one notification per person and event.
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Set once the news has gone out on the person's channels, on its own or in a digest (or had nowhere to go).
    delivered_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        Digest, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    # News of a matter's steps: on a person's phone at most once an hour, what came meanwhile as one message.
    hourly = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="notification_once_per_event")]
        indexes = [
            models.Index(fields=["person", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["person"], condition=Q(delivered_at__isnull=True), name="notification_pending"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:50]


class Escalation(models.Model):
    """An overdue task reported up to the street or town (督办). Never edited; one per task and missed date."""

    work = models.ForeignKey("works.Work", on_delete=models.PROTECT, related_name="escalations")
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="escalations", verbose_name=_("escalated to")
    )
    due_on = models.DateField(_("missed due date"))
    at = models.DateTimeField(_("escalated"), default=timezone.now)
    reason = models.TextField(_("reason"), max_length=1000)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["work", "due_on"], name="escalation_once_per_due_date")
        ]

    def __str__(self) -> str:
        return f"{self.work_id} → {self.region_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("escalations are never edited")
        super().save(*args, **kwargs)


class ProgressDraft(models.Model):
    """A periodic progress report (进展通报) drafted for a community's staff to check and post. Not posted."""

    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="progress_drafts",
        verbose_name=_("community"),
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"), max_length=10000)
    matters = models.PositiveIntegerField(_("matters"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("progress report draft")
        verbose_name_plural = _("progress report drafts")
        ordering = ["-period_start", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "period_start"], name="progress_draft_once_per_period")
        ]

    def __str__(self) -> str:
        return self.title


class Mute(models.Model):
    """A person who asked to hear no more of a matter's steps (they still see them on its page)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    matter = models.ForeignKey("matters.Matter", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("muted matter")
        verbose_name_plural = _("muted matters")
        constraints = [models.UniqueConstraint(fields=["person", "matter"], name="mute_once")]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.matter_id}"
