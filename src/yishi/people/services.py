"""Writes about people: registering them, one-time login codes."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yishi.audit.actions import Action
from yishi.audit.chain import personal_digest
from yishi.audit.services import record
from yishi.errors import Refused

from .actors import Actor, acting_person
from .models import Gender, HouseholdClaim, Membership, OneTimeCode, Person, Relation
from .phones import normalize_phone
from .sms import send_sms

RESEND_INTERVAL = timedelta(seconds=60)
NAME_MAX_LENGTH = 50


def clean_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise Refused(_("A name is required."), "name_required", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise Refused(_("A name may have at most 50 characters."), "name_too_long", field="name")
    return name


def clean_phone(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except ValidationError as exc:
        raise Refused(exc.messages[0], "invalid_phone", field="phone") from exc


def _phone_taken():
    return Refused(_("This phone number is already registered."), "phone_taken", field="phone")


def register_person(
    *, actor: Actor, name: str, phone: str = "", gender: str = "", password: str | None = None
) -> Person:
    """Record a person. Names are stored as typed (escaped when shown), never interpreted."""
    name = clean_name(name)
    phone_value = clean_phone(phone) if phone else None
    if gender not in Gender.values:
        raise Refused(_("Unknown gender."), "invalid_gender", field="gender")
    with transaction.atomic():
        if phone_value and Person.objects.filter(phone=phone_value).exists():
            raise _phone_taken()
        try:
            # Two offices registering one number at once: the unique index decides, the loser is refused.
            with transaction.atomic():
                person = Person.objects.create_user(phone_value, name, password, gender=gender)
        except IntegrityError:
            if phone_value and Person.objects.filter(phone=phone_value).exists():
                raise _phone_taken() from None
            raise
        record(
            actor=actor,
            action=Action.PEOPLE_REGISTER_PERSON,
            target=person,
            personal={"name": name, "phone": phone_value},
        )
    return person


def _code_digest(phone: str, code: str) -> str:
    return personal_digest(settings.SECRET_KEY, {"phone": phone, "code": code})


def _requested_key(phone: str) -> str:
    # A keyed digest, so the cache never holds a phone number in clear.
    return "yishi:code-requested:" + hashlib.sha256(f"{settings.SECRET_KEY}:{phone}".encode()).hexdigest()


def code_ttl_minutes() -> int:
    return max(1, settings.ONE_TIME_CODE_TTL_SECONDS // 60)


def send_login_code(*, phone: str) -> None:
    """Send a six-digit code to a registered, active person's phone.

    The caller always shows the same message, whether or not the number is registered, so the login
    page cannot be used to find out who lives here. For the same reason asking twice within a minute is
    refused for every number, registered or not.
    """
    phone = clean_phone(phone)
    now = timezone.now()
    too_soon = Refused(
        _("A code was sent less than a minute ago. Please wait before asking again."), "code_too_soon"
    )
    if OneTimeCode.objects.filter(phone=phone, created_at__gt=now - RESEND_INTERVAL).exists():
        raise too_soon
    # add() is atomic (SET NX on Redis): of two requests at the same moment, one sends and one is refused.
    key, timeout = _requested_key(phone), int(RESEND_INTERVAL.total_seconds())
    if not cache.add(key, now, timeout=timeout):
        last_request = cache.get(key)
        if last_request is not None and now - last_request < RESEND_INTERVAL:
            raise too_soon
        cache.set(key, now, timeout=timeout)
    if not Person.objects.filter(phone=phone, is_active=True).exists():
        return
    code = f"{secrets.randbelow(10**6):06d}"
    OneTimeCode.objects.create(
        phone=phone,
        digest=_code_digest(phone, code),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.ONE_TIME_CODE_TTL_SECONDS),
    )
    text = gettext("Your Yishi login code is %(code)s, valid for %(minutes)s minutes.") % {
        "code": code,
        "minutes": code_ttl_minutes(),
    }
    send_sms(phone, text)


def check_login_code(*, phone: str, code: str) -> Person | None:
    """The person, if ``code`` is the latest code sent to ``phone``, unused and unexpired.

    Each code works once, and sending a new code retires the older ones: only the latest counts.
    A wrong code counts against the latest code's attempts; after the limit it no longer works.
    """
    now = timezone.now()
    code = (code or "").strip()
    with transaction.atomic():
        latest = (
            OneTimeCode.objects.select_for_update().filter(phone=phone).order_by("-created_at", "-pk").first()
        )
        if (
            latest is None
            or latest.used_at is not None
            or latest.expires_at <= now
            or latest.attempts >= settings.ONE_TIME_CODE_MAX_ATTEMPTS
        ):
            return None
        if not secrets.compare_digest(latest.digest, _code_digest(phone, code)):
            OneTimeCode.objects.filter(pk=latest.pk).update(attempts=latest.attempts + 1)
            return None
        OneTimeCode.objects.filter(pk=latest.pk).update(used_at=now)
    return Person.objects.filter(phone=phone, is_active=True).first()


# ---- a roster's claims on registered people --------------------------------------------------------------


def claim_heads(*, by, claims) -> int:
    """A household roster names registered people as heads: each is asked, not linked (``HouseholdClaim``).
    ``claims``: (household, person) pairs. Called inside the import's transaction; the texts go on commit.
    Returns how many were asked (none twice while a claim waits)."""
    waiting = set(
        HouseholdClaim.objects.filter(
            answered_at__isnull=True,
            person__in=[p for _h, p in claims],
            household__in=[h for h, _p in claims],
        ).values_list("household_id", "person_id")
    )
    new = [
        HouseholdClaim(household=h, person=p, claimed_by=by) for h, p in claims if (h.pk, p.pk) not in waiting
    ]
    HouseholdClaim.objects.bulk_create(new, batch_size=1000)

    def tell():
        with translation.override(settings.LANGUAGE_CODE):
            for claim in new:
                text = gettext(
                    "Yishi: a household roster names you head of household %(household)s. If that is right, "
                    "log in and confirm it on your home page; if not, decline it there."
                ) % {"household": claim.household}
                # The roster names heads by their mobile number: a claimed person has one.
                assert claim.person.phone is not None  # noqa: S101
                send_sms(claim.person.phone, text)

    transaction.on_commit(tell)
    return len(new)


def may_answer_claim(person, claim: HouseholdClaim) -> Refused | None:
    """Only the person the roster names answers, once."""
    if person is None or not person.is_authenticated or person.pk != claim.person_id:
        return Refused(_("Only the person named may answer this."), Refused.FORBIDDEN)
    if claim.answered_at is not None:
        return Refused(_("This has already been answered."), "already_answered")
    return None


@transaction.atomic
def answer_claim(*, actor: Actor, claim: HouseholdClaim, confirm: bool) -> HouseholdClaim:
    """The person confirms they head the household (a membership, the seat in its votes) or declines."""
    claim = HouseholdClaim.objects.select_for_update().select_related("household").get(pk=claim.pk)
    refused = may_answer_claim(actor, claim)
    if refused is not None:
        raise refused
    claim.answered_at, claim.confirmed = timezone.now(), bool(confirm)
    claim.save(update_fields=["answered_at", "confirmed"])
    if claim.confirmed:
        Membership.objects.filter(household=claim.household, is_head=True).exclude(
            person=acting_person(actor)
        ).update(is_head=False)
        Membership.objects.update_or_create(
            person=acting_person(actor),
            household=claim.household,
            defaults={"relation": Relation.OWNER, "is_head": True},
        )
    record(
        actor=actor,
        action=Action.PEOPLE_ANSWER_HOUSEHOLD_CLAIM,
        target=claim.household,
        data={"claim": claim.pk, "confirmed": claim.confirmed},
    )
    return claim


def open_claims(person):
    """The rosters waiting for ``person``'s answer."""
    return HouseholdClaim.objects.filter(person=person, answered_at__isnull=True).select_related(
        "household__region"
    )
