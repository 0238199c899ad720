"""Telling people what happened: in the app at once, and on their own channels after the change is committed.

Each piece of news is recorded as an in-app notification in the transaction that makes the change (so a
change rolled back tells no one), then delivered once it commits: by SMS (the default) and/or e-mail, or held
for the person's daily digest (``yishi.reminders``). A back-to-back submitter is told too: the message goes to
them alone and names no one.
"""

import contextlib
import datetime
import uuid
from contextvars import ContextVar
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop

from yishi.matters.models import Matter, Support
from yishi.reminders import channels as outside
from yishi.reminders.models import Mute, Notification

# A matter's step news reaches a person's phone at most once in this time; what comes meanwhile is held.
HOURLY = datetime.timedelta(hours=1)

_muted: ContextVar[bool] = ContextVar("yishi_notifications_muted", default=False)


@contextlib.contextmanager
def muted():
    """No messages for changes made inside: bulk loads and imports of what happened in the past."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def _shown(value):
    """A parameter as the message shows it: lazy text resolved, dates as the language writes them (2026年10月15日)."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    return value


def record_notification(
    *, person, text: str, link: str = "", key: str | None = None, hourly: bool = False
) -> Notification | None:
    """Record news for ``person`` in the current transaction; None when they already have it (same key)."""
    key = (key or f"once:{uuid.uuid4().hex}")[:200]
    try:
        with transaction.atomic():
            return Notification.objects.create(
                person=person, text=text[:1000], link=link[:200], key=key, hourly=hourly
            )
    except IntegrityError:
        return None


def _sent_hourly_news_since(person, since) -> bool:
    return Notification.objects.filter(person=person, hourly=True, delivered_at__gt=since).exists()


def deliver(notification_id: int) -> list[str]:
    """Send one notification on its person's channels now, unless they take a digest. Returns channels used."""
    notification = Notification.objects.select_related("person").filter(pk=notification_id).first()
    if notification is None or notification.delivered_at is not None:
        return []
    person = notification.person
    route = outside.channels_for(person)
    if route.digest and person.is_active:
        return []  # the daily digest carries it
    if notification.hourly and _sent_hourly_news_since(person, timezone.now() - HOURLY):
        return []  # held: send_held_news carries it with whatever else comes within the hour
    claimed = Notification.objects.filter(pk=notification.pk, delivered_at__isnull=True).update(
        delivered_at=timezone.now()
    )
    if not claimed or not person.is_active:
        return []
    body = notification.text
    if notification.link:
        body += "\n" + outside.absolute(notification.link)
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Yishi notification")
    return outside.send(route, sms_text=notification.text, subject=subject, body=body)


def notify(
    person,
    message_id: str,
    *,
    link: str = "",
    dedupe_key: str | None = None,
    hourly: bool = False,
    **params,
) -> bool:
    """Tell ``person`` ``message_id`` (an English msgid, composed in the site's language).

    ``dedupe_key`` names the event: a person is told of one event once, however often this is called (without
    one, every call is news of its own). ``link`` is the page the news is about. ``hourly``: news of a matter's
    steps, which reaches a phone at most once an hour. Returns whether the person was told now, i.e. it was not
    muted and not already known.
    """
    if person is None or _muted.get():
        return False
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(message_id) % {k: _shown(v) for k, v in params.items()}
    notification = record_notification(person=person, text=text, link=link, key=dedupe_key, hourly=hourly)
    if notification is None:
        return False
    transaction.on_commit(partial(deliver, notification.pk), robust=True)
    return True


