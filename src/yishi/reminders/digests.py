"""The daily digest: for those who chose it, everything not yet delivered, in one message a day."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from yishi.people.models import Person

from . import channels as outside
from .models import Digest, Notification

#: At most this many items are spelled out in a digest text message; e-mail carries them all.
DIGEST_SMS_ITEMS = 5


def _digest_text(items: list[Notification], *, limit: int | None) -> str:
    lines = [gettext("Yishi daily digest: %(count)s new.") % {"count": len(items)}]
    shown = items if limit is None else items[:limit]
    lines += [f"· {n.text}" for n in shown]
    if len(items) > len(shown):
        lines.append(
            gettext("… and %(more)s more on your notifications page.") % {"more": len(items) - len(shown)}
        )
    return "\n".join(lines)


def send_digest(*, person, day: datetime.date) -> Digest | None:
    """Today's digest for a person who takes one: everything not yet delivered, once a day, never empty."""
    route = outside.channels_for(person)
    if not route.digest or not person.is_active:
        return None
    with transaction.atomic():
        if not Notification.objects.filter(person=person, delivered_at__isnull=True).exists():
            return None  # nothing new: no digest
        try:
            with transaction.atomic():
                digest = Digest.objects.create(person=person, day=day)
        except IntegrityError:
            return None  # already sent today; the rest waits for tomorrow's
        now = timezone.now()
        claimed = Notification.objects.filter(person=person, delivered_at__isnull=True).update(
            delivered_at=now, digest=digest
        )
        if not claimed:
            transaction.set_rollback(True)
            return None
        Digest.objects.filter(pk=digest.pk).update(count=claimed)
        digest.count = claimed
        items = list(Notification.objects.filter(digest=digest).order_by("created_at", "pk"))
        with translation.override(settings.LANGUAGE_CODE):
            sms_text = _digest_text(items, limit=DIGEST_SMS_ITEMS)
            body = _digest_text(items, limit=None)
            subject = gettext("Yishi daily digest")
        link = outside.absolute(reverse("reminders:inbox"))
        if link.startswith("http"):
            body += "\n" + link
        transaction.on_commit(
            lambda: outside.send(route, sms_text=sms_text, subject=subject, body=body), robust=True
        )
    return digest


def send_digests(*, day: datetime.date) -> int:
    """Digests for everyone who takes one and has news waiting. Returns how many were sent."""
    waiting = Notification.objects.filter(person=OuterRef("pk"), delivered_at__isnull=True)
    people = Person.objects.filter(Exists(waiting), is_active=True, notification_preference__digest=True)
    return sum(1 for person in people.iterator(chunk_size=500) if send_digest(person=person, day=day))
