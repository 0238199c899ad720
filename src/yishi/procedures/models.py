from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi.append_only import AppendOnly


class TransitionKind(models.TextChoices):
    START = "start", _("procedure chosen")
    ADVANCE = "advance", _("step completed")
    RETURN = "return", _("returned to an earlier step")
    WITHDRAW = "withdraw", _("withdrawn")
    CLOSE_UNRESOLVED = "close_unresolved", _("closed unresolved")
    RESOLVE = "resolve", _("resolved and closed")
    # Closes at screening: the matter never entered a procedure, or (a merge) leaves it for another matter.
    DECLINE = "decline", _("declined")
    REFER = "refer", _("referred elsewhere")
    MERGE = "merge", _("merged into another matter")


class Transition(AppendOnly):
    """One move of a matter through its procedure. Append-only: the matter's history is these rows."""

    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="transitions")
    kind = models.CharField(_("kind"), max_length=20, choices=TransitionKind.choices)
    procedure_key = models.CharField(_("procedure"), max_length=30)
    from_step = models.CharField(_("from step"), max_length=30, blank=True)
    to_step = models.CharField(_("to step"), max_length=30, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("step change")
        verbose_name_plural = _("step changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.kind} {self.from_step}→{self.to_step}"
