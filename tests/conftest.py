import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Each test: memory SMS outbox, its own media folder, a fresh cache (rate-limit counters)."""
    from django.core.cache import cache

    from yishi.people.sms import MemoryBackend

    settings.SMS_BACKEND = "yishi.people.sms.MemoryBackend"
    # Real hashing costs a third of a second per password; tests are not about its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    MemoryBackend.outbox.clear()
    cache.clear()
    yield


@pytest.fixture
def on_postgres():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL: real parallel connections (run with DATABASE_URL=postgresql://…)")
