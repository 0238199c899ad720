"""Matters (议题 / 烦心事) raised by residents, their supporters (附议) and photos."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yishi.procedures import definitions
from yishi.regions.models import Region


class Category(models.Model):
    """A configurable list (seeded with the report's kinds of matter)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    VISIT = "visit", _("visit to the office (来访)")
    HOTLINE = "hotline", _("hotline")
    SUGGESTION_BOX = "box", _("suggestion box")
    GRID_WORKER = "grid", _("grid worker report")
    SYMPOSIUM = "symposium", _("symposium (座谈会)")
    SURVEY = "survey", _("survey")
    MEETING = "meeting", _("meeting")


class Status(models.TextChoices):
    NEW = "new", _("waiting to be screened")
    OPEN = "open", _("in consultation")
    RESOLVED = "resolved", _("resolved")
    DECLINED = "declined", _("declined")
    REFERRED = "referred", _("referred elsewhere")
    MERGED = "merged", _("merged into another matter")
    WITHDRAWN = "withdrawn", _("withdrawn")
    UNRESOLVED = "unresolved", _("closed unresolved")


CLOSED_STATUSES = {
    Status.RESOLVED,
    Status.DECLINED,
    Status.REFERRED,
    Status.MERGED,
    Status.WITHDRAWN,
    Status.UNRESOLVED,
}


class Matter(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="matters", verbose_name=_("where")
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=5000)
    location = models.CharField(_("location"), max_length=200, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="matters", verbose_name=_("category")
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.ONLINE)
    # The submitter is kept even for a back-to-back matter: they alone follow it. Presenters hide them.
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="raised_matters",
        verbose_name=_("raised by"),
    )
    submitter_name = models.CharField(_("name given"), max_length=50, blank=True)
    back_to_back = models.BooleanField(_("back to back (anonymous)"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    procedure_key = models.CharField(_("procedure"), max_length=30, blank=True)
    procedure_reason = models.TextField(_("reason for the procedure"), blank=True)
    step_key = models.CharField(_("step"), max_length=30, blank=True)
    step_since = models.DateTimeField(_("in this step since"), null=True, blank=True)
    stakeholders = models.TextField(_("stakeholders"), blank=True)
    public_reason = models.TextField(_("reason given publicly"), blank=True)
    referred_to = models.CharField(_("referred to"), max_length=100, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    supporter_count = models.PositiveIntegerField(_("supporters"), default=0)

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        ordering = ["-raised_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "raised_at"]),
            models.Index(fields=["region", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def procedure(self):
        return definitions.get(self.procedure_key) if self.procedure_key else None

    @property
    def step(self):
        procedure = self.procedure
        return procedure.step(self.step_key) if procedure and self.step_key else None


class Support(models.Model):
    """A resident adds their name (附议). Staff may add one for a resident who came in person."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="supports")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supports")
    at = models.DateTimeField(default=timezone.now)
    # Set when the support came over from a duplicate that was merged in.
    from_matter = models.ForeignKey(Matter, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["matter", "person"], name="support_once")]

    def __str__(self) -> str:
        return f"{self.matter_id} · {self.person_id}"


def photo_path(instance, filename: str) -> str:
    return f"matters/{instance.matter_id}/{instance.token}.jpg"


class Photo(models.Model):
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="photos")
    token = models.CharField(max_length=32, unique=True)
    image = models.ImageField(upload_to=photo_path)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    # Set when the photo came over from a duplicate that was merged in.
    from_matter = models.ForeignKey(Matter, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.image.name
