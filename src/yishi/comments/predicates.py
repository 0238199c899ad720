"""May I? — commenting, replying, hiding and showing again, each answered once.

``may_<action>(person, …)`` returns None when ``person`` may take the action now, or the ``Refused`` the
service raises (``enforce(may_<action>(actor, …))`` once the rows are locked). The comment section and the
API offer the forms from these, and say why a matter takes no comments in the same words.
"""

from django.utils.translation import gettext_lazy as _

from yishi.access.queries import authority
from yishi.errors import Refused
from yishi.matters.models import Matter, Status

from .models import Comment

MODERATE = "comments.moderate"
# A matter takes comments while it is worked on, and once resolved (the result is worth talking about).
OPEN_TO_COMMENTS = frozenset({Status.NEW, Status.OPEN, Status.RESOLVED})


def comments_refused(matter: Matter) -> Refused | None:
    """Why ``matter`` takes no comments now, or None when it does (pages show the reason instead of the form)."""
    if matter.status in OPEN_TO_COMMENTS:
        return None
    if matter.status == Status.MERGED:
        return Refused(
            _("This matter was merged into No. %(n)s: comment there.") % {"n": matter.merged_into_id},
            "merged",
        )
    return Refused(
        _("This matter is closed (%(status)s) and takes no more comments.")
        % {"status": matter.get_status_display()},
        "closed",
    )


def login_required(person) -> Refused | None:
    if person is None or not person.is_authenticated:
        return Refused(_("Log in to comment."), Refused.FORBIDDEN)
    return None


def may_moderate(person, matter: Matter) -> Refused | None:
    """Hiding and showing comments on ``matter``: staff who moderate there, signed in."""
    return login_required(person) or authority(person, MODERATE, matter)


def may_comment(person, matter: Matter) -> Refused | None:
    return login_required(person) or comments_refused(matter)


def may_reply(person, comment: Comment) -> Refused | None:
    """A reply to a top-level comment that is not hidden, on a matter that takes comments."""
    refused = login_required(person)
    if refused is None and comment.parent_id is not None:
        refused = Refused(
            _("Answer the comment this reply belongs to: replies go one level deep."), "nested_reply"
        )
    if refused is None:
        refused = comments_refused(comment.matter)
    if refused is None and comment.is_hidden:
        refused = Refused(_("This comment was hidden and takes no replies."), "hidden")
    return refused


def may_hide(person, comment: Comment) -> Refused | None:
    refused = may_moderate(person, comment.matter)
    if refused is None and comment.is_hidden:
        refused = Refused(_("This comment is already hidden."), "already_hidden")
    return refused


def may_unhide(person, comment: Comment) -> Refused | None:
    refused = may_moderate(person, comment.matter)
    if refused is None and not comment.is_hidden:
        refused = Refused(_("This comment is not hidden."), "not_hidden")
    return refused
