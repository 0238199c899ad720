"""Where news goes beyond the in-app list: SMS through the ``SMS_BACKEND``, e-mail through a Django mail backend.

Both are pluggable by settings and print to the console by default:
``SMS_BACKEND`` (``yishi.people.sms.ConsoleBackend``) and ``YISHI_EMAIL_BACKEND``
(Django's console e-mail backend unless set; e.g. ``django.core.mail.backends.smtp.EmailBackend`` with the
usual ``EMAIL_HOST`` settings). ``YISHI_SITE_URL`` (e.g. ``https://yishi.example.cn``) makes e-mail links absolute.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from yishi.people.sms import send_sms

logger = logging.getLogger("yishi.notifications")

CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"


@dataclass(frozen=True)
class Channels:
    """The outside channels for one person: a phone for SMS, an address for e-mail (empty = not used)."""

    phone: str = ""
    email_address: str = ""
    digest: bool = False

    @property
    def any(self) -> bool:
        return bool(self.phone or self.email_address)


def channels_for(person) -> Channels:
    from .models import Preference

    pref = Preference.objects.filter(person_id=person.pk).first()
    phone = person.phone or ""
    if pref is None:
        return Channels(phone=phone)
    return Channels(
        phone=phone if pref.sms else "",
        email_address=pref.email_address if pref.email else "",
        digest=pref.digest,
    )


def absolute(link: str) -> str:
    base = getattr(settings, "YISHI_SITE_URL", "").rstrip("/")
    return f"{base}{link}" if base and link.startswith("/") else link


def send(channels: Channels, *, sms_text: str, subject: str, body: str) -> list[str]:
    """Send on every channel; one failing gateway neither stops the other nor the caller. Returns those used."""
    used = []
    if channels.phone:
        try:
            send_sms(channels.phone, sms_text)
            used.append("sms")
        except Exception:
            logger.exception("SMS could not be sent")
    if channels.email_address:
        try:
            connection = get_connection(getattr(settings, "YISHI_EMAIL_BACKEND", "") or CONSOLE_EMAIL_BACKEND)
            EmailMessage(
                subject=subject, body=body, to=[channels.email_address], connection=connection
            ).send()
            used.append("email")
        except Exception:
            logger.exception("e-mail could not be sent")
    return used
