"""The administrative tree (区划), households (户) and responsible units (责任单位)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

# Each ancestor contributes one zero-padded id to the path. Digits only: a range over digit strings is
# ordered the same under every collation, so a subtree is one index range scan on SQLite and PostgreSQL.
PATH_WIDTH = 10


class Level(models.IntegerChoices):
    PROVINCE = 1, _("province")
    CITY = 2, _("city")
    DISTRICT = 3, _("district or county")
    STREET = 4, _("street or town")
    COMMUNITY = 5, _("community or village")
    COMPOUND = 6, _("residential compound")
    BUILDING = 7, _("building")


def path_upper_bound(path: str) -> str:
    """The smallest path that sorts after every path starting with ``path``."""
    return str(int(path) + 1).zfill(len(path))


def within(node: "Region", field: str = "") -> Q:
    """A filter for rows whose region (reached through ``field``) is ``node`` or below it."""
    prefix = f"{field}__" if field else ""
    return Q(**{f"{prefix}path__gte": node.path, f"{prefix}path__lt": path_upper_bound(node.path)})


def ids_in_path(path: str) -> list[int]:
    """The ids a path is made of: the root's first, the region's own last."""
    return [int(path[i : i + PATH_WIDTH]) for i in range(0, len(path), PATH_WIDTH)]


class RegionQuerySet(models.QuerySet):
    def subtree(self, node: "Region") -> "RegionQuerySet":
        return self.filter(within(node))

    def descendants(self, node: "Region") -> "RegionQuerySet":
        return self.subtree(node).exclude(pk=node.pk)


class Region(models.Model):
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    name = models.CharField(_("name"), max_length=100)
    # The official 12-digit division code (统计用区划代码) where one exists; compounds and buildings have none.
    code = models.CharField(_("division code"), max_length=12, unique=True, null=True, blank=True)
    # A village (村) is governed by the villagers' committee law, an urban community (社区) by the residents'.
    rural = models.BooleanField(_("village"), default=False)
    path = models.CharField(max_length=PATH_WIDTH * len(Level), unique=True, editable=False)
    description = models.TextField(_("description"), blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="region_name_unique_among_siblings"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return len(self.path) // PATH_WIDTH

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to and including this region, read from the path."""
        return ids_in_path(self.path)

    def ancestors(self) -> RegionQuerySet:
        """This region's ancestors and itself, root first."""
        return Region.objects.filter(pk__in=self.ancestor_ids).order_by("path")

    def contains(self, other: "Region") -> bool:
        return other.path.startswith(self.path)

    @property
    def kind_label(self) -> str:
        if self.level == Level.COMMUNITY:
            return str(_("village")) if self.rural else str(_("community"))
        return self.get_level_display()


def dwelling_order(prefix: str = "") -> list:
    """Households in the order people number them: by building, then entrance and room, a shorter number before
    a longer one (101 before 1001, 2 before 10), numbers of one length as text. ``prefix``: "household__"."""
    return [
        f"{prefix}region__path",
        Length(f"{prefix}unit").asc(),
        f"{prefix}unit",
        Length(f"{prefix}room").asc(),
        f"{prefix}room",
    ]


class Occupancy(models.TextChoices):
    OCCUPIED = "occupied", _("occupied")
    VACANT = "vacant", _("vacant")


class Household(models.Model):
    """A dwelling. Its region is the building (or the compound or village where there are no buildings)."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="households", verbose_name=_("building")
    )
    unit = models.CharField(_("entrance"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20)
    occupancy = models.CharField(
        _("occupancy"), max_length=10, choices=Occupancy.choices, default=Occupancy.OCCUPIED
    )
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = dwelling_order()
        constraints = [
            models.UniqueConstraint(fields=["region", "unit", "room"], name="household_unique_dwelling"),
            models.CheckConstraint(
                condition=Q(floor_area__isnull=True) | Q(floor_area__gt=0), name="household_area_positive"
            ),
        ]

    def __str__(self) -> str:
        entrance = _("entrance %(unit)s") % {"unit": self.unit} + " " if self.unit else ""
        return f"{self.region.name} {entrance}{self.room}"

    @property
    def is_vacant(self) -> bool:
        return self.occupancy == Occupancy.VACANT


class UnitKind(models.TextChoices):
    PROPERTY = "property", _("property management company")
    FIRE_RESCUE = "fire_rescue", _("fire and rescue")
    URBAN_MANAGEMENT = "urban_management", _("urban management")
    LIAISON = "liaison", _("liaison unit (包片单位)")
    GOVERNMENT = "government", _("government department")
    CONTRACTOR = "contractor", _("contractor or service team")
    OTHER = "other", _("other")


class Unit(models.Model):
    """A responsible unit (责任单位): carries out work or serves regions."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    home_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="home_units", verbose_name=_("registered at")
    )
    serves = models.ManyToManyField(
        Region, blank=True, related_name="units", verbose_name=_("regions served")
    )
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("responsible unit")
        verbose_name_plural = _("responsible units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RegionRule(models.Model):
    """A region's own value for one of the rules (notice days, vote thresholds …). It holds for the region and
    every region below it, unless a nearer region sets its own. The keys are declared in ``regions.queries``."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="rules", verbose_name=_("region")
    )
    key = models.CharField(_("rule"), max_length=60)
    value = models.JSONField(_("value"), null=True, blank=True)
    source = models.TextField(_("source"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        verbose_name = _("region rule")
        verbose_name_plural = _("region rules")
        constraints = [models.UniqueConstraint(fields=["region", "key"], name="region_rule_unique_key")]

    def __str__(self) -> str:
        return f"{self.region.name} {self.key}"
