"""Consultation sessions (恳谈) and the ideas (主意) recorded at them: the evidence of step 2.

The meetings issue adds announced meetings with agendas and sign-in; a session then points at its meeting.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SessionForm(models.TextChoices):
    CONSULTATION = "consultation", _("consultation meeting (议事协商会)")
    REPRESENTATIVES = "representatives", _("representatives' assembly (居民/村民代表会议)")
    HEARING = "hearing", _("hearing (听证会)")
    TALK = "talk", _("heart-to-heart talk (恳谈会)")
    COMMITTEES = "committees", _("joint meeting of the two committees (两委联席会议)")
    PARTY_MEMBERS = "party_members", _("Party members' meeting (党员大会)")
    EVALUATION = "evaluation", _("democratic evaluation (民主评议会)")


class Session(models.Model):
    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="sessions")
    form = models.CharField(_("form"), max_length=20, choices=SessionForm.choices, default=SessionForm.CONSULTATION)
    title = models.CharField(_("title"), max_length=100)
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=100)
    # Who came: named people, and the units and other parties by name (a unit's representative).
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("attendees"))
    other_attendees = models.TextField(_("other participants"), blank=True)
    attendance = models.PositiveIntegerField(_("number present"))
    step_key = models.CharField(max_length=30)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("consultation session")
        verbose_name_plural = _("consultation sessions")
        ordering = ["held_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Idea(models.Model):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="ideas")
    text = models.TextField(_("idea"), max_length=2000)
    # As said at the meeting: a name, a unit, or "a resident".
    voiced_by = models.CharField(_("voiced by"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:50]
