"""Records the law cares about (ballots, tallies, reviews, minutes, notices, step changes) are never edited:
a correction is a new record that points at the old one."""

from django.db import models


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(f"{self._meta.verbose_name} records are append-only: add a new one instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self._meta.verbose_name} records are append-only and are never deleted")
