"""Writes about comments: posting, replying, hiding and showing again; who may, and when, is ``predicates``.

Who may comment: any logged-in person, on a matter that is still being worked on or was resolved (the result
is worth talking about). A matter closed otherwise (declined, referred, withdrawn, closed unresolved) takes no
more comments; a merged one sends people to the matter it was merged into. Replies go one level deep.

A back-to-back matter never leads back to its submitter: the comments of residents on it are recorded in the
audit chain without an actor (the author only as a keyed digest), whoever wrote them, so the submitter's own
comments look like everyone else's there as on the page.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from yishi.access.queries import can, holding_roles
from yishi.access.roles import Role
from yishi.audit.actions import Action
from yishi.audit.services import record
from yishi.errors import Refused, enforce
from yishi.matters.models import Matter
from yishi.notifications import notify
from yishi.people.actors import Actor, acting_person, person_of

from . import predicates
from .models import MAX_BODY, MAX_REASON, Comment
from .paging import link_to

MODERATE = predicates.MODERATE
OPEN_TO_COMMENTS = predicates.OPEN_TO_COMMENTS
comments_refused = predicates.comments_refused


def _clean_body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise Refused(_("Write your comment first."), "body_required", field="body")
    if len(text) > MAX_BODY:
        raise Refused(
            _("A comment may have at most %(n)s characters (this one has %(m)s).")
            % {"n": MAX_BODY, "m": len(text)},
            "body_too_long",
            field="body",
        )
    return text


def _clean_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise Refused(
            _("Give the reason for hiding; it is shown publicly."), "reason_required", field="reason"
        )
    if len(text) > MAX_REASON:
        raise Refused(
            _("The reason may have at most %(n)s characters.") % {"n": MAX_REASON},
            "reason_too_long",
            field="reason",
        )
    return text


def staff_role_for(actor: Actor, matter: Matter) -> str:
    """The role under which ``actor`` speaks for the community on ``matter`` ("" for a resident)."""
    if not can(actor, MODERATE, matter):
        return ""
    region = matter.region
    for assignment in holding_roles(actor, MODERATE):
        if assignment.region.contains(region):
            return assignment.role
    return Role.ADMIN  # the system administrator (superuser) holds no row


def _require_login(actor: Actor) -> None:
    enforce(predicates.login_required(actor))


def _locked_matter(matter: Matter) -> Matter:
    # Locked so that a comment cannot slip in beside a concurrent close.
    return Matter.objects.select_for_update(of=("self",)).select_related("region").get(pk=matter.pk)


def _audit(actor: Actor, action: Action, comment: Comment, matter: Matter, *, staff: bool) -> None:
    anonymous = matter.back_to_back and not staff
    record(
        actor=None if anonymous else actor,
        action=action,
        target=comment,
        data={"matter": matter.pk, "parent": comment.parent_id},
        personal={"author": comment.author_id},
    )


def _tell(comment: Comment, matter: Matter) -> None:
    """The submitter hears that their matter has comments, and a commenter that theirs has replies: once a day
    each, at the day's first, since a busy matter would otherwise send a text message for every comment. The
    message names no one; the page shows the rest."""
    link = link_to(comment)
    day = timezone.localdate().isoformat()
    told = {comment.author_id}
    if (
        matter.submitter_id
        and matter.submitter_id not in told
        and notify(
            matter.submitter,
            gettext_noop("Yishi: someone commented on your matter “%(title)s”."),
            link=link,
            dedupe_key=f"comments:{matter.pk}:{day}",
            title=matter.title,
        )
    ):
        told.add(matter.submitter_id)
    parent = comment.parent
    if parent is not None and parent.author_id not in told:
        notify(
            parent.author,
            gettext_noop("Yishi: someone replied to your comment on “%(title)s”."),
            link=link,
            dedupe_key=f"comment-replies:{parent.pk}:{day}",
            title=matter.title,
        )


@transaction.atomic
def post_comment(*, actor: Actor, matter: Matter, body: str) -> Comment:
    """A logged-in person comments on a matter; staff who moderate there answer for the community."""
    _require_login(actor)
    body = _clean_body(body)
    matter = _locked_matter(matter)
    enforce(predicates.may_comment(actor, matter))
    staff_role = staff_role_for(actor, matter)
    comment = Comment.objects.create(matter=matter, author=person_of(actor), body=body, staff_role=staff_role)
    _audit(actor, Action.COMMENTS_POST, comment, matter, staff=bool(staff_role))
    _tell(comment, matter)
    return comment


@transaction.atomic
def reply(*, actor: Actor, comment: Comment, body: str) -> Comment:
    """A reply to a top-level comment (one level only). A hidden comment takes no replies."""
    _require_login(actor)
    body = _clean_body(body)
    parent = Comment.objects.select_for_update().get(pk=comment.pk)
    matter = parent.matter = _locked_matter(parent.matter)
    enforce(predicates.may_reply(actor, parent))
    staff_role = staff_role_for(actor, matter)
    answer = Comment.objects.create(
        matter=matter, parent=parent, author=person_of(actor), body=body, staff_role=staff_role
    )
    _audit(actor, Action.COMMENTS_REPLY, answer, matter, staff=bool(staff_role))
    _tell(answer, matter)
    return answer


def _moderated(comment: Comment) -> Comment:
    return Comment.objects.select_for_update(of=("self",)).select_related("matter__region").get(pk=comment.pk)


@transaction.atomic
def hide(*, actor: Actor, comment: Comment, reason: str) -> Comment:
    """Hide a comment's text from everyone but moderators; when and why stays public."""
    comment = _moderated(comment)
    enforce(predicates.may_hide(actor, comment))
    reason = _clean_reason(reason)
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = timezone.now(), acting_person(actor), reason
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    record(
        actor=actor,
        action=Action.COMMENTS_HIDE,
        target=comment,
        data={"matter": comment.matter_id, "reason": reason},
    )
    return comment


@transaction.atomic
def unhide(*, actor: Actor, comment: Comment) -> Comment:
    """Show a hidden comment again (a mistake, or the reason no longer holds)."""
    comment = _moderated(comment)
    enforce(predicates.may_unhide(actor, comment))
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = None, None, ""
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    record(actor=actor, action=Action.COMMENTS_UNHIDE, target=comment, data={"matter": comment.matter_id})
    return comment
