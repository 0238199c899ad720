"""Keep the roll-ups in step with the raw tables, inside the transaction that changes them.

Every state change appends an audit entry in its own transaction (``audit.record`` refuses otherwise), and
many changes are queryset updates that send no model signal; so the entry's save is the one hook that sees
them all. Its target names what changed: the matter, meeting or vote it belongs to is refreshed.
"""

from yishi.stats import rollups

MATTER_TARGETS = {"matters.matter"}


def _matters_of_meeting(meeting_id: int) -> set[int]:
    from yishi.meetings.models import AgendaItem, Announcement

    ids = set(AgendaItem.objects.filter(meeting_id=meeting_id).values_list("matter_id", flat=True))
    ids |= set(Announcement.matters.through.objects.filter(announcement__meeting_id=meeting_id)
               .values_list("matter_id", flat=True))
    return ids


def _targets(target_type: str, pk: int) -> dict[str, set[int]]:
    """The sources a change to ``target_type`` #pk can alter."""
    from yishi.meetings.models import Attendance, Session
    from yishi.votes.models import Participation
    from yishi.works.models import Work

    if target_type == "matters.matter":
        return {rollups.MATTER: {pk}}
    if target_type == "meetings.session":
        return {rollups.MATTER: set(Session.objects.filter(pk=pk).values_list("matter_id", flat=True))}
    if target_type == "works.work":
        return {rollups.MATTER: set(Work.objects.filter(pk=pk).values_list("matter_id", flat=True))}
    if target_type == "meetings.meeting":
        # A held or cancelled meeting changes its own counts and the late-notice deviations of its matters.
        return {rollups.MEETING: {pk}, rollups.MATTER: _matters_of_meeting(pk)}
    if target_type == "meetings.attendance":
        return {rollups.MEETING: set(Attendance.objects.filter(pk=pk).values_list("meeting_id", flat=True))}
    if target_type == "votes.vote":
        return {rollups.VOTE: {pk}}
    if target_type == "votes.participation":
        return {rollups.VOTE: set(Participation.objects.filter(pk=pk).values_list("vote_id", flat=True))}
    return {}


def audit_entry_saved(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    try:
        pk = int(instance.target_id)
    except (TypeError, ValueError):
        return
    for kind, ids in _targets(instance.target_type, pk).items():
        rollups.refresh(kind, ids)
