"""The one domain exception.

Services raise ``Refused`` with a reason a community worker understands and a stable code for clients.
Views turn it into a form error, the API into 403/409 with the same translated text.
"""

import contextlib
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied


class Refused(Exception):
    """A domain action was refused. ``reason`` is user-facing (lazy-translated); ``code`` is stable."""

    #: "forbidden" when the actor lacks authority; anything else is a wrong state or bad input.
    FORBIDDEN = "forbidden"

    def __init__(self, reason, code: str = "refused", *, field: str | None = None):
        super().__init__(str(reason))
        self.reason = reason
        self.code = code
        self.field = field

    def __str__(self) -> str:
        return str(self.reason)


# --- predicates: "may I?" answered once ------------------------------------------------------------------------
#
# A predicate ``may_<action>(person, obj, …) -> Refused | None`` answers whether ``person`` may take the action
# now: None, or the refusal the service raises (``enforce``) and the page shows. A refusal coded FORBIDDEN
# means the person is not entitled at all, so the action is not shown; any other refusal is shown to the
# entitled person as the reason the action is not open yet.


# Refused authority checks met while a request is answered: its middleware writes them to the security log.
_refused_attempts: ContextVar[list | None] = ContextVar("yishi_refused_attempts", default=None)


@contextlib.contextmanager
def noting_refused_attempts():
    """Collect the ``attempt`` of every authority refusal a guard raises inside (a list, filled as it goes)."""
    noted: list = []
    token = _refused_attempts.set(noted)
    try:
        yield noted
    finally:
        _refused_attempts.reset(token)


def enforce(reason: "Refused | None") -> None:
    """Raise the refusal a predicate returned, if any: the service's guard. A refused authority check is noted
    for the security log (showing what is offered asks the same predicates and notes nothing)."""
    if reason is not None:
        noted = _refused_attempts.get()
        attempt = getattr(reason, "attempt", None)
        if noted is not None and attempt is not None:
            noted.append(attempt)
        raise reason


class Offers:
    """What a person is offered on one object: the open actions, and why each closed one is closed."""

    def __init__(self, reasons: "dict[str, Refused | None]"):
        self.open = frozenset(action for action, reason in reasons.items() if reason is None)
        # Closed actions the person is entitled to, with the words the service would refuse with.
        self.closed = {
            action: reason
            for action, reason in reasons.items()
            if reason is not None and reason.code != Refused.FORBIDDEN
        }

    def __contains__(self, action: str) -> bool:
        return action in self.open

    def __iter__(self):
        return iter(sorted(self.open))

    def why_not(self, action: str) -> str:
        """The reason shown beside a closed action ("" when it is open or not the person's to take)."""
        reason = self.closed.get(action)
        return str(reason.reason) if reason is not None else ""


# --- one answer for a refusal: on a page, and in the API ------------------------------------------------------


def refusal_status(exc: Refused) -> int:
    """A page's status for a refusal: 403 without the authority, 400 for input (the refusal names a field),
    409 for what the object's state refuses."""
    if exc.code == Refused.FORBIDDEN:
        return 403
    return 400 if exc.field else 409


def refusal_to_form(form, exc: Refused, aliases: "dict[str, str | None] | None" = None) -> int:
    """Put the refusal's reason on ``form`` and return the page's status (``refusal_status``).

    The reason goes on the field the service named, or on the form's own name for it in ``aliases`` (a
    service names its arguments, a form may call them differently); failing both, above the whole form.
    A refusal for want of authority is the 403 page instead, with its reason: the person was offered no such
    form, so there is nothing to show it on (and the page it came from is not drawn again for them)."""
    if exc.code == Refused.FORBIDDEN:
        raise PermissionDenied(exc.reason) from exc
    field = exc.field if exc.field in form.fields else (aliases or {}).get(exc.field or "")
    form.add_error(field if field in form.fields else None, exc.reason)
    return refusal_status(exc)


def api_refusal_status(exc: Refused) -> int:
    """The API's status for a refusal: 403 without the authority, 409 otherwise (bad shape is 422, earlier)."""
    return 403 if exc.code == Refused.FORBIDDEN else 409
