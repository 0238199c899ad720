from datetime import datetime

from django.contrib.auth import authenticate, user_logged_in
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited
from ninja import Field, Router, Schema
from ninja.responses import Status

from yishi.access.queries import active_roles
from yishi.api_schemas import WRITE_ERRORS, Problem

from .models import HouseholdClaim
from .phones import normalize_phone
from .presenters import present_person
from .services import answer_claim, code_ttl_minutes, open_claims, send_login_code
from .tokens import MAX_AGE, WRITE_AUTH, caller, issue_token

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


class CodeRequestIn(Schema):
    phone: str = Field(..., max_length=40)


class CodeSentOut(Schema):
    detail: str = Field(..., description="The same words whether or not the number is registered")
    valid_minutes: int


class CodeTokenIn(Schema):
    phone: str = Field(..., max_length=40)
    code: str = Field(..., pattern=r"^\s*\d{6}\s*$", description="The six digits from the text message")


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


def _normalised(raw: str) -> str:
    # The lock-out counts per number as normalised, as the login forms do.
    try:
        return normalize_phone(raw)
    except ValidationError:
        return raw.strip()


def _too_many() -> Status:
    return _problem(
        429, _("Too many attempts in a short time. Please wait a few minutes and try again."), "rate_limited"
    )


def _issued(request, person) -> dict | Status:
    """A token for whoever authenticate() gave, or the answer a locked-out or failed login gets."""
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
        return None
    # As a login does: django-axes clears the failures, Django records the time.
    user_logged_in.send(sender=person.__class__, request=request, user=person)
    return {"token": issue_token(person), "expires_at": timezone.now() + MAX_AGE, "person_id": person.pk}


@router.post(
    "/code",
    response={202: CodeSentOut, 409: Problem, 429: Problem},
    summary="Text a one-time login code to a resident's phone (then `POST /people/token/code`)",
)
def request_code(request, body: CodeRequestIn):
    """As the login page: the answer is the same whether or not the number is registered."""
    phone = _normalised(body.phone)
    by_ip = is_ratelimited(
        request, group="api.people.code.ip", key="ip", rate="10/h", method="POST", increment=True
    )
    by_phone = is_ratelimited(
        request,
        group="api.people.code.phone",
        key=lambda _group, _request: phone,
        rate="5/h",
        method="POST",
        increment=True,
    )
    if by_ip or by_phone:
        return _too_many()
    send_login_code(phone=body.phone)
    minutes = code_ttl_minutes()
    return Status(
        202,
        {
            "detail": str(
                _("If this number is registered, a code is on its way. It is valid for %(minutes)s minutes.")
                % {"minutes": minutes}
            ),
            "valid_minutes": minutes,
        },
    )


@router.post(
    "/token/code",
    response={200: TokenOut, 401: Problem, 429: Problem},
    summary="A token for the one-time code texted to the phone: residents log in this way",
)
def token_by_code(request, body: CodeTokenIn):
    if is_ratelimited(
        request, group="api.people.token", key="ip", rate="30/5m", method="POST", increment=True
    ):
        return _too_many()
    person = authenticate(request, phone=_normalised(body.phone), code=body.code.strip())
    issued = _issued(request, person)
    if issued is None:
        return _problem(401, _("The code is wrong or has expired. Ask for a new one."), "invalid_code")
    return issued


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
        return _too_many()
    person = authenticate(request, phone=_normalised(body.phone), password=body.password)
    issued = _issued(request, person)
    if issued is None:
        return _problem(401, _("The phone number or password is wrong."), "invalid_login")
    return issued


class ClaimOut(Schema):
    id: int
    household: str = Field(..., description="The household the roster names the caller head of")
    claimed_at: datetime
    confirmed: bool | None = Field(..., description="Null while it waits for the caller's answer")


class ClaimAnswerIn(Schema):
    confirm: bool = Field(
        ..., description="true: I head this household (a seat in its votes); false: I do not"
    )


def _claim(c: HouseholdClaim) -> dict:
    return {"id": c.pk, "household": str(c.household), "claimed_at": c.claimed_at, "confirmed": c.confirmed}


@router.get(
    "/me/household-claims",
    auth=WRITE_AUTH,
    response={200: list[ClaimOut], 401: Problem},
    summary="Household rosters that name the caller head of a household, waiting for their answer",
)
def my_claims(request):
    return [_claim(c) for c in open_claims(request.auth)]


@router.post(
    "/me/household-claims/{int:claim_id}",
    auth=WRITE_AUTH,
    response={200: ClaimOut, **WRITE_ERRORS},
    summary="Confirm or decline that the caller heads the household a roster names",
)
def answer_my_claim(request, claim_id: int, body: ClaimAnswerIn):
    claim = get_object_or_404(HouseholdClaim.objects.select_related("household__region"), pk=claim_id)
    return _claim(answer_claim(actor=request.auth, claim=claim, confirm=body.confirm))
