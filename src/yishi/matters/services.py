"""Writes about matters: raising, recording offline, supporting, photos, screening, merging."""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from yishi import figures_hooks
from yishi.access.queries import require
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.people.actors import Actor, acting_person
from yishi.regions.models import Region
from yishi.uploads import clean_photo, new_token

from .models import Category, Channel, Matter, Photo, Support
from .predicates import may_record_support, may_support, takes_matters

MAX_PHOTOS = 6


def _clean_text(value: str, *, field: str, label, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise Refused(_("%(field)s is required.") % {"field": label}, f"{field}_required", field=field)
    if len(text) > limit:
        raise Refused(
            _("%(field)s may have at most %(n)s characters.") % {"field": label, "n": limit},
            f"{field}_too_long",
            field=field,
        )
    return text


def _clean_matter_fields(*, region: Region, title: str, description: str, category, location: str):
    enforce(takes_matters(region))
    if not isinstance(category, Category) or not category.active:
        raise Refused(_("Choose a category."), "category_required", field="category")
    return (
        _clean_text(title, field="title", label=_("A title"), limit=100),
        _clean_text(description, field="description", label=_("A description"), limit=5000),
        _clean_text(location, field="location", label=_("The location"), limit=200, required=False),
    )


def _add_photos(matter: Matter, photos, actor: Actor) -> None:
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise Refused(_("At most %(n)s photos.") % {"n": MAX_PHOTOS}, "too_many_photos", field="photos")
    cleaned = [clean_photo(p) for p in photos]  # all checked before any is saved
    for content, width, height in cleaned:
        photo = Photo(
            matter=matter,
            token=new_token(),
            width=width,
            height=height,
            uploaded_by=actor if actor is not None and actor.is_authenticated else None,
        )
        assert content.name is not None  # noqa: S101 - clean_photo names the file it makes
        photo.image.save(content.name, content, save=False)
        photo.save()


@transaction.atomic
def raise_matter(
    *,
    actor: Actor,
    region: Region,
    title: str,
    description: str,
    category,
    location: str = "",
    back_to_back: bool = False,
    photos=(),
) -> Matter:
    """A resident raises a matter online (step 1)."""
    if actor is None or not actor.is_authenticated:
        raise Refused(_("Log in to raise a matter."), Refused.FORBIDDEN)
    title, description, location = _clean_matter_fields(
        region=region, title=title, description=description, category=category, location=location
    )
    matter = Matter.objects.create(
        region=region,
        title=title,
        description=description,
        category=category,
        location=location,
        channel=Channel.ONLINE,
        submitter=actor,
        back_to_back=back_to_back,
    )
    _add_photos(matter, photos, None if back_to_back else actor)
    # A back-to-back matter's entry names no actor: the public chain must not lead back to the submitter.
    record(
        actor=None if back_to_back else actor,
        action=Action.MATTERS_RAISE_MATTER,
        target=matter,
        data={
            "region": region.pk,
            "category": category.key,
            "channel": Channel.ONLINE,
            "back_to_back": back_to_back,
        },
    )
    figures_hooks.added(matter)
    return matter


@transaction.atomic
def record_matter(
    *,
    actor: Actor,
    region: Region,
    title: str,
    description: str,
    category,
    channel: str,
    location: str = "",
    submitter=None,
    submitter_name: str = "",
    back_to_back: bool = False,
    photos=(),
) -> Matter:
    """Staff record a matter that came by visit, hotline, suggestion box, grid worker, symposium or survey."""
    require(actor, "matters.record_matter", region)
    if channel not in Channel.values or channel == Channel.ONLINE:
        raise Refused(_("Choose how the matter reached the community."), "invalid_channel", field="channel")
    title, description, location = _clean_matter_fields(
        region=region, title=title, description=description, category=category, location=location
    )
    submitter_name = _clean_text(
        submitter_name, field="submitter_name", label=_("The name"), limit=50, required=False
    )
    if back_to_back and (submitter is not None or submitter_name):
        raise Refused(
            _("A back-to-back matter keeps no name: leave the resident's name empty."),
            "back_to_back_named",
            field="submitter_name",
        )
    matter = Matter.objects.create(
        region=region,
        title=title,
        description=description,
        category=category,
        location=location,
        channel=channel,
        submitter=submitter,
        submitter_name=submitter_name,
        back_to_back=back_to_back,
        recorded_by=acting_person(actor),
    )
    _add_photos(matter, photos, actor)
    record(
        actor=actor,
        action=Action.MATTERS_RECORD_MATTER,
        target=matter,
        data={
            "region": region.pk,
            "category": category.key,
            "channel": channel,
            "back_to_back": back_to_back,
        },
        personal={"submitter": submitter.pk if submitter else None, "name": submitter_name},
    )
    figures_hooks.added(matter)
    return matter


@transaction.atomic
def support(*, actor: Actor, matter: Matter, person=None) -> Support:
    """Add a name to a matter (附议): the resident themself, or staff for a resident who came in person."""
    own = person is None or (actor is not None and person.pk == actor.pk)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    if own:
        person = actor
        enforce(may_support(actor, matter))
    else:
        enforce(may_record_support(actor, matter))
        if not person.is_active:
            raise Refused(
                _("That person's account is closed; their name cannot be added."),
                "person_inactive",
                field="person",
            )
        # The resident named may be added as they could add themself: not the submitter, not twice.
        enforce(may_support(person, matter))
    support = Support.objects.create(matter=matter, person=person)
    Matter.objects.filter(pk=matter.pk).update(supporter_count=F("supporter_count") + 1)
    record(actor=actor, action=Action.MATTERS_SUPPORT, target=matter, personal={"person": person.pk})
    figures_hooks.changed(matter)
    return support


def _screenable(actor: Actor, matter: Matter) -> Matter:
    from yishi.procedures.services import lock_for_screening  # the engine imports these models

    return lock_for_screening(actor, matter)


def _reason(reason: str, *, public: bool = True) -> str:
    text = (reason or "").strip()
    if not text:
        message = _("Give the reason; it is shown publicly.") if public else _("Give the reason.")
        raise Refused(message, "reason_required", field="reason")
    return text[:2000]


@transaction.atomic
def accept(
    *,
    actor: Actor,
    matter: Matter,
    procedure_key: str = "eight_steps",
    procedure_reason: str = "",
    region: Region | None = None,
    category=None,
    stakeholders: str = "",
) -> Matter:
    """Screening: accept the matter onto a procedure (研究协商议题). The raise step is then complete."""
    from yishi.procedures import services as engine

    matter = _screenable(actor, matter)
    fields: dict[str, object] = {"stakeholders": (stakeholders or "").strip()[:2000]}
    if region is not None and region.pk != matter.region_id:
        require(actor, "matters.screen_matter", region)
        enforce(takes_matters(region))
        fields["region"] = region
    if category is not None:
        if not isinstance(category, Category) or not category.active:
            raise Refused(_("Choose a category."), "category_required", field="category")
        fields["category"] = category
    for name, value in fields.items():
        setattr(matter, name, value)
    Matter.objects.filter(pk=matter.pk).update(**fields)
    record(
        actor=actor,
        action=Action.MATTERS_ACCEPT,
        target=matter,
        data={"procedure": procedure_key, "region": matter.region_id, "category": matter.category_id},
    )
    figures_hooks.changed(matter)
    from yishi.notices.services import post_screening_notice

    matter = engine.start(actor=actor, matter=matter, procedure_key=procedure_key, reason=procedure_reason)
    matter = engine.advance_locked(actor=actor, matter=matter)
    post_screening_notice(actor=actor, matter=matter)
    return matter


@transaction.atomic
def decline(*, actor: Actor, matter: Matter, reason: str) -> Matter:
    from yishi.notices.services import post_screening_notice
    from yishi.procedures import services as engine

    matter = _screenable(actor, matter)
    matter = engine.decline(actor=actor, matter=matter, reason=_reason(reason))
    post_screening_notice(actor=actor, matter=matter)
    return matter


@transaction.atomic
def refer(*, actor: Actor, matter: Matter, to: str, reason: str = "") -> Matter:
    """转办: the matter belongs to another body (a department, the street, a court)."""
    from yishi.notices.services import post_screening_notice
    from yishi.procedures import services as engine

    matter = _screenable(actor, matter)
    to = _clean_text(to, field="referred_to", label=_("The receiving body"), limit=100)
    matter = engine.refer(actor=actor, matter=matter, to=to, reason=(reason or "").strip()[:2000])
    post_screening_notice(actor=actor, matter=matter)
    return matter


@transaction.atomic
def merge(*, actor: Actor, matter: Matter, into: Matter, reason: str = "") -> Matter:
    """Merge a duplicate: its supporters, submitter and photos join ``into``; both stay readable."""
    from yishi.procedures import services as engine

    if not (reason or "").strip():
        with translation.override(settings.LANGUAGE_CODE):  # shown publicly, in the board's language
            reason = str(_("The same matter as “%(title)s”.") % {"title": into.title})
    matter = engine.close_as_merged(actor=actor, matter=matter, into=into, reason=reason.strip()[:2000])
    assert matter.merged_into is not None  # noqa: S101 - close_as_merged has just set it
    into = matter.merged_into
    people = set(Support.objects.filter(matter=matter).values_list("person_id", flat=True))
    if matter.submitter_id:
        people.add(matter.submitter_id)
    people -= set(Support.objects.filter(matter=into).values_list("person_id", flat=True))
    people.discard(into.submitter_id)
    Support.objects.bulk_create(
        [Support(matter=into, person_id=pk, from_matter=matter) for pk in sorted(people)]
    )
    Matter.objects.filter(pk=into.pk).update(supporter_count=F("supporter_count") + len(people))
    for photo in matter.photos.all():
        Photo.objects.create(
            matter=into,
            token=new_token(),
            image=photo.image.name,
            width=photo.width,
            height=photo.height,
            uploaded_by=photo.uploaded_by,
            from_matter=matter,
        )
    return matter
