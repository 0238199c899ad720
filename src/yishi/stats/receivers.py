"""Keep the roll-ups in step with the raw tables, inside the transaction that changes them.

Every state change appends an audit entry in its own transaction (``audit.record`` refuses otherwise), and
many changes are queryset updates that send no model signal; so the entry's save is the one hook that sees
them all. Its target names what changed: the matter, meeting or vote it belongs to is refreshed.
"""

from yishi.stats import rollups

# The services that create the matter they record, with nothing attached to it yet that counts.
NEW_MATTER_ACTIONS = {"matters.raise_matter", "matters.record_matter"}
# The service that adds the participation it records to its vote, and changes nothing else counted.
ADDED_PARTICIPATION_ACTIONS = {"votes.cast_ballot"}
# Changes to a counted target that no contribution reads: a vote counts its participations, and a draft or a
# vote just opened has none; invitations and the confirmation of minutes are not counted.
UNCOUNTED_ACTIONS = {
    "votes.create_vote",
    "votes.change_draft",
    "votes.open_vote",
    "meetings.invite",
    "meetings.confirm_minutes",
}


def _matters_of_meeting(meeting_id: int) -> set[int]:
    from yishi.meetings.models import AgendaItem, Announcement

    ids = set(AgendaItem.objects.filter(meeting_id=meeting_id).values_list("matter_id", flat=True))
    ids |= set(
        Announcement.matters.through.objects.filter(announcement__meeting_id=meeting_id).values_list(
            "matter_id", flat=True
        )
    )
    return ids


def _parent(model, field: str, pk: int, target) -> set[int]:
    """The ``field`` id of the target: read off the object the service saved when the receiver has it."""
    if target is not None:
        value = getattr(target, field)
        return set() if value is None else {value}
    return set(model.objects.filter(pk=pk).values_list(field, flat=True))


def _targets(target_type: str, pk: int, target=None) -> dict[str, set[int]]:
    """The sources a change to ``target_type`` #pk (``target``, when at hand) can alter."""
    from yishi.meetings.models import Attendance, Session
    from yishi.votes.models import Participation
    from yishi.works.models import Work

    if target_type == "matters.matter":
        return {rollups.MATTER: {pk}}
    if target_type == "meetings.session":
        return {rollups.MATTER: _parent(Session, "matter_id", pk, target)}
    if target_type == "works.work":
        return {rollups.MATTER: _parent(Work, "matter_id", pk, target)}
    if target_type == "meetings.meeting":
        # A held or cancelled meeting changes its own counts and the late-notice deviations of its matters.
        return {rollups.MEETING: {pk}, rollups.MATTER: _matters_of_meeting(pk)}
    if target_type == "meetings.attendance":
        return {rollups.MEETING: _parent(Attendance, "meeting_id", pk, target)}
    if target_type == "votes.vote":
        return {rollups.VOTE: {pk}}
    if target_type == "votes.participation":
        return {rollups.VOTE: _parent(Participation, "vote_id", pk, target)}
    return {}


def _saved_target(entry, pk: int):
    """The object ``audit.record`` was given, when the entry was made in this process and names it."""
    target = getattr(entry, "target_object", None)
    if target is None or target._meta.label_lower != entry.target_type or target.pk != pk:
        return None
    return target


def audit_entry_saved(sender, instance, created, raw=False, **kwargs):
    if not created or raw or instance.action in UNCOUNTED_ACTIONS:
        return
    try:
        pk = int(instance.target_id)
    except (TypeError, ValueError):
        return
    target = _saved_target(instance, pk)
    if (
        target is not None
        and instance.action in NEW_MATTER_ACTIONS
        and type(target).category.is_cached(target)
    ):
        rollups.refresh_new_matter(target)
        return
    if (
        target is not None
        and instance.action in ADDED_PARTICIPATION_ACTIONS
        and type(target).vote.is_cached(target)
        and type(target).elector.is_cached(target)
    ):
        rollups.refresh_added_participation(target)
        return
    for kind, ids in _targets(instance.target_type, pk, target).items():
        rollups.refresh(kind, ids)
