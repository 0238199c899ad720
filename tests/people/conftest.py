from datetime import timedelta

import pytest
from django.utils import timezone

from tests import builders

STAFF_PHONE = "13900000201"
STAFF_PASSWORD = "yishi-demo-2026"


class Clock:
    """Moves ``django.utils.timezone.now`` forward; real time keeps flowing underneath."""

    def __init__(self, real_now):
        self._real_now = real_now
        self.offset = timedelta()

    def now(self):
        return self._real_now() + self.offset

    def advance(self, **kwargs) -> None:
        self.offset += timedelta(**kwargs)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for attackers, not for the test suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock(monkeypatch):
    c = Clock(timezone.now)
    monkeypatch.setattr(timezone, "now", c.now)
    return c


@pytest.fixture
def staff(db):
    """A community worker who logs in with a password."""
    return builders.person("孙丽", phone=STAFF_PHONE, password=STAFF_PASSWORD)


@pytest.fixture
def resident(db):
    """A resident without a password: logs in with a one-time code."""
    return builders.person("王秀英", phone="13900000301")
