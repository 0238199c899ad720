"""How a matter's people appear to a viewer. A back-to-back submitter is never shown to anyone but themself;
a named one is shown masked (蒋**) to all but the staff who handle the matter and the submitter
(``predicates.may_see_submitter_name``)."""

from django.utils.translation import gettext_lazy as _

from yishi.people.phones import mask_name

from .predicates import may_see_submitter_name


def submitter_label(matter, viewer) -> str:
    if matter.back_to_back:
        if is_own(matter, viewer):
            return str(_("you (back to back: hidden from everyone else)"))
        return str(_("a resident (back to back)"))
    # A registered resident's name, or the one staff wrote down for a visitor or caller: personal either way.
    name = matter.submitter.name if matter.submitter_id else matter.submitter_name
    if not name:
        return str(_("a resident"))
    return name if may_see_submitter_name(viewer, matter) else mask_name(name)


def is_own(matter, viewer) -> bool:
    return viewer is not None and viewer.is_authenticated and viewer.pk == matter.submitter_id
