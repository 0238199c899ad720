"""How a task's responsible appears to a viewer. A unit and the committee by their names; a person named (a
resident, as often as not) whole only to themself and to the staff who handle the matter, those who may screen it
(as its submitter: ``matters.predicates.may_see_submitter_name``), and masked (周**) to everyone else."""

from yishi.access.queries import can
from yishi.people.phones import mask_name

from .models import Responsible, Work


def responsible_shown(work: Work, viewer) -> str:
    if work.responsible != Responsible.PERSON:
        return work.responsible_label
    name = work.assignee.name
    signed_in = viewer is not None and viewer.is_authenticated
    if signed_in and (viewer.pk == work.assignee_id or can(viewer, "matters.screen_matter", work.matter)):
        return name
    return mask_name(name)
