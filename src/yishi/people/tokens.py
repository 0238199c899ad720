"""API tokens for clients (a mobile app, a mini-program): a signed person id, valid for 30 days.

No table: the token is ``TimestampSigner``-signed with the site's key, so it cannot be forged and it expires by
itself. A token stops working when its person is deactivated, changes their password, or the signing key
changes.

Browsers use the session instead (``SessionAuth``), with the CSRF check that a cookie needs.
"""

from datetime import timedelta

from django.core import signing
from django.utils.crypto import constant_time_compare
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from .models import Person

SALT = "yishi.people.api-token"
MAX_AGE = timedelta(days=30)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def issue_token(person: Person) -> str:
    # The session hash changes with the password: changing it ends every token issued before.
    return _signer().sign(f"{person.pk}:{person.get_session_auth_hash()}")


def person_for_token(token: str) -> Person | None:
    """The active person a token was issued to, or ``None`` when it is forged, altered or older than 30 days."""
    try:
        value = _signer().unsign(token or "", max_age=MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    except ValueError:
        # Signed with our key and salt but without a timestamp (a plain Signer): unsign() cannot split it.
        return None
    pk, _sep, auth_hash = value.partition(":")
    if not pk.isdigit() or not auth_hash:
        return None
    person = Person.objects.filter(pk=int(pk), is_active=True).first()
    if person is None or not constant_time_compare(auth_hash, person.get_session_auth_hash()):
        return None
    return person


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` from ``POST /api/v1/people/token``.

    A token that is presented but does not hold is refused (401), not ignored: a client must not act, or
    read, as someone else than it thinks.
    """

    def authenticate(self, request, token: str):
        person = person_for_token(token)
        if person is None:
            raise AuthenticationError
        # Everything downstream (rate limits, presenters) reads request.user, as for a session.
        request.user = person
        return person


class SessionAuth(NinjaSessionAuth):
    """Django's session, as ninja's ``django_auth``, with its CSRF check.

    Without a logged-in session there is nothing to forge, so the answer is 401 ("log in"), not a CSRF error.
    """

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


bearer_token = BearerToken()
session_auth = SessionAuth()
# Writes: a token first (a client sends no cookie, so no CSRF check applies), then the browser's session.
WRITE_AUTH = [bearer_token, session_auth]


def caller(request):
    """Who is asking, on an endpoint open to everyone: a token's person, the session's, or anonymous."""
    return bearer_token(request) or request.user
