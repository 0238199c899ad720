"""May I? — the public board's actions, objecting to a notice and replying to an objection, each answered once.

``may_<action>(person, …)`` returns None when ``person`` may take the action now, or the ``Refused`` the
service raises (``enforce(may_<action>(actor, …))`` once the row is locked). The pages and the API show what
is open from these, and why objecting is closed in the same words.
"""

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from yishi.access.queries import require
from yishi.errors import Refused

from .models import Notice, Objection, Reply

REPLY = "notices.reply_objection"


def _is_person(person) -> bool:
    return person is not None and person.is_authenticated


def authority(person, action: str, target) -> Refused | None:
    """The role table's answer as a refusal: ``require`` raises it, a predicate returns it."""
    try:
        require(person, action, target)
    except Refused as refused:
        return refused
    return None


def objections_closed(notice: Notice, *, replaced: bool | None = None, now=None) -> Refused | None:
    """Why nobody may object to ``notice`` now (replaced, or its window has passed), or None. ``replaced``
    when the caller has read it already."""
    if replaced if replaced is not None else Notice.objects.filter(replaces=notice).exists():
        return Refused(_("This notice has been replaced; object to the notice that replaced it."), "replaced")
    if (now or timezone.now()) >= notice.objections_close_at:
        return Refused(
            _("Objections to this notice closed on %(date)s.")
            % {"date": formats.date_format(timezone.localdate(notice.objections_close_at), "DATE_FORMAT")},
            "objections_closed",
        )
    return None


def may_object(person, notice: Notice, *, replaced: bool | None = None, now=None) -> Refused | None:
    """A logged-in resident objects within the notice's objection window."""
    if not _is_person(person):
        return Refused(_("Log in to object to a notice."), Refused.FORBIDDEN)
    return objections_closed(notice, replaced=replaced, now=now)


def may_reply_here(person, notice: Notice) -> Refused | None:
    """Staff of the board's region answer objections to its notices, each signed by the person writing."""
    refused = authority(person, REPLY, notice.region)
    if refused is None and not _is_person(person):
        refused = Refused(_("A reply is signed by the person who writes it."), Refused.FORBIDDEN)
    return refused


def may_reply(person, objection: Objection, *, answered: bool | None = None) -> Refused | None:
    """A public answer to ``objection``, once. ``answered`` when the caller has read it already."""
    refused = may_reply_here(person, objection.notice)
    if refused is None and (
        answered if answered is not None else Reply.objects.filter(objection=objection).exists()
    ):
        refused = Refused(_("This objection has already been answered."), "already_answered")
    return refused
