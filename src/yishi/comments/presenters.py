"""How a comment's author appears to a viewer: the one place that decides it for the page and the API.

Residents' names are masked (刘**) for the public; moderators see them whole, as they must know whom they
answer. Staff answering for the community are shown by their role and name. On a back-to-back matter every
resident commenter is "a resident", for everyone: were only the submitter hidden, hiding would name them.
"""

from django.utils.translation import gettext_lazy as _

from yishi.access.roles import Role
from yishi.people.phones import mask_name


def role_label(comment) -> str:
    try:
        return str(Role(comment.staff_role).label)
    except ValueError:
        return comment.staff_role


def author_label(comment, matter, viewer, *, moderator: bool) -> str:
    if viewer is not None and viewer.is_authenticated and viewer.pk == comment.author_id:
        return str(_("you"))
    if comment.staff_role:
        return f"{role_label(comment)} {comment.author.name}"
    if matter.back_to_back:
        return str(_("a resident"))
    return comment.author.name if moderator else mask_name(comment.author.name)


def raised_it(comment, matter) -> bool:
    """Marks the submitter's own comments, except on a back-to-back matter, where nothing may point at them."""
    return (
        not matter.back_to_back
        and matter.submitter_id is not None
        and comment.author_id == matter.submitter_id
    )


def present(comment, matter, viewer, *, moderator: bool, replies=None) -> dict:
    """One comment as the viewer may see it: a hidden comment's text only for moderators, its trace for all.

    A top-level comment is given its ``replies`` (already read: the presenter reads nothing); a reply has none.
    """
    own = viewer is not None and viewer.is_authenticated and viewer.pk == comment.author_id
    row = {
        "id": comment.pk,
        "parent": comment.parent_id,
        "author": author_label(comment, matter, viewer, moderator=moderator),
        "own": own,
        "raised_it": raised_it(comment, matter),
        "community_answer": bool(comment.staff_role),
        "staff_role": comment.staff_role or None,
        "staff_role_label": role_label(comment) if comment.staff_role else None,
        "hidden": comment.is_hidden,
        "hidden_at": comment.hidden_at,
        "hidden_reason": comment.hidden_reason if comment.is_hidden else None,
        "body": comment.body if not comment.is_hidden or moderator else None,
        "created_at": comment.created_at,
    }
    if replies is not None:
        row["replies"] = [present(r, matter, viewer, moderator=moderator) for r in replies]
    return row
