"""Where text messages go. The gateway is the edge of the world: a backend interface with a console default.

A real gateway adapter implements ``send`` and is named in the ``SMS_BACKEND`` setting.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from .phones import mask_phone

logger = logging.getLogger("yishi.sms")


@dataclass(frozen=True)
class Message:
    phone: str
    text: str


class BaseBackend:
    def send(self, message: Message) -> None:
        raise NotImplementedError  # pragma: no cover - the interface


class ConsoleBackend(BaseBackend):
    """Prints the message: the demo's residents read their login code in the server's console.

    The number is masked like everywhere else: server logs are read by more people than the resident.
    """

    def send(self, message: Message) -> None:
        print(f"[SMS to {mask_phone(message.phone)}] {message.text}", flush=True)


class MemoryBackend(BaseBackend):
    """Keeps messages in ``outbox``, as Django's locmem e-mail backend does; for tests."""

    outbox: list[Message] = []

    def send(self, message: Message) -> None:
        MemoryBackend.outbox.append(message)


def send_sms(phone: str, text: str) -> None:
    import_string(settings.SMS_BACKEND)().send(Message(phone=phone, text=text))
