"""The security log's alarm: a burst of refused attempts by one person (or from one address) tells the bureau
that oversees where they were made, once per burst."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from yishi.access.models import RefusedAttempt
from yishi.access.queries import ALARM_ATTEMPTS, ALARM_WINDOW, refused_recently
from yishi.access.roles import Role
from yishi.notifications import notify
from yishi.people.phones import mask_phone

from .services import holders_at_nearest


def alarm_if_burst(logged: list[RefusedAttempt], *, address: str) -> int:
    """After ``logged`` were written: when they carry one person (or address) to the alarm's count within the
    window, tell the bureau. Returns how many people were told."""
    if not logged:
        return 0
    last = logged[-1]
    now = timezone.now()
    count = refused_recently(person_id=last.person_id, address=address, since=now - ALARM_WINDOW)
    if not (count - len(logged) < ALARM_ATTEMPTS <= count) or last.region is None:
        return 0  # below the count, or already told of this burst
    who = last.person.name if last.person is not None else address
    phone = mask_phone(last.person.phone) if last.person is not None and last.person.phone else ""
    told = 0
    for person in holders_at_nearest(last.region, Role.BUREAU):
        told += notify(
            person,
            gettext_noop(
                "Yishi security: %(who)s %(phone)s was refused %(count)s times in %(minutes)s minutes, "
                "last at %(region)s. See the security log."
            ),
            link=reverse("web:security_log"),
            dedupe_key=f"security-alarm:{last.person_id or address}:{now:%Y%m%d%H}",
            who=who,
            phone=phone,
            count=count,
            minutes=int(ALARM_WINDOW.total_seconds() // 60),
            region=last.region.name,
        )
    return told
