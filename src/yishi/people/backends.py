"""Authentication by phone number: with a password (staff), or with a one-time code (residents)."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from .models import Person
from .phones import normalize_phone


def _phone_or_none(raw):
    try:
        return normalize_phone(raw)
    except ValidationError:
        return None


class PhonePasswordBackend(ModelBackend):
    def authenticate(self, request, phone=None, password=None, username=None, **kwargs):
        # ``username`` is Django's name for the USERNAME_FIELD: the admin's login form and
        # ``Client.login(username=…)`` pass the phone number under it.
        phone = _phone_or_none(phone if phone is not None else username)
        if phone is None or not password:
            return None
        person = Person.objects.filter(phone=phone).first()
        if person is None:
            Person().set_password(password)  # the same work as a real check, so timing reveals nothing
            return None
        if person.check_password(password) and self.user_can_authenticate(person):
            return person
        return None


class OneTimeCodeBackend(ModelBackend):
    def authenticate(self, request, phone=None, code=None, **kwargs):
        from .services import check_login_code

        phone = _phone_or_none(phone)
        if phone is None or not code:
            return None
        person = check_login_code(phone=phone, code=code)
        if person is not None and self.user_can_authenticate(person):
            return person
        return None
