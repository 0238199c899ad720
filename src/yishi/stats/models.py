"""Roll-up tables behind the figures. Derived data: ``rebuilding.rebuild()`` recounts them from the raw tables.

Months are stored as ordinals (year * 12 + month - 1) in the site's time zone.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Counter(models.Model):
    """How many of one thing (``dim``) happened in a region and its subtree in one month.

    Kept for the region where it happened and for every ancestor, so a city's year is one index range of this
    table. ``dim`` names the thing and its dimension, e.g. ``raised``, ``raised.c:environment``, ``res:30``
    (a resolution in duration bucket 30), ``step:vote:12``, ``task.open:2026-03-14``; see ``rollups``.
    ``consult:<day>`` rows are kept at the community only: silence is judged per community.
    """

    # No database constraint: a rebuild writes tens of millions of rows whose regions it has just read, and
    # the deferred check of each one cost more than the rebuild itself at province size.
    region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    month = models.IntegerField()
    dim = models.CharField(max_length=60)
    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("figure counter")
        verbose_name_plural = _("figure counters")
        constraints = [models.UniqueConstraint(fields=["region", "month", "dim"], name="stats_counter_key")]
        # Silence asks which communities consulted in a window: the few consultation rows, by month, without
        # scanning every counter of the region's subtree.
        indexes = [
            models.Index(
                fields=["month", "dim"],
                condition=models.Q(dim__startswith="consult:"),
                name="stats_counter_consult",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month} {self.dim}={self.n}"


class Participant(models.Model):
    """One person's part in a region's year: how many times they took part in each month (12 counts), and a
    bit per month with a non-zero count, so a quarter's or a month's distinct people are one bit test."""

    # No database constraint: a rebuild writes tens of millions of rows whose regions it has just read, and
    # the deferred check of each one cost more than the rebuild itself at province size.
    region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    year = models.SmallIntegerField()
    person_id = models.BigIntegerField()
    counts = models.JSONField(default=list)
    mask = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "person_id"], name="stats_participant_key")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.person_id}"


class Source(models.Model):
    """What one matter, meeting or vote last added to the counters, so a change adds exactly the difference."""

    kind = models.CharField(max_length=1)  # m: matter, g: meeting, v: vote
    object_id = models.BigIntegerField()
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("figure source")
        verbose_name_plural = _("figure sources")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="stats_source_key")]

    def __str__(self) -> str:
        return f"{self.kind}{self.object_id}"
