"""May a person screen, merge or support a matter? Each returns the refusal the service raises (its guard) and
the matter page shows, or None. Authority first: see ``procedures.predicates``.

Commenting is a matter-bound action too, with its predicate where its rule lives:
``comments.services.comments_refused``. Whose whole name a viewer reads is asked of ``may_see_submitter_name``.
"""

from django.utils.translation import gettext_lazy as _

from yishi.access.queries import authority, can
from yishi.errors import Refused
from yishi.regions.models import Level, Region

from .models import Matter, Status, Support


def takes_matters(region: Region) -> Refused | None:
    """A matter is about a community or a place in it (a compound, a building), never a street or above."""
    if region.level < Level.COMMUNITY:
        return Refused(
            _("Choose the community, compound or building the matter is about."),
            "wrong_level",
            field="region",
        )
    return None


def _screened(matter: Matter, allowed: set[str]) -> Refused | None:
    if matter.status not in allowed:
        return Refused(
            _("This matter has already been screened (%(status)s).")
            % {"status": matter.get_status_display()},
            "already_screened",
        )
    return None


def may_screen_matter(person, matter: Matter) -> Refused | None:
    """Accept, decline or refer a new matter (研究协商议题)."""
    return authority(person, "matters.screen_matter", matter) or _screened(matter, {Status.NEW})


def may_merge_matter(person, matter: Matter) -> Refused | None:
    """Merge a duplicate into another matter: at screening, or later while it is open."""
    return authority(person, "matters.screen_matter", matter) or _screened(matter, {Status.NEW, Status.OPEN})


def _closed_to_supporters(matter: Matter) -> Refused | None:
    if matter.is_closed:
        return Refused(_("This matter is closed and takes no more supporters."), "closed")
    return None


def may_support(person, matter: Matter, *, supports: bool | None = None) -> Refused | None:
    """Add one's own name (附议). ``supports``: whether ``person`` supports the matter, when already read.

    Staff adding a resident who came in person ask it of that resident, after ``may_record_support``."""
    if person is None or not person.is_authenticated:
        return Refused(_("Log in to support a matter."), Refused.FORBIDDEN)
    refused = _closed_to_supporters(matter)
    if refused is None and person.pk == matter.submitter_id:
        refused = Refused(_("You raised this matter yourself; it already counts you."), "own_matter")
    if refused is None:
        if supports is None:
            supports = Support.objects.filter(matter=matter, person=person).exists()
        if supports:
            refused = Refused(_("You already support this matter."), "already_supported")
    return refused


def may_record_support(person, matter: Matter) -> Refused | None:
    """Staff add the name of a resident who came in person (the resident's own case: ``may_support``)."""
    if person is None or not person.is_authenticated:
        return Refused(_("Log in to support a matter."), Refused.FORBIDDEN)
    return authority(person, "matters.record_matter", matter) or _closed_to_supporters(matter)


def may_see_submitter_name(viewer, matter: Matter) -> bool:
    """Whether ``viewer`` reads the submitter's whole name; everyone else reads it masked (蒋**).

    个人信息保护法: only what is needed, only to whom it is needed. The staff who handle the matter need it, to
    answer the resident: those who may screen it, at or above its region (a community's committee, not a
    sibling's, nor the bureau, which sees figures, not people). The submitter reads their own. A back-to-back
    submitter is named to nobody but themself, staff included (``presenters.submitter_label``)."""
    if viewer is not None and viewer.is_authenticated and viewer.pk == matter.submitter_id:
        return True
    return not matter.back_to_back and can(viewer, "matters.screen_matter", matter)
