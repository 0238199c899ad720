"""What a service's ``figures_hooks.changed(obj)`` refreshes: the matter, meeting or vote ``obj`` counts for.

Installed by ``StatsConfig.ready``. The services call in the transaction that made the change, with the object
they saved, so what the service wrote is read off that object instead of being read back.
"""

from yishi.stats import rollups


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
    """The ``field`` id of the target: read off the object the service saved, when there is one."""
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


def refresh_for(obj, added: bool = False) -> None:
    """Refresh every source ``obj`` belongs to; ``added``: ``obj`` is new and changed nothing else."""
    if added and obj._meta.label_lower == "matters.matter" and type(obj).category.is_cached(obj):
        rollups.refresh_new_matter(obj)
        return
    if (
        added
        and obj._meta.label_lower == "votes.participation"
        and type(obj).vote.is_cached(obj)
        and type(obj).elector.is_cached(obj)
    ):
        rollups.refresh_added_participation(obj)
        return
    targets = _targets(obj._meta.label_lower, obj.pk, obj)
    if not targets:
        raise TypeError(f"the figures count nothing of a {obj._meta.label_lower}: no call is needed")
    for kind, ids in targets.items():
        rollups.refresh(kind, ids)
