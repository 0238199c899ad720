"""Telling people what happened, after the change is committed, through the SMS backend (console by default).

A back-to-back submitter is told too: the message goes to them alone and names no one.
"""

import contextlib
from contextvars import ContextVar

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from yishi.people.sms import send_sms

_muted: ContextVar[bool] = ContextVar("yishi_notifications_muted", default=False)


@contextlib.contextmanager
def muted():
    """No messages for changes made inside: bulk loads and imports of what happened in the past."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def notify(person, message_id: str, **params) -> None:
    """Queue ``message_id`` (an English msgid, sent in Chinese) to ``person`` once the transaction commits."""
    phone = getattr(person, "phone", None)
    if not phone or _muted.get():
        return

    def send():
        with translation.override(settings.LANGUAGE_CODE):
            send_sms(phone, gettext(message_id) % params)

    transaction.on_commit(send)


def matter_moved(matter) -> None:
    """The submitter follows their matter: each step change and the close reach them."""
    if matter.submitter_id is None:
        return
    if matter.is_closed:
        notify(matter.submitter, "Yishi: your matter “%(title)s” is now closed (%(status)s).",
               title=matter.title, status=str(matter.get_status_display()))
    elif matter.step is not None:
        notify(matter.submitter, "Yishi: your matter “%(title)s” has moved to “%(step)s”.",
               title=matter.title, step=str(matter.step.label))
