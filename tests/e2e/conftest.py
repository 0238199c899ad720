"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser) at a phone's size."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "zh-CN", "has_touch": True}


@pytest.fixture(scope="session", autouse=True)
def _sync_orm_beside_playwright():
    # Playwright's sync API runs an event loop in this thread; the tests' own ORM calls (and the database
    # flush after each test) are still synchronous. Session-wide, so it outlives every test's teardown.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # Django's in-memory SQLite test database is one connection that the live server's request threads
    # share with the test: two requests at once (a page and its htmx poll) then meet inside one transaction
    # ("cannot start a transaction within a transaction"). A file gives every thread its own connection,
    # queued by the write lock as in production.
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # One file per xdist worker: each worker runs its own live server.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        database.setdefault("TEST", {})["NAME"] = str(settings.VAR_DIR / f"test-browser-{worker}.sqlite3")


@pytest.fixture(autouse=True)
def _browser_test_settings(settings):
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    """The live server sees only committed rows; a transactional test empties the tables after it runs,
    so the seeded categories are put back for each test."""
    from tests import builders

    for key in ("disputes", "property", "environment", "renovation", "facilities", "safety", "other"):
        builders.category(key)


# Routes checked in elderly mode so far in this run. Elderly mode restyles a page (type, spacing, contrast):
# one elderly check per route in a run covers it, as one check per route already does within a test.
_ELDERLY_DONE: set[str] = set()
# (route, shape) pairs checked so far in this run: a page loaded again in a shape already checked is not re-checked.
_SHAPES_DONE: set[tuple[str, str]] = set()


@pytest.fixture
def a11y(browser, live_server, monkeypatch):
    """Every browser context the test opens is checked with axe-core (see a11y.py); the test fails on serious or
    critical violations. Torn down before the live server and the database flush, which the last checks need."""
    from tests.e2e.a11y import Audit

    audit = Audit(new_context=browser.new_context, elderly_done=_ELDERLY_DONE, shapes_done=_SHAPES_DONE)
    monkeypatch.setattr(browser, "new_context", lambda *a, **kw: audit.watch(audit.new_context(*a, **kw)))
    yield audit
    audit.finish()
    _ELDERLY_DONE.update(key for key, modes in audit.checked.items() if "elderly" in modes)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)  # read by `film` to keep the screenshots of a failed story
    return report


@pytest.fixture
def film(request, tmp_path):
    """Screenshot each step (``film.shot(page, who, step)``); kept in var/test-results/<test>/ if the test fails."""
    from tests.e2e.film import Film

    folder = tmp_path / "film"
    folder.mkdir()
    reel = Film(folder)
    yield reel
    report = getattr(request.node, "report_call", None)
    if report is None or report.failed:
        kept = reel.keep(request.node.name)
        print(f"\n{reel.count} step screenshots kept in {kept}")
