import datetime
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import timezone

from tests import builders

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _fast_hashing_everywhere():
    """Module- and session-scoped worlds are built before any function-scoped ``settings`` override applies."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield


# A test reads "today" once and reasons in days; one that starts in the last minutes of a Beijing day would see
# the day change under it (a digest "sent today" becomes yesterday's). The days themselves are tested across
# the boundary with a fixed clock (libfaketime runs, the clock fixtures); this only keeps a real-time test whole.
MIDNIGHT_MARGIN = datetime.timedelta(minutes=2)


def _clear_of_midnight():
    import time

    now = timezone.localtime()
    midnight = (now + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    if midnight - now < MIDNIGHT_MARGIN:
        time.sleep((midnight - now).total_seconds() + 1)


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Each test: memory SMS outbox, its own media folder, a fresh cache (rate-limit counters)."""
    from django.core.cache import cache

    from yishi.people.sms import MemoryBackend

    settings.SMS_BACKEND = "yishi.people.sms.MemoryBackend"
    # Real hashing costs a third of a second per password; tests are not about its strength.
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.MEDIA_ROOT = tmp_path / "media"
    MemoryBackend.outbox.clear()
    cache.clear()
    _clear_of_midnight()
    yield


@pytest.fixture
def on_postgres():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL: real parallel connections (run with DATABASE_URL=postgresql://…)")


@pytest.fixture
def place(db):
    """丽景社区 with its secretary, council member, an expert, units, two residents and a neighbour."""
    t = builders.tree()
    ns = SimpleNamespace(tree=t)
    ns.secretary = builders.person("张金利", password="pw-12345678x")
    builders.role(ns.secretary, "committee", t.community, title="社区党委书记")
    ns.council = builders.person("议事会成员")
    builders.role(ns.council, "council", t.community)
    ns.lawyer = builders.person("李明")
    builders.role(ns.lawyer, "expert", t.city, expertise="legal")
    ns.fire = builders.unit("市消防救援支队", kind="fire_rescue", home_region=t.city, serves=[t.community])
    ns.property = builders.unit(
        "万泰丽景小区物业服务公司", kind="property", home_region=t.community, serves=[t.compound]
    )
    ns.fire_staff = builders.person("赵振华")
    builders.role(ns.fire_staff, "unit_staff", t.city, unit=ns.fire)
    ns.resident = builders.person("刘桂兰", gender="F")
    ns.neighbour = builders.person("王建国", gender="M")
    ns.outsider = builders.person("外人")
    ns.other_secretary = builders.person("艾丽丽")
    builders.role(ns.other_secretary, "committee", t.sibling)
    ns.category = builders.category("environment")
    ns.today = timezone.localdate()
    ns.now = timezone.now()
    ns.soon = ns.today + datetime.timedelta(days=30)
    return ns
