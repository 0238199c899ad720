from datetime import datetime

from django.contrib.auth import authenticate, user_logged_in
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited
from ninja import Router, Schema
from ninja.responses import Status

from yishi.access.queries import active_roles
from yishi.api_schemas import Problem

from .phones import normalize_phone
from .presenters import present_person
from .tokens import MAX_AGE, caller, issue_token

router = Router(tags=["people"])


class RoleOut(Schema):
    role: str
    role_label: str
    region_id: int
    region_name: str


class MeOut(Schema):
    authenticated: bool
    name: str = ""
    phone: str = ""
    roles: list[RoleOut] = []


class TokenIn(Schema):
    phone: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme's name, not a secret
    expires_at: datetime
    person_id: int


@router.get(
    "/me", response={200: MeOut, 401: Problem}, summary="Who is signed in (session or token), and their roles"
)
def me(request):
    user = caller(request)
    if not user.is_authenticated:
        return {"authenticated": False}
    view = present_person(user, user)
    return {
        "authenticated": True,
        "name": view.name,
        "phone": view.phone,
        "roles": [
            {
                "role": a.role,
                "role_label": a.get_role_display(),
                "region_id": a.region_id,
                "region_name": a.region.name,
            }
            for a in active_roles(user)
        ],
    }


def _problem(status: int, detail, code: str) -> Status:
    return Status(status, {"detail": str(detail), "code": code})


@router.post(
    "/token",
    response={200: TokenOut, 401: Problem, 429: Problem},
    summary="A token for a client: send it as `Authorization: Bearer <token>`; valid for 30 days",
)
def token(request, body: TokenIn):
    """Phone and password, checked as the login page checks them: five wrong passwords lock the number."""
    if is_ratelimited(
        request, group="api.people.token", key="ip", rate="30/5m", method="POST", increment=True
    ):
        return _problem(
            429,
            _("Too many attempts in a short time. Please wait a few minutes and try again."),
            "rate_limited",
        )
    try:
        # The lock-out counts per number as normalised, as the login form does.
        phone = normalize_phone(body.phone)
    except ValidationError:
        phone = body.phone.strip()
    person = authenticate(request, phone=phone, password=body.password)
    if getattr(request, "axes_locked_out", False):
        # Answer in JSON; left set, the flag makes django-axes replace this answer with its HTML page.
        request.axes_locked_out = False
        return _problem(
            429,
            _(
                "There were too many wrong attempts for this phone number. Please try again in "
                "30 minutes, or ask your community office for help."
            ),
            "locked_out",
        )
    if person is None:
        return _problem(401, _("The phone number or password is wrong."), "invalid_login")
    # As a login does: django-axes clears the failures, Django records the time.
    user_logged_in.send(sender=person.__class__, request=request, user=person)
    return {"token": issue_token(person), "expires_at": timezone.now() + MAX_AGE, "person_id": person.pk}
