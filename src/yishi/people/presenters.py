"""How a person appears to a viewer: the one place that decides what is masked."""

from dataclasses import dataclass

from yishi.access.queries import may_see_contact

from .phones import mask_id_number, mask_phone


@dataclass(frozen=True)
class PersonView:
    name: str
    phone: str
    id_number: str
    masked: bool


def present_person(person, viewer) -> PersonView:
    """Whole contact details only for the person themself and staff with authority where they live."""
    if may_see_contact(viewer, person):
        return PersonView(person.name, person.phone or "", person.id_number, masked=False)
    return PersonView(person.name, mask_phone(person.phone), mask_id_number(person.id_number), masked=True)
