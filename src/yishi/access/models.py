from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi.regions.models import Region, Unit

from .roles import ACTION_LABELS, Expertise, Role


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class RoleAssignment(models.Model):
    """A person holds a role at a region. Revoking keeps the row: who held what, when, stays on record."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="roles", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="roles", verbose_name=_("region")
    )
    # For unit staff: the unit they act for. For experts: their field.
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="staff", verbose_name=_("unit")
    )
    expertise = models.CharField(_("expertise"), max_length=10, choices=Expertise.choices, blank=True)
    title = models.CharField(_("title"), max_length=50, blank=True, help_text=_("e.g. 社区党委书记"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "role", "region"],
                condition=Q(revoked_at__isnull=True),
                name="role_held_once",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.UNIT_STAFF) | Q(unit__isnull=False), name="unit_staff_have_a_unit"
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.EXPERT) | ~Q(expertise=""), name="experts_have_a_field"
            ),
        ]
        indexes = [models.Index(fields=["person", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()} @ {self.region}"


class RefusedAttempt(models.Model):
    """The security log: an action refused for want of authority (who, what, which object, from where). The
    bureau reads it for the regions it oversees; a burst of them raises an alarm."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=100)
    target = models.CharField(_("object"), max_length=100)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    address = models.CharField(_("address"), max_length=45, blank=True)
    path = models.CharField(_("page"), max_length=200, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("refused attempt")
        verbose_name_plural = _("refused attempts")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.action} {self.target}"

    @property
    def action_label(self):
        return ACTION_LABELS.get(self.action, self.action)
