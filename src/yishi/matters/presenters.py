"""How a matter's people appear to a viewer. A back-to-back submitter is never shown to anyone but themself."""

from django.utils.translation import gettext_lazy as _

from yishi.people.presenters import present_person


def submitter_label(matter, viewer) -> str:
    if matter.back_to_back:
        if viewer is not None and viewer.is_authenticated and viewer.pk == matter.submitter_id:
            return str(_("you (back to back: hidden from everyone else)"))
        return str(_("a resident (back to back)"))
    if matter.submitter_id:
        return present_person(matter.submitter, viewer).name
    return matter.submitter_name or str(_("a resident"))


def is_own(matter, viewer) -> bool:
    return viewer is not None and viewer.is_authenticated and viewer.pk == matter.submitter_id
