"""Meetings (会议) and the consultation sessions (恳谈) and ideas (主意) recorded at them.

A meeting is scheduled with a form, a platform, a time, a place, an agenda of matters and invited participants;
announcing it posts its notice on the region's public board; at the meeting people sign in, ideas are recorded
per agenda matter (each becomes that matter's ``Session``: the evidence of step 2), and the minutes drafted from
those records are edited by the secretary and confirmed by the convener, after which they are append-only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yishi.append_only import AppendOnly


class SessionForm(models.TextChoices):
    CONSULTATION = "consultation", _("consultation meeting (议事协商会)")
    REPRESENTATIVES = "representatives", _("representatives' assembly (居民/村民代表会议)")
    HEARING = "hearing", _("hearing (听证会)")
    TALK = "talk", _("heart-to-heart talk (恳谈会)")
    COMMITTEES = "committees", _("joint meeting of the two committees (两委联席会议)")
    PARTY_MEMBERS = "party_members", _("Party members' meeting (党员大会)")
    EVALUATION = "evaluation", _("democratic evaluation (民主评议会)")
    VILLAGERS = "villagers", _("villagers' or residents' meeting (村民会议/居民会议)")


# A meeting is held in one of the forms a session can take.
MeetingForm = SessionForm


class Platform(models.TextChoices):
    PARTY_HALL = "party_hall", _("Party and masses consultation hall (党群议事厅)")
    BENCH = "bench", _("“little bench” meeting (“小板凳”议事会)")
    WOMEN_HOME = "women_home", _("women's home (妇女之家)")
    ONLINE = "online", pgettext_lazy("meeting platform", "online")
    OTHER = "other", _("other")


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("being prepared")
    ANNOUNCED = "announced", _("announced")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class Meeting(models.Model):
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("where")
    )
    form = models.CharField(
        _("form"), max_length=20, choices=SessionForm.choices, default=SessionForm.CONSULTATION
    )
    platform = models.CharField(
        _("platform"), max_length=12, choices=Platform.choices, default=Platform.PARTY_HALL
    )
    platform_name = models.CharField(_("name of the platform"), max_length=50, blank=True)
    title = models.CharField(_("title"), max_length=150)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=100)
    agenda = models.ManyToManyField(
        "matters.Matter", through="AgendaItem", related_name="meetings", verbose_name=_("agenda")
    )
    convener = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="convened_meetings",
        verbose_name=_("convener"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["region", "starts_at"]), models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(platform="other") | ~Q(platform_name=""), name="meeting_other_platform_named"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def platform_label(self) -> str:
        if self.platform == Platform.OTHER:
            return self.platform_name
        return str(self.get_platform_display())

    @property
    def is_public(self) -> bool:
        """A meeting is public once announced; while it is prepared only its staff see it."""
        return self.status != MeetingStatus.DRAFT


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "matter"], name="agenda_matter_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.matter_id}"


class Response(models.TextChoices):
    NONE = "", _("no answer yet")
    YES = "yes", _("will attend")
    NO = "no", _("cannot attend")


class Invitation(models.Model):
    """One invited participant: a person, a responsible unit, or a stakeholder named in words."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_invitations",
    )
    unit = models.ForeignKey(
        "regions.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="meeting_invitations"
    )
    name = models.CharField(_("named stakeholder"), max_length=100, blank=True)
    # In what capacity: 居民代表, 两委成员, 利害关系人 … shown on the public notice instead of a resident's name.
    capacity = models.CharField(_("as"), max_length=50, blank=True)
    response = models.CharField(_("answer"), max_length=3, choices=Response.choices, blank=True, default="")
    responded_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, unit__isnull=True, name="")
                    | Q(person__isnull=True, unit__isnull=False, name="")
                    | (Q(person__isnull=True, unit__isnull=True) & ~Q(name=""))
                ),
                name="invitation_one_party",
            ),
            models.UniqueConstraint(
                fields=["meeting", "person"], condition=Q(person__isnull=False), name="invitation_person_once"
            ),
            models.UniqueConstraint(
                fields=["meeting", "unit"], condition=Q(unit__isnull=False), name="invitation_unit_once"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.unit_id:
            return self.unit.name
        if self.person_id:
            return self.person.name
        return self.name


class SignIn(models.TextChoices):
    STAFF = "staff", _("checked in by staff")
    QR = "qr", _("signed in by QR code")


class Attendance(AppendOnly):
    """Who came. Append-only: a sign-in is never edited or removed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendances")
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # As it appears on the sign-in list: the person's, unit's or stakeholder's name when signing in.
    name = models.CharField(_("name"), max_length=100)
    method = models.CharField(_("how"), max_length=5, choices=SignIn.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(invitation__isnull=False), name="attendance_someone"
            ),
            models.UniqueConstraint(
                fields=["meeting", "person"], condition=Q(person__isnull=False), name="attendance_person_once"
            ),
            models.UniqueConstraint(
                fields=["meeting", "invitation"],
                condition=Q(invitation__isnull=False),
                name="attendance_invitation_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AnnouncementKind(models.TextChoices):
    ANNOUNCE = "announce", _("announced")
    CHANGE = "change", _("changed")
    CANCEL = "cancel", _("cancelled")


class Announcement(AppendOnly):
    """Each notice posted about a meeting, with the notice rule as it stood. Append-only."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="announcements")
    notice = models.OneToOneField("notices.Notice", on_delete=models.PROTECT, related_name="announcement")
    kind = models.CharField(max_length=8, choices=AnnouncementKind.choices)
    starts_at = models.DateTimeField()
    matters = models.ManyToManyField("matters.Matter", blank=True, related_name="+")
    # The minimum notice in days the rule asked for (None: no minimum for this form), and the days given.
    required_days = models.PositiveSmallIntegerField(null=True, blank=True)
    given_days = models.IntegerField()
    late = models.BooleanField(default=False)
    late_reason = models.TextField(blank=True)
    reason = models.TextField(blank=True)  # why it changed or was cancelled
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting announcement")
        verbose_name_plural = _("meeting announcements")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(late=False) | ~Q(late_reason=""), name="late_announcement_has_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.kind}"


class Minutes(models.Model):
    """The minutes of one agenda matter (or of the whole meeting when it had no matters on its agenda).

    Drafted by the system, edited by the secretary, confirmed by the convener; once confirmed never edited:
    a correction is an ``Addendum``.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes")
    matter = models.ForeignKey(
        "matters.Matter", null=True, blank=True, on_delete=models.PROTECT, related_name="meeting_minutes"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("minutes"), max_length=20000)
    drafted_at = models.DateTimeField(default=timezone.now)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    digest = models.CharField(max_length=64, blank=True)  # sha256 of the text as confirmed

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "matter"], name="minutes_per_matter_once"),
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(matter__isnull=True), name="general_minutes_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.matter_id or '-'}"

    def save(self, *args, **kwargs):
        if not self._state.adding and Minutes.objects.filter(pk=self.pk, confirmed_at__isnull=False).exists():
            raise ValueError("confirmed minutes are never edited; add an addendum")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("minutes are never deleted")

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class Addendum(AppendOnly):
    """A signed correction to confirmed minutes: its author, its time, and the digest in the audit chain."""

    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField(_("addendum"), max_length=5000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("addendum")
        verbose_name_plural = _("addenda")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.minutes_id} · {self.pk}"


def sheet_photo_path(instance, filename: str) -> str:
    return f"meetings/{instance.meeting_id}/{instance.token}.jpg"


class SheetPhoto(models.Model):
    """A photo of the paper sign-in sheet. It carries names and signatures: staff only."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="sheet_photos")
    token = models.CharField(max_length=32, unique=True)
    image = models.ImageField(upload_to=sheet_photo_path)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sign-in sheet photo")
        verbose_name_plural = _("sign-in sheet photos")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.image.name


class Session(models.Model):
    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="sessions")
    # Set when the session was held as part of an announced meeting (its agenda carried the matter).
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    form = models.CharField(
        _("form"), max_length=20, choices=SessionForm.choices, default=SessionForm.CONSULTATION
    )
    title = models.CharField(_("title"), max_length=100)
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=100)
    # Who came: named people, and the units and other parties by name (a unit's representative).
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("attendees")
    )
    other_attendees = models.TextField(_("other participants"), blank=True)
    attendance = models.PositiveIntegerField(_("number present"))
    step_key = models.CharField(max_length=30)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
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
