"""How a service tells the figures what it changed: one call right after its write, in its transaction.

The roll-ups (``stats.rollups``) keep counters that must move with the raw tables in the same transaction,
so the figures are never behind what a page shows. They belong to ``stats``, which sits above the services
(it reads every app), so a service cannot import them. This module is the seam: it knows nothing about
counting. A service that writes a matter, meeting or vote, or a row the figures count for one (a session,
task, attendance or participation), calls ``changed(obj)`` with what it wrote, or ``added(obj)`` for a
matter or participation it has just created with nothing else changed, so the figures can add its part
without a recount. ``stats`` installs what these calls do when its app is ready (``StatsConfig.ready``);
until then they do nothing. A write the figures provably never read (a vote's draft, an invitation) makes
no call: ``tests/stats/test_refresh_skips.py`` proves each such case with a full recount.

The figures used to follow a ``post_save`` receiver on the audit entry that guessed from action strings
what each entry had changed; that put domain flow in a signal and tied the figures to the log's words.
"""

from collections.abc import Callable

from django.db import models

Refresh = Callable[[models.Model, bool], None]

_refresh: Refresh | None = None


def install(refresh: Refresh | None) -> Refresh | None:
    """Make ``refresh(obj, added)`` what the calls below do (``None``: nothing). Returns what it replaces."""
    global _refresh
    previous, _refresh = _refresh, refresh
    return previous


def changed(obj: models.Model) -> None:
    """``obj`` was changed (or created) in the caller's transaction: bring the figures up to date with it."""
    if _refresh is not None:
        _refresh(obj, False)


def added(obj: models.Model) -> None:
    """``obj`` (a matter, a participation) was just created and nothing else changed with it."""
    if _refresh is not None:
        _refresh(obj, True)