def followers(matter) -> list:
    """Who hears of a matter's steps: its submitter and its supporters, and those of the matters merged into
    it (their names count here now), less those who muted it."""
    from django.contrib.auth import get_user_model

    merged = Matter.objects.filter(merged_into=matter)
    people = set(
        Support.objects.filter(Q(matter=matter) | Q(matter__in=merged), person__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    people |= set(merged.exclude(submitter=None).values_list("submitter_id", flat=True))
    if matter.submitter_id is not None:
        people.add(matter.submitter_id)
    people -= set(Mute.objects.filter(matter=matter).values_list("person_id", flat=True))
    return list(get_user_model().objects.filter(pk__in=people, is_active=True).order_by("pk"))


def matter_moved(matter) -> None:
    """The submitter and the supporters follow the matter: each step change and the close reach them."""
    if matter.merged_into_id is not None:
        _matter_merged(matter)
        return
    # One move is one event: its new status and step, at the moment it was made.
    moved_at = matter.closed_at if matter.is_closed else matter.step_since
    key = f"matter-moved:{matter.pk}:{matter.status}:{matter.step_key}:{moved_at.isoformat() if moved_at else ''}"
    for person in followers(matter):
        _tell_moved(person, matter, key)


def _tell_moved(person, matter, key: str) -> None:
    own = person.pk == matter.submitter_id
    if matter.is_closed:
        message = (
            gettext_noop("Yishi: your matter “%(title)s” is now closed (%(status)s).")
            if own
            else gettext_noop("Yishi: the matter “%(title)s” you support is now closed (%(status)s).")
        )
    elif matter.step is not None:
        message = (
            gettext_noop("Yishi: your matter “%(title)s” has moved to “%(step)s”.")
            if own
            else gettext_noop("Yishi: the matter “%(title)s” you support has moved to “%(step)s”.")
        )
    else:
        return
    notify(
        person,
        message,
        link=reverse("matters:detail", args=[matter.pk]),
        dedupe_key=key,
        hourly=True,
        title=matter.title,
        status=matter.get_status_display(),
        step=matter.step.label if matter.step is not None else "",
    )


def _matter_merged(matter) -> None:
    """Who raised or supported a duplicate follows the matter it was merged into, where their name now counts:
    each is told once, with a link to that matter."""
    from django.contrib.auth import get_user_model

    people = set(matter.supports.values_list("person_id", flat=True))
    if matter.submitter_id is not None:
        people.add(matter.submitter_id)
    into = matter.merged_into
    link = reverse("matters:detail", args=[into.pk])
    for person in get_user_model().objects.filter(pk__in=people).order_by("pk"):
        notify(
            person,
            gettext_noop(
                "Yishi: the matter “%(title)s” has been merged into “%(into)s”; your name counts there now."
            ),
            link=link,
            dedupe_key=f"matter-merged:{matter.pk}",
            title=matter.title,
            into=into.title,
        )


def send_held_news(*, now: datetime.datetime) -> int:
    """Step news held back because the person heard such news within the hour: for each person whose hour has
    passed, all of it as one message. Returns how many messages went out. Run every few minutes."""
    from django.contrib.auth import get_user_model

    held = Notification.objects.filter(hourly=True, delivered_at__isnull=True)
    sent = 0
    for person in get_user_model().objects.filter(pk__in=held.values("person_id")).order_by("pk"):
        route = outside.channels_for(person)
        if route.digest or _sent_hourly_news_since(person, now - HOURLY):
            continue  # the digest carries it, or the hour has not passed
        with transaction.atomic():
            items = list(held.filter(person=person).select_for_update().order_by("created_at", "pk"))
            claimed = Notification.objects.filter(
                pk__in=[n.pk for n in items], delivered_at__isnull=True
            ).update(delivered_at=now)
            if not claimed or not person.is_active:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                text = _held_text(items)
                subject = gettext("Yishi notification")
            body = text + "\n" + outside.absolute(reverse("reminders:inbox"))
            transaction.on_commit(partial(outside.send, route, sms_text=text, subject=subject, body=body))
        sent += 1
    return sent


HELD_SMS_ITEMS = 3


def _held_text(items: list) -> str:
    if len(items) == 1:
        return items[0].text
    lines = [gettext("Yishi: %(count)s updates on matters you follow.") % {"count": len(items)}]
    lines += [f"· {n.text}" for n in items[:HELD_SMS_ITEMS]]
    if len(items) > HELD_SMS_ITEMS:
        lines.append(
            gettext("… and %(more)s more on your notifications page.") % {"more": len(items) - HELD_SMS_ITEMS}
        )
    return "\n".join(lines)
